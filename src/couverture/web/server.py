"""Running the web app: uvicorn, on localhost by default."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..store import Store


def run_server(db: str | Path | Store, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info",
               allowed_hosts: Sequence[str] = ()) -> None:
    """Serve ``db`` until interrupted (Ctrl-C); ``allowed_hosts``: the host names it answers
    to besides addresses and localhost."""
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(db, allowed_hosts=allowed_hosts), host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False)
