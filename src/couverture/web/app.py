"""The web application: server-rendered pages and a JSON API over one store.

``create_app(db)`` builds a FastAPI app; ``couverture serve`` runs it with uvicorn.
Pages work without JavaScript and none is sent: the Content-Security-Policy forbids
scripts altogether, and styles come only from the package's own static file.
"""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import event
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..store import DEFAULT_DB, Store
from . import api, pages, related
from .errors import BadParameters, parameter_errors
from .render import STATIC, render

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
READER_BUSY_MS = 1000
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


log = logging.getLogger(__name__)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (pages, API, static files,
    errors, and the 500 of an unexpected failure, answered here with them rather than
    by the server's bare fallback)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("unexpected error on %s", scope.get("path"))
            path = scope.get("path", "")
            if path == "/api" or path.startswith("/api/"):
                response = JSONResponse({"status": 500, "message": "internal error"}, status_code=500)
            else:
                response = PlainTextResponse("500: internal error; the server log has the details", status_code=500)
            await response(scope, receive, send_with_headers)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def host_allowed(host_header: str, allowed: Sequence[str]) -> bool:
    """Whether a request's Host header names this server. An address (127.0.0.1, [::1],
    192.0.2.7) and ``localhost`` always do: DNS rebinding needs a name that the attacker's
    DNS points at this machine, and any other name must be listed in ``allowed``
    (``*``: every name, for a server behind a proxy that checks it)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1] if "]" in host else host
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.rstrip(".")
    if not host:
        return False
    if _is_ip_literal(host) or host == "localhost" or host.endswith(".localhost"):
        return True
    return any(name == "*" or host == name.lower().rstrip(".") for name in allowed)


class TrustedHosts:
    """ASGI middleware: a request whose Host header names another server is refused
    (400), so a page on the web cannot read a local archive through DNS rebinding."""

    def __init__(self, app, allowed: Sequence[str] = ()):
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if not host_allowed(host, self.allowed):
                response = PlainTextResponse(
                    "400: this server does not answer to that host name "
                    "(start it with --allowed-host NAME to serve under a name)", status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def create_app(db: str | Path | Store = DEFAULT_DB, allowed_hosts: Sequence[str] = ()) -> FastAPI:
    """The web app over ``db``: a SQLite path, a database URL, or an open :class:`Store`.

    ``allowed_hosts``: host names it answers to besides addresses and ``localhost``
    (see :func:`host_allowed`)."""
    # Serving only reads: a database path is opened as it is (never created or upgraded;
    # the indexes the listings need come with the schema, store/migrations.py).
    store = db if isinstance(db, Store) else Store(db, create=False)
    readers_do_not_wait(store)
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
    app.add_middleware(TrustedHosts, allowed=allowed_hosts)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so every answer has the headers
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(related.router)
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


def readers_do_not_wait(store: Store) -> None:
    """The web's own writes (its sentence-vector cache) wait at most a second for an
    ingest's transaction on SQLite, then the page is served without caching; reads
    never wait (WAL)."""
    if store.engine.dialect.name != "sqlite":
        return

    def short_wait(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={READER_BUSY_MS}")
        cursor.close()

    event.listen(store.engine, "connect", short_wait)
    store.engine.dispose()  # connections opened before follow the new rule too


def _bad_parameters(request: Request, problems: list[dict]):
    message = "bad parameter" + ("s" if len(problems) != 1 else "") + ": " + "; ".join(
        f"{p['parameter']}: {p['message']}" for p in problems
    )
    if _wants_json(request):
        return JSONResponse({"status": 422, "message": message, "errors": problems}, status_code=422)
    return render("error.html", status_code=422, status=422, message="Some filters could not be read.", problems=problems)
