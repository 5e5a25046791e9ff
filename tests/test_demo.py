"""`couverture demo` on the bundled corpus: fast, and the related-but-distinct events stay apart."""
from __future__ import annotations

import json
import time
from collections import defaultdict

from click.testing import CliRunner

from couverture.cli import main
from couverture.demo import demo_corpus_path
from couverture.eval.metrics import bcubed
from couverture.store import Store

# Pairs of events that share actors, places or topic but are different stories.
HARD_NEGATIVES = [
    ("euro2024-semifinal-spain-france", "euro2024-final-spain-england"),
    ("putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024"),
    ("noto-earthquake-2024", "hualien-earthquake-2024"),
    ("paris2024-opening-ceremony", "paris2024-closing-ceremony"),
    ("pope-francis-death-2025", "leo-xiv-election-2025"),
]


def test_demo_corpus_shape():
    rows = [json.loads(line) for line in demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40
    langs = defaultdict(int)
    for row in rows:
        langs[row.get("lang") or row["id"].split("-")[-2]] += 1
    assert {"fr", "en", "it", "de", "es"} <= set(langs)
    assert len({row["event"] for row in rows}) >= 10


def test_demo_prints_stories_quickly_and_keeps_hard_negatives_apart(db_path):
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--db", str(db_path)])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 60
    story_lines = [line for line in result.stdout.splitlines() if line.startswith("s-")]
    assert len(story_lines) >= 10

    store = Store(db_path)
    exported = {a.id: a for a in store.iter_articles()}
    assert len(exported) == 60
    gold = {a.id: a.extra["event"] for a in exported.values()}
    stories_of_event = defaultdict(set)
    for article in exported.values():
        stories_of_event[gold[article.id]].add(article.story_id)
    for left, right in HARD_NEGATIVES:
        assert not (stories_of_event[left] & stories_of_event[right]), (left, right)
    ids = sorted(exported)
    assert bcubed([exported[i].story_id for i in ids], [gold[i] for i in ids]).f1 >= 0.9
