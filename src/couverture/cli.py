"""The ``couverture`` command line.

Start-up imports only click and a few small modules: each command imports what it
needs when it runs, so ``couverture --help`` answers at once and ``couverture stories``
never loads the sentence encoder.
"""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime

import click

from ._version import __version__
from .errors import CouvertureError, printable
from .store import DEFAULT_DB

db_option = click.option(
    "--db", "db", default=DEFAULT_DB, show_default=True, envvar="COUVERTURE_DB",
    help="SQLite file, or a database URL such as postgresql+psycopg://user@host/couverture.",
)


def open_store(db: str, create: bool = False):
    """The store behind ``--db``, or a one-line error. ``create``: a write command, which
    may create the database and upgrade its schema; read commands leave it as it is."""
    from .store import Store

    try:
        return Store(db, create=create)
    except CouvertureError as exc:
        raise click.ClickException(str(exc)) from exc


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "undated"


def _span(first: datetime | None, last: datetime | None) -> str:
    if first is None:
        return "undated"
    if last is None or last == first:
        return _day(first)
    return f"{_day(first)} → {_day(last)}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="couverture")
def main() -> None:
    """couverture: group news articles from many outlets and languages into stories."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--max-bytes", default=None, type=click.IntRange(min=1024),
              help="Refuse a file, web page or feed larger than this "
                   "(default: 20,000,000 for files, 5,000,000 for what is fetched).")
@click.option("--max-pages", default=None, type=click.IntRange(min=0),
              help="Fetch at most this many entry pages per feed (default: 50; the rest are reported).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when on a terminal).")
@click.option("--allow-private", is_flag=True,
              help="Allow URLs on loopback, private or link-local addresses (only for servers you trust).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: extract, analyse and embed on Dask workers; cluster and store here "
                   "(needs: pip install 'couverture[distributed]'; see docs/distributed.md).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="With --engine dask: worker processes of the local cluster started for this ingest.")
@click.option("--address", default=None, metavar="tcp://HOST:PORT",
              help="With --engine dask: use the running Dask scheduler there instead of a local cluster.")
@click.option("--shards", default="month", show_default=True, metavar="month|week|Nd|none",
              help="With --engine dask: cluster in time shards of this size on the workers, stitched here; "
                   "none: cluster the whole stream here, in order, as one process does.")
def ingest(paths, db, max_bytes, max_pages, progress, allow_private, engine, workers, address, shards):
    """Ingest files or folders (.txt, .html, .json, .jsonl), web pages and feeds by URL,
    and cluster them into stories.

    Exit status is 1 when some inputs could not be ingested (each is reported on
    stderr with the reason); the others are stored all the same. Another ingest into
    the same database is waited for.
    """
    from itertools import chain

    from .engine import ingest_documents
    from .feeds import documents_from_sources, is_url
    from .feeds.documents import MAX_PAGES_PER_POLL
    from .feeds.fetch import FetchPolicy
    from .ingest import DEFAULT_MAX_BYTES, read_inputs

    plan = _shard_plan(shards) if engine == "dask" else None
    store = open_store(db, create=True)
    started = time.perf_counter()
    files = [p for p in paths if not is_url(p)]
    urls = [p for p in paths if is_url(p)]
    policy = FetchPolicy(allow_private=allow_private)
    if max_bytes is not None:
        policy.max_bytes = max_bytes
    items = chain(read_inputs(files, max_bytes=max_bytes or DEFAULT_MAX_BYTES),
                  documents_from_sources(urls, policy=policy, store=store,
                                         max_pages=MAX_PAGES_PER_POLL if max_pages is None else max_pages))
    try:
        if engine == "dask":
            from .distributed import ingest_distributed

            report = ingest_distributed(store, items, workers=workers, address=address, shards=plan,
                                        progress=_progress_bars(progress), on_wait=lambda m: click.echo(m, err=True))
        else:
            report = ingest_documents(store, items, progress=_progress_bars(progress),
                                      on_wait=lambda m: click.echo(m, err=True))
    except CouvertureError as exc:  # a broken install, a busy database: one message, no traceback
        click.echo(f"error: {printable(str(exc))}", err=True)
        sys.exit(2)
    elapsed = time.perf_counter() - started
    for note in report.notes:
        click.echo(f"note: {printable(note)}", err=True)
    for error in report.errors:
        click.echo(f"error: {printable(error.origin)}: {printable(error.reason)}", err=True)
    updated = f"{report.updated_articles} updated (new version), " if report.updated_articles else ""
    click.echo(
        f"{report.added} article(s) added, {updated}{report.duplicates} already stored, {report.failed} failed; "
        f"{report.new_stories} new stor{'y' if report.new_stories == 1 else 'ies'}, "
        f"{report.updated_stories} updated ({elapsed:.1f}s) -> {store.url}"
    )
    if report.errors:
        sys.exit(1)


def _shard_plan(text: str):
    from .distributed.shards import ShardPlan

    try:
        return ShardPlan.parse(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shards") from exc


def _story_line(story) -> str:
    outlets = len(story.outlets)
    return (
        f"{story.id}  {story.size:>3} art.  {outlets:>2} outlet{'s' if outlets != 1 else ' '}  "
        f"{','.join(story.languages):<11}  {_span(story.first_published, story.last_published):<35}  {story.headline}"
    )


@main.command(name="stories")
@db_option
@click.option("--limit", default=None, type=int, help="Show at most this many stories.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
def stories_command(db, limit, as_json):
    """List stories, most recently active first: id, articles, outlets, languages, time span, headline."""
    store = open_store(db)
    listed = store.list_stories(limit=limit)
    if not listed:
        click.echo("no stories yet: run `couverture ingest PATH` or `couverture demo`", err=True)
        return
    for story in listed:
        click.echo(json.dumps(story.to_json(), ensure_ascii=False) if as_json else _story_line(story))


def _progress_bars(enabled: bool | None):
    """A maker of progress bars for the engine (``total, label -> bar``), or None: asked for
    with --progress, else shown on a terminal outside CI."""
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled:
        return None

    def bar(total: int, label: str):
        from tqdm import tqdm

        return tqdm(total=total, unit="article", desc=label, file=sys.stderr)

    return bar


def _checked_language(ctx, param, value):
    """An unknown --lang is an error before anything is opened (the reader would get the
    majority language and think it was the one asked for)."""
    if value is None:
        return None
    from .coverage.reader import UnknownLanguage, check_language

    try:
        return check_language(value)
    except UnknownLanguage as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("story")
@click.option("--related-days", default=30.0, show_default=True, type=click.FloatRange(0),
              help="Related stories: at most this many days from this story.")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the story's full coverage as one JSON object.")
@click.option("--lang", "preferred_lang", default=None, metavar="LANG", callback=_checked_language,
              help="The reader's language (e.g. fr): headline, summary, facts and quotes from sources in it when "
                   "any exist, the rest marked with its language. Default: the language most sources write in.")
def show(story, related_days, db, as_json, preferred_lang):
    """Show one story's full coverage: sources, timeline, summary, who said what, shared and
    unique facts, divergences, copies and translations (STORY may be an id prefix)."""
    from .coverage import build_story_view, format_story_view

    store = open_store(db)
    story_id = store.resolve_story_id(story) or _story_by_prefix(store, story)
    view = build_story_view(store, story_id, preferred_lang=preferred_lang)
    from .coverage.related import format_related, related_stories

    related = related_stories(store, story_id, span_days=related_days)
    if as_json:
        click.echo(json.dumps({**view.to_json(), "related": related.to_json()}, ensure_ascii=False, indent=2))
        return
    click.echo(format_story_view(view))
    click.echo(format_related(related))


def _story_by_prefix(store, prefix: str) -> str:
    """The one story whose id begins with ``prefix``, or a one-line error that lists the candidates."""
    shown = 10
    matches = store.story_ids_with_prefix(prefix, limit=shown + 1)
    if len(matches) == 1:
        return store.resolve_story_id(matches[0])
    if not matches:
        raise click.ClickException(f"no story {prefix!r}; `couverture stories` lists them")
    count = f"more than {shown}" if len(matches) > shown else str(len(matches))
    listed = ", ".join(matches[:shown]) + (", ..." if len(matches) > shown else "")
    raise click.ClickException(f"{prefix!r} is ambiguous: {count} stories begin with it ({listed}); give more of the id")


@main.command()
@db_option
@click.option("--articles", "per_article", is_flag=True, help="One object per article with its id and story_id.")
@click.option("--with-text", is_flag=True, help="With --articles: include the clean text.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file instead of stdout.")
def export(db, per_article, with_text, output):
    """Export stories (or articles) as JSON Lines."""
    store = open_store(db)
    handle = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        if per_article:
            for article in store.iter_articles():
                handle.write(json.dumps(article.to_json(with_text=with_text), ensure_ascii=False) + "\n")
        else:
            for story in store.list_stories():
                record = story.to_json()
                record["article_ids"] = [a.id for a in store.story_articles(story.id)]
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if output:
            handle.close()


@main.command()
@db_option
def migrate(db):
    """Upgrade an existing database to this couverture's schema version (ingest, demo and
    feeds commands do it too; the reading commands never change a database)."""
    from .store.opening import check_location
    from .store.schema import SCHEMA_VERSION

    try:
        check_location(db, create=False)  # migrating a mistyped path creates nothing
    except CouvertureError as exc:
        raise click.ClickException(str(exc)) from exc
    store = open_store(db, create=True)
    if store.found_version == SCHEMA_VERSION:
        click.echo(f"{db}: schema version {SCHEMA_VERSION} already, nothing to do")
    else:
        click.echo(f"{db}: schema version {store.found_version or 0} -> {SCHEMA_VERSION}")


@main.command(name="eval")
@click.argument("dataset", default="ecbplus")
@click.option("--gold-field", default=None, help="Gold story label in each JSON object (ECB+: event_cluster).")
@click.option("--text-field", default="text", show_default=True)
@click.option("--order", type=click.Choice(["shuffle", "file", "time"]), default=None,
              help="Stream order: a seeded shuffle, the file's order, or publication time "
                   "(default: shuffle for ECB+ and googlenews_fr, which have no dates; else time).")
@click.option("--seed", default=0, show_default=True, help="Seed of the shuffled order and of the half left undated.")
@click.option("--folds", type=int, default=None,
              help="Refit the decisions on this many group-disjoint folds (default: 2 for ECB+ and googlenews_fr, "
                   "3 for multinews_dev, else off).")
@click.option("--dates", type=click.Choice(["given", "none", "half", "all"]), default="given", show_default=True,
              help="Score with the dates as given, all removed, removed from a seeded half, or all three "
                   "(the date ablation: the last two must never beat the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_command(dataset, gold_field, text_field, order, seed, folds, dates, as_json):
    """Score story clustering against gold labels: pairwise and BCubed P/R/F1.

    DATASET is `ecbplus` (../shared/data/ecbplus), `googlenews_fr`, `multinews_dev`,
    or a JSONL path with a gold field.
    """
    from .eval.runner import DATE_MODES
    from .learn import evaluate

    modes = DATE_MODES if dates == "all" else (dates,)
    try:
        results = [evaluate(dataset, gold_field=gold_field, text_field=text_field, order=order, seed=seed,
                            folds=folds, dates=mode) for mode in modes]
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    command = "couverture eval " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else "couverture eval"
    if as_json:
        click.echo(json.dumps(dict(results[0], command=command) if len(results) == 1 else
                              {"command": command, "results": results}, indent=2))
        return
    click.echo(f"$ {command}")
    result = results[0]
    click.echo(f"dataset {result['dataset']}: {result['documents']} documents, {result['gold_stories']} gold stories, "
               f"order={result['order']} seed={result['seed']}, {result['errors']} unreadable")
    if result["folds"] > 1:
        click.echo(f"decision models refitted on {result['folds']} group-disjoint folds (ECB+ topics, story families, "
                   "headline categories): each fold is scored with models trained without it (the shipped ones "
                   "have seen this data)")
    for result in results:
        prefix = f"dates {result['dates']:<5}  " if len(results) > 1 else ""
        if len(results) == 1:
            click.echo(f"predicted stories: {result['predicted_stories']} ({result['singletons']} singletons)")
        for name in ("bcubed", "pairwise"):
            s = result[name]
            click.echo(f"{prefix}{name:<9} P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}"
                       + (f"  ({result['predicted_stories']} stories)" if prefix and name == "bcubed" else ""))
        if result.get("hard_negatives_merged") is not None:
            click.echo(f"{prefix}hard-negative pairs merged: {result['hard_negatives_merged']} of "
                       f"{result['hard_negative_pairs']}")
    if len(results) > 1:
        by_mode = {r["dates"]: r["bcubed"]["f1"] for r in results}
        worse = [mode for mode in ("given", "half") if by_mode[mode] < by_mode["none"]]
        click.echo("date ablation: " + ("ok, dates never make it worse than no dates" if not worse else
                                        f"dates {' and '.join(worse)} score below no dates"))
    if result["folds"] == 1:
        click.echo(f"speed: {result['articles_per_second']:.1f} articles/s (extract+analyze+cluster, no store)")


@main.command()
@db_option
@click.option("--serve/--no-serve", default=True, help="Serve the stories on a web page afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def demo(db, serve, host, port):
    """Ingest the bundled demo corpus (5 languages), print its stories, then serve them."""
    from .demo import demo_corpus_path
    from .engine import ingest_paths
    from .web.cli import bind_or_fail, serve_store

    sock = bind_or_fail(host, port) if serve else None  # a port in use fails now, not after the ingest
    store = open_store(db, create=True)
    report = ingest_paths(store, [str(demo_corpus_path())])
    for error in report.errors:
        click.echo(f"error: {printable(error.origin)}: {printable(error.reason)}", err=True)
    click.echo(f"demo corpus: {report.added} added, {report.duplicates} already stored -> {store.url}\n")
    for story in store.list_stories():
        click.echo(_story_line(story))
    if sock is not None:
        click.echo()
        serve_store(store, sock, "serving")


def _register_optional_commands() -> None:
    # Later capabilities (web, feeds) add their commands from their own packages.
    for module_name in ("couverture.web.cli", "couverture.feeds.cli", "couverture.cli_outlets"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ImportError:
            continue
        module.register(main)


_register_optional_commands()

if __name__ == "__main__":
    main()
