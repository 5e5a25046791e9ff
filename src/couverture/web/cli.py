"""The ``couverture serve`` command (added to the main command group by ``register``)."""
from __future__ import annotations

from collections.abc import Sequence

import click

from ..store import DEFAULT_DB


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--db", "db", default=DEFAULT_DB, show_default=True, envvar="COUVERTURE_DB",
        help="SQLite file, or a database URL such as postgresql+psycopg://user@host/couverture.",
    )
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
    @click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME", envvar="COUVERTURE_ALLOWED_HOSTS",
                  help="A host name the server answers to (repeatable; '*' for any). Addresses and localhost always "
                       "are; other names are refused, against DNS rebinding.")
    def serve(db, host, port, allowed_hosts):
        """Serve the stories as a web page and a JSON API (/api/, schema at /openapi.json)."""
        from ..cli import open_store

        store = open_store(db)  # reading: a missing or foreign database is refused, never created
        count = store.count_articles()
        if count == 0:
            click.echo("the database has no articles yet: run `couverture ingest PATH` or `couverture demo`", err=True)
        serve_store(store, bind_or_fail(host, port), f"serving {count} article(s) from {store.url}",
                    allowed_hosts=allowed_hosts)


def bind_or_fail(host: str, port: int):
    """The listening socket for ``host:port``, or a one-line error saying why not."""
    from .server import ListenError, listen

    try:
        return listen(host, port)
    except ListenError as exc:
        raise click.ClickException(str(exc)) from exc


def serve_store(store, sock, what: str, allowed_hosts: Sequence[str] = ()) -> None:
    """Announce ``what`` with the address of ``sock`` (bound by :func:`bind_or_fail`), then serve
    until Ctrl-C; ``allowed_hosts``: the host names it answers to besides addresses and localhost."""
    from .server import run_server

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    click.echo(f"{what} on http://{shown}:{port}/  (Ctrl-C to stop)")
    run_server(store, host, port, sock=sock, allowed_hosts=allowed_hosts)
