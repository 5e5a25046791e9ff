"""``couverture outlets``: list the store's outlets, and set their names, countries and languages."""
from __future__ import annotations

import csv
import json

import click

from .errors import printable
from .store import DEFAULT_DB

_FIELDS = ("domain", "name", "country", "lang", "kind")


def _db_option(default):
    return click.option(
        "--db", "db", default=default, show_default=default is not None, envvar="COUVERTURE_DB",
        help="SQLite file, or a database URL such as postgresql+psycopg://user@host/couverture.",
    )


def _store(ctx: click.Context, db: str | None, create: bool):
    from .cli import open_store

    return open_store(db or (ctx.obj or {}).get("db") or DEFAULT_DB, create=create)


@click.group(invoke_without_command=True)
@_db_option(DEFAULT_DB)
@click.option("--all", "everything", is_flag=True, help="Also the known outlets that have no article yet.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per outlet.")
@click.pass_context
def outlets(ctx, db, everything, as_json):
    """List outlets with their article counts (no subcommand), or edit them.

    An outlet is who published a page, known by the page's registrable domain
    (bbc.co.uk, zeit.de); news agencies (AFP, dpa, Reuters...) are credits, never
    the outlet of a page published elsewhere. Names, countries and languages come
    from a shipped list of major outlets and agencies, then from what the data says;
    `couverture outlets set` and `import` override both, and no ingest undoes them.
    Two domains given the same name are one outlet.
    """
    ctx.obj = {"db": db}
    if ctx.invoked_subcommand is not None:
        return
    store = _store(ctx, db, create=False)
    listed = store.list_outlets(everything=everything)
    unknown = store.count_articles() - sum(o.articles for o in listed)
    if as_json:
        for item in listed:
            click.echo(json.dumps(item.to_json(), ensure_ascii=False))
        return
    if not listed:
        click.echo("no outlets yet: run `couverture ingest PATH` or `couverture demo`", err=True)
    width = max([len(o.name) for o in listed] + [10])
    for item in listed:
        click.echo(
            f"{printable(item.name):<{width}}  {item.articles:>5} art.  {item.country or '--':<2}  {item.lang or '--':<3} "
            f"{item.kind:<6}  {item.origin or '-':<7}  {printable(' '.join(item.domains)) or '(no domain)'}"
        )
    if unknown:
        click.echo(f"{'outlet unknown':<{width}}  {unknown:>5} art.")


def _edit_line(info) -> str:
    return (f"{printable(info.domain)}: {printable(info.name)} · {info.country or 'no country'} · "
            f"{info.lang or 'no language'} · {info.kind} (set by the user)")


@outlets.command("set")
@click.argument("domain")
@_db_option(None)
@click.option("--name", default=None, help="Name to show for the outlet (give two domains one name to make them one outlet).")
@click.option("--country", default=None, help="Country code (ISO 3166-1, e.g. DE); an empty string clears it.")
@click.option("--lang", default=None, help="Language code (ISO 639-1, e.g. de); an empty string clears it.")
@click.option("--kind", type=click.Choice(["outlet", "agency"]), default=None,
              help="agency: the domain is a news agency's own site.")
@click.pass_context
def set_command(ctx, domain, db, name, country, lang, kind):
    """Set an outlet's name, country, language or kind, by DOMAIN (zeit.de, or any address on it)."""
    store = _store(ctx, db, create=True)
    try:
        (info,) = store.set_outlets([{"domain": domain, "name": name, "country": country, "lang": lang, "kind": kind}])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_edit_line(info))


@outlets.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@_db_option(None)
@click.pass_context
def import_command(ctx, path, db):
    """Set outlets from a CSV file with a header row: domain,name,country,lang,kind (all
    but domain optional; an empty cell keeps the current value). All rows or none."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "domain" not in reader.fieldnames:
            raise click.ClickException(f"{printable(path)}: the first row must name the columns, domain first "
                                       f"({','.join(_FIELDS)})")
        unknown = [f for f in reader.fieldnames if f not in _FIELDS]
        if unknown:
            raise click.ClickException(f"{printable(path)}: unknown column(s) {', '.join(map(printable, unknown))}; "
                                       f"the columns are {','.join(_FIELDS)}")
        edits = [{k: (v.strip() or None) if isinstance(v, str) else None for k, v in row.items() if k in _FIELDS}
                 for row in reader]
    store = _store(ctx, db, create=True)
    try:
        done = store.set_outlets(edits)
    except ValueError as exc:
        raise click.ClickException(f"{printable(path)}: {exc}; nothing was changed") from exc
    for info in done:
        click.echo(_edit_line(info))
    click.echo(f"{len(done)} outlet(s) set")


def register(main: click.Group) -> None:
    main.add_command(outlets)
