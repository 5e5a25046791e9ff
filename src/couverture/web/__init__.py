"""The web page and the JSON API: ``create_app(db)`` for an ASGI app, ``run_server`` to serve it."""
from .app import create_app
from .server import run_server

__all__ = ["create_app", "run_server"]
