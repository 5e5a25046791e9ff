"""The web application: server-rendered pages and a JSON API over one store.

``create_app(db)`` builds a FastAPI app; ``couverture serve`` runs it with uvicorn.
Pages work without JavaScript and none is sent: the Content-Security-Policy forbids
scripts altogether, and styles come only from the package's own static file.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..store import DEFAULT_DB, Store
from . import api, pages
from .errors import BadParameters, parameter_errors
from .render import STATIC, render

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (pages, API, static files, errors)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def create_app(db: str | Path | Store = DEFAULT_DB) -> FastAPI:
    """The web app over ``db``: a SQLite path, a database URL, or an open :class:`Store`."""
    # Serving only reads: a database path is opened as it is (never created or upgraded;
    # the indexes the listings need come with the schema, store/migrations.py).
    store = db if isinstance(db, Store) else Store(db, create=False)
    app = FastAPI(
        title="couverture",
        version=__version__,
        summary="Full coverage of news stories: stories, their articles, and full-text search.",
        description=(
            "Read-only JSON over a couverture database. Errors are JSON objects with `status` and "
            "`message` (and `errors`, one per bad parameter, on 422)."
        ),
        docs_url=None,  # the interactive docs load scripts from a CDN; this server stays offline
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.store = store
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if _wants_json(request):
            return JSONResponse({"status": exc.status_code, "message": message}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render("error.html", status_code=exc.status_code, status=exc.status_code, message=message, problems=[])

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _bad_parameters(request, parameter_errors(exc.errors()))

    @app.exception_handler(BadParameters)
    async def bad_parameters(request: Request, exc: BadParameters):
        return _bad_parameters(request, exc.problems)

    return app


def _bad_parameters(request: Request, problems: list[dict]):
    message = "bad parameter" + ("s" if len(problems) != 1 else "") + ": " + "; ".join(
        f"{p['parameter']}: {p['message']}" for p in problems
    )
    if _wants_json(request):
        return JSONResponse({"status": 422, "message": message, "errors": problems}, status_code=422)
    return render("error.html", status_code=422, status=422, message="Some filters could not be read.", problems=problems)
