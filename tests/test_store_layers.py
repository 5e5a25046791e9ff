"""The store is the one house of the database: it declares every table, and imports no stage.

Stages (ingest, extract, analyze, cluster, coverage, feeds, web, eval) and the engine
that ties them together sit above the store: they may import it, never the other way.
Every table a database ends up with, whichever part made it (the migrations, the feed
registry, the related-stories index, the coverage caches), is declared in
``store/schema.py``.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from sqlalchemy import inspect

import couverture.store as store_package
from couverture.store import schema

STORE_DIR = Path(store_package.__file__).parent
ABOVE_THE_STORE = {"analyze", "cli", "cli_outlets", "cluster", "coverage", "demo", "engine", "eval", "extract", "feeds",
                   "ingest", "pipeline", "web"}


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, anywhere in it (inside functions and TYPE_CHECKING
    blocks too), as an absolute name."""
    package = "couverture.store"
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.append(module)
            # ``from .. import cluster`` names the stage in the imported names
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_the_store_imports_no_stage():
    wrong = []
    for path in sorted(STORE_DIR.glob("*.py")):
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] == "couverture" and len(parts) > 1 and parts[1] in ABOVE_THE_STORE:
                wrong.append(f"{path.name}: {module}")
    wrong = sorted(set(wrong))
    assert not wrong, "store/ imports modules above it:\n" + "\n".join(wrong)


def test_the_import_walk_sees_relative_imports(tmp_path):
    """The check above would pass vacuously if it missed ``from ..x import y``."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from ..cluster.profile import StoryProfile\nfrom .. import web\n")
    assert {"couverture.cluster.profile", "couverture.web"} <= set(_imported_modules(sample))


def _declared(name: str) -> bool:
    if name in schema.metadata.tables:
        return True
    return any(name == other or name.startswith(other + "_") for other in schema.OTHER_TABLES)


def test_every_table_of_a_database_is_declared_in_the_schema_module(tmp_path, analyzer):
    from couverture.coverage import build_story_view
    from couverture.coverage.related import related_stories
    from couverture.demo import demo_corpus_path
    from couverture.engine import ingest_documents
    from couverture.ingest import read_inputs
    from couverture.store import Store
    from couverture.store.feeds import FeedRegistry
    from hash_embedder import HashEmbedder

    store = Store(tmp_path / "house.db")
    records = [json.loads(line) for line in demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    source = tmp_path / "some.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records[:12]) + "\n", encoding="utf-8")
    ingest_documents(store, read_inputs([str(source)]), analyzer=analyzer)  # articles, stories, the related index
    FeedRegistry(store).add("https://example.org/feed.xml")  # the feed registry
    story = store.list_stories()[0].id
    build_story_view(store, story, embedder=HashEmbedder())  # the coverage caches
    related_stories(store, story)
    with store.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    store.close()
    assert {"feeds", "feed_entries", "related_entities", "coverage_views", "articles_fts"} <= tables
    undeclared = sorted(name for name in tables if not _declared(name))
    assert not undeclared, f"tables not declared in store/schema.py: {undeclared}"
    # and nothing is declared that no path makes
    assert set(schema.metadata.tables) <= tables


def test_on_demand_tables_stay_out_of_a_new_database(tmp_path):
    """The feed and related-index tables are declared with the others but made by their
    first writer, as before: a new database has only the versioned ones."""
    from couverture.store import Store

    store = Store(tmp_path / "new.db")
    with store.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    store.close()
    assert not tables & {t.name for t in schema.ON_DEMAND_TABLES}
    versioned = set(schema.metadata.tables) - {t.name for t in schema.ON_DEMAND_TABLES}
    assert versioned <= tables
