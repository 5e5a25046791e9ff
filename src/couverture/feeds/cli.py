"""``couverture feeds ...`` and ``couverture watch``, added to the main command group."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click

from ..errors import printable
from ..store import DEFAULT_DB

_db_option = click.option(
    "--db", "db", default=DEFAULT_DB, show_default=True, envvar="COUVERTURE_DB",
    help="SQLite file, or a database URL such as postgresql+psycopg://user@host/couverture.",
)


def _open(db: str):
    from ..cli import open_store

    return open_store(db, create=True)  # the feed registry is written to; one-line errors


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _interval(_ctx, _param, value):
    if value is None:
        return None
    from .watch import parse_interval

    try:
        return parse_interval(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _feed_url_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "a URL cannot contain spaces, line breaks or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError as exc:  # "http://[::1/": a broken IPv6 literal
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "a feed URL starts with http:// or https://"
    if not parts.hostname:
        return "the URL has no host"
    return None


@click.group(name="feeds")
def feeds_group() -> None:
    """Manage the RSS/Atom feeds that `couverture watch` polls."""


@feeds_group.command(name="add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--interval", default=None, callback=_interval,
              help="Poll this feed at this interval (e.g. 30m) instead of watch's --interval.")
@_db_option
def feeds_add(urls, interval, db):
    """Register feed URLs (RSS 0.9x/1.0/2.0 or Atom)."""
    from ..store.feeds import FeedRegistry

    registry = FeedRegistry(_open(db))
    failed = False
    for raw in urls:
        url = raw.strip().split("#", 1)[0]
        problem = _feed_url_problem(url)
        if problem:
            click.echo(f"error: {printable(raw)}: {problem}", err=True)
            failed = True
            continue
        feed, created = registry.add(url, interval_seconds=int(interval) if interval else None)
        click.echo(f"{'added' if created else 'already registered'} #{feed.id} {feed.url}")
    if failed:
        sys.exit(1)


@feeds_group.command(name="import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False))
@_db_option
def feeds_import(opml, db):
    """Register every feed of an OPML subscription list."""
    from .parse import FeedError, read_opml
    from ..store.feeds import FeedRegistry

    try:
        outlines = read_opml(opml)
    except FeedError as exc:
        raise click.ClickException(f"{opml}: {exc.reason}") from exc
    registry = FeedRegistry(_open(db))
    added = known = 0
    for outline in outlines:
        problem = _feed_url_problem(outline.url)
        if problem:
            click.echo(f"error: {printable(outline.url)}: {problem}", err=True)
            continue
        _feed, created = registry.add(outline.url, title=outline.title)
        added += created
        known += not created
    click.echo(f"{added} feed(s) added, {known} already registered, from {len(outlines)} in {opml}")


@feeds_group.command(name="list")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
def feeds_list(db, as_json):
    """Show each feed with its last success, last error and next poll."""
    from ..store.feeds import FeedRegistry

    feeds = FeedRegistry(_open(db)).all()
    if not feeds:
        click.echo("no feeds registered: add some with `couverture feeds add URL` or `couverture feeds import FILE.opml`",
                   err=True)
        return
    for feed in feeds:
        if as_json:
            click.echo(json.dumps(feed.to_json(), ensure_ascii=False))
            continue
        state = "FAILING" if feed.failing else "ok"
        click.echo(f"#{feed.id}  {feed.url}" + (f"  ({feed.title})" if feed.title else ""))
        click.echo(f"    {state} · last success {_when(feed.last_success_at)} · next poll "
                   f"{_when(feed.next_poll_at) if feed.next_poll_at else 'at the next watch'} · "
                   f"{feed.articles_added} article(s) added" + (f" · {feed.last_status}" if feed.last_status else ""))
        if feed.last_error:
            click.echo(f"    last error {_when(feed.last_error_at)}: {feed.last_error}")


@feeds_group.command(name="remove")
@click.argument("feeds", nargs=-1, required=True)
@_db_option
def feeds_remove(feeds, db):
    """Unregister feeds, by URL or by the #id `feeds list` shows (their articles stay)."""
    from ..store.feeds import FeedRegistry

    registry = FeedRegistry(_open(db))
    failed = False
    for ref in feeds:
        feed = registry.remove(ref.lstrip("#"))
        if feed is None:
            click.echo(f"error: no feed {ref!r}; `couverture feeds list` shows them", err=True)
            failed = True
        else:
            click.echo(f"removed #{feed.id} {feed.url}")
    if failed:
        sys.exit(1)


@click.command(name="watch")
@_db_option
@click.option("--interval", default="15m", show_default=True, callback=_interval,
              help="Time between two polls of a feed (30s, 15m, 1h...), unless the feed has its own.")
@click.option("--once", is_flag=True, help="Poll every feed once, then exit (status 1 if a feed failed).")
@click.option("--allow-private", is_flag=True,
              help="Allow feeds and pages on loopback, private or link-local addresses (only for servers you trust).")
@click.option("--host-delay", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Minimum seconds between two requests to the same host.")
@click.option("--max-bytes", default=5_000_000, show_default=True, type=click.IntRange(min=1024),
              help="Largest feed or page accepted (after decompression).")
def watch_command(db, interval, once, allow_private, host_delay, max_bytes):
    """Poll the registered feeds on their schedule and cluster new articles as they arrive.

    Stops cleanly on Ctrl-C or SIGTERM: what was fetched is stored first.
    """
    from ..analyze import Analyzer
    from .fetch import FetchPolicy
    from .watch import Watcher

    store = _open(db)
    policy = FetchPolicy(allow_private=allow_private, host_delay=host_delay, max_bytes=max_bytes)
    analyzer = Analyzer()

    def log(line: str) -> None:
        click.echo(printable(line), err=line.startswith("error:"))

    with Watcher(store, policy=policy, interval=interval, analyzer=analyzer, log=log) as watcher:
        if not once:
            count = len(watcher.registry.all())
            click.echo(f"watching {count} feed(s), every {_seconds(interval)} unless a feed says otherwise; "
                       f"Ctrl-C to stop -> {store.url}")
            analyzer.embedder.embed(["warm-up"])  # load the encoder now, not in the middle of a poll
        results = watcher.run(once=once)
    added = sum(r.added for r in results)
    click.echo(f"{'done' if once else 'stopped'}: {added} article(s) added in {len(results)} poll(s)")
    if once and any(r.status == "error" for r in results):
        sys.exit(1)


def _seconds(value: float) -> str:
    value = int(value)
    for unit, size in (("h", 3600), ("m", 60)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}s"


def register(main: click.Group) -> None:
    main.add_command(feeds_group)
    main.add_command(watch_command)
