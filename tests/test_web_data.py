"""The database the web tests read: seeds, the demo corpus and hostile articles, ingested for real.

``web_database`` builds it once per test session through the real pipeline (extract,
analyze, cluster, store) and hands each test module the same file; the tests here
check the fixture itself holds what the page and API tests rely on.
"""
from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, SEEDS
from couverture.demo import demo_corpus_path
from couverture.engine import ingest_documents
from couverture.ingest import read_inputs
from couverture.store import Store

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_ID = "hostile/<1>"
HOSTILE_RECORDS = [
    {
        "id": HOSTILE_ID,
        "title": HOSTILE_TITLE,
        "url": "javascript:alert(2)",
        "source": "<b onmouseover=alert(3)>Evil Gazette</b>",
        "byline": "\"><img src=x onerror=alert(4)>",
        "lang": "en",
        "published": "2023-03-14T09:30:00Z",
        "text": (
            "<img src=x onerror=alert(5)> The harbour festival of Valparaíso opened on Tuesday with fireworks "
            "over the bay, brass bands on the piers and a parade of fishing boats.\n\n"
            "<script>alert(6)</script> Organisers expect forty thousand visitors over the long weekend."
        ),
    },
    {
        "id": "hostile-2",
        "title": "Quoted \" attribute ' breakers & friends",
        "url": "https://example.org/a?b=\"><script>alert(7)</script>",
        "source": "Example Times",
        "lang": "en",
        "published": "2023-03-15T10:00:00Z",
        "text": (
            "Tickets for the Valparaíso harbour festival sold out on its second day, as the fireworks "
            "drew crowds from Santiago and the brass bands played until midnight."
        ),
    },
]


def web_database(tmp_path_factory, analyzer) -> Path:
    """The shared web test database (built on first use in this session)."""
    path = tmp_path_factory.getbasetemp() / "web-fixture" / "web.db"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    hostile = path.parent / "hostile.jsonl"
    hostile.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HOSTILE_RECORDS) + "\n", encoding="utf-8")
    store = Store(path)
    try:
        inputs = [str(SEEDS), str(demo_corpus_path()), str(FIXTURES / "unrelated_fr.txt"), str(hostile)]
        report = ingest_documents(store, read_inputs(inputs), analyzer=analyzer)
        assert not report.errors, report.errors
    finally:
        store.close()
    return path


def seed_titles() -> list[str]:
    """The first lines of the two seed articles (their titles)."""
    return [path.read_text(encoding="utf-8").strip().splitlines()[0] for path in sorted(SEEDS.glob("*.txt"))]


def is_seed(title: str) -> bool:
    """Whether an article title is one of the seeds' (the demo's reports of the same
    visit share their story, so a story's agency or language does not single them out)."""
    return any(title.startswith(t[:40]) for t in seed_titles())


def seeds_story_id(store: Store) -> str:
    """The story holding the two seed articles."""
    story_ids = {a.story_id for a in store.iter_articles() if is_seed(a.title)}
    assert len(story_ids) == 1, story_ids
    return story_ids.pop()


def test_fixture_holds_seeds_demo_and_hostile_articles(tmp_path_factory, analyzer):
    store = Store(web_database(tmp_path_factory, analyzer))
    try:
        demo_rows = [line for line in demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
        assert store.count_articles() == 2 + len(demo_rows) + 1 + len(HOSTILE_RECORDS)
        seeds = store.story_articles(seeds_story_id(store))
        assert {a.agencies[0] for a in seeds if a.agencies} >= {"AFP", "ANSA"}
        hostile = store.get_article(HOSTILE_ID)
        assert hostile.title == HOSTILE_TITLE
        assert hostile.url == "javascript:alert(2)"
        assert "<script>alert(6)</script>" in hostile.text
    finally:
        store.close()
