"""The web page and the JSON API: ``create_app(db)`` for an ASGI app, ``run_server`` to serve it.

Imported on first use: ``couverture --help`` loads this package for its ``serve``
command, and has no use for FastAPI.
"""
_EXPORTS = {"create_app": ".app", "run_server": ".server"}


def __getattr__(name: str):
    from .._lazy import load_export

    return load_export(__name__, _EXPORTS, name, globals())


__all__ = list(_EXPORTS)
