"""The ``couverture serve`` command (added to the main command group by ``register``)."""
from __future__ import annotations

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
        from ..store import Store
        from .server import run_server

        try:
            store = Store(db)
        except Exception as exc:  # a wrong path or URL: say which and why, no traceback
            raise click.ClickException(f"cannot open database {db!r}: {exc}") from exc
        count = store.count_articles()
        if count == 0:
            click.echo("the database has no articles yet: run `couverture ingest PATH` or `couverture demo`", err=True)
        click.echo(f"serving {count} article(s) from {store.url} on http://{host}:{port}/  (Ctrl-C to stop)")
        run_server(store, host, port, allowed_hosts=allowed_hosts)
