"""The web page and the JSON API: ``create_app(db)`` for an ASGI app, ``run_server`` to serve it.

Imported on first use: ``couverture --help`` loads this package for its ``serve``
command, and has no use for FastAPI.
"""
from .._lazy import lazy_exports

_EXPORTS = {"create_app": ".app", "run_server": ".server"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = list(_EXPORTS)
