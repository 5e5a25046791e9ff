"""Running the web app: uvicorn, on localhost by default."""
from __future__ import annotations

import errno
import socket
from collections.abc import Sequence
from pathlib import Path

from ..errors import CouvertureError


class ListenError(CouvertureError):
    """The address cannot be listened on (a port in use, an unknown host); one line for the user."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` now, before anything says "serving": a port already
    in use is a one-line error instead of uvicorn's log lines after the announcement.
    The server then serves on this very socket, so nothing can take the port in between."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart need not wait
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(f"port {port} on {host} is already in use: stop what listens there, "
                              "or choose another port with --port") from exc
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def run_server(db, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info",
               sock: socket.socket | None = None, allowed_hosts: Sequence[str] = ()) -> None:
    """Serve ``db`` (a path, a URL or an open ``Store``) until interrupted (Ctrl-C);
    on ``sock`` when given (see :func:`listen`), else on ``host:port``; ``allowed_hosts``:
    the host names it answers to besides addresses and localhost."""
    import uvicorn

    from .app import create_app

    config = uvicorn.Config(create_app(db, allowed_hosts=allowed_hosts), host=host, port=port, log_level=log_level,
                            server_header=False, proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
