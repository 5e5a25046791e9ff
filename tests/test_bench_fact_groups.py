"""The scoring of bench/bench_fact_groups.py on hand-made inputs, and the shape of its gold file."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "bench_fact_groups.py"
DEMO = ROOT / "src" / "couverture" / "demo" / "articles.jsonl"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_fact_groups", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bf = load_script()


def item(article, lang, group, predicted, also=()):
    return bf.Item(article, lang, group, frozenset(also), predicted)


def test_pair_kinds():
    assert bf.pair_kind(item("a", "fr", "x", 1), item("b", "en", "x", 2)) == "gold"
    assert bf.pair_kind(item("a", "fr", "y", 1), item("b", "en", None, 2, also=["y"])) == "partial"
    assert bf.pair_kind(item("a", "fr", None, 1, also=["z"]), item("b", "en", "w", 2, also=["z"])) == "partial"
    assert bf.pair_kind(item("a", "fr", "x", 1), item("b", "en", "y", 1)) == "apart"
    assert bf.pair_kind(item("a", "fr", None, 1), item("b", "en", None, 1)) == "apart"  # two "only here" sentences


def test_pairwise_counts_by_hand():
    items = [
        item("a", "fr", "x", 1),              # A1
        item("a", "fr", "y", 2),              # A2
        item("b", "en", "x", 1),              # B1
        item("b", "en", None, 2, also=["y"]),  # B2: tells y as a secondary fact
        item("c", "fr", "x", 3),              # C1
        item("c", "fr", None, 1),             # C2: told by c only, yet aligned with A1 and B1
        item("d", "de", "x", None),           # D1: not found among the statements
    ]
    every, cross, errors = bf.score_pairs(items)
    # tp: A1-B1. fp: A1-C2, B1-C2. fn: A1-C1, A1-D1, B1-C1, B1-D1, C1-D1. partial: A2-B2 (linked).
    assert (every.tp, every.fp, every.fn, every.partial, every.partial_linked) == (1, 2, 5, 1, 1)
    # Across languages A1-C1 (fr-fr) and A1-C2 (fr-fr) drop out.
    assert (cross.tp, cross.fp, cross.fn, cross.partial, cross.partial_linked) == (1, 1, 4, 1, 1)
    p, r, f = every.prf()
    assert (p, r) == pytest.approx((1 / 3, 1 / 6)) and f == pytest.approx(2 / 9)
    p, r, f = cross.prf()
    assert (p, r) == pytest.approx((1 / 2, 1 / 5)) and f == pytest.approx(2 / 7)
    assert sorted(what for what, _, _ in errors) == ["missed"] * 5 + ["wrong"] * 2


def test_pairs_within_one_article_are_not_scored():
    every, cross, errors = bf.score_pairs([item("a", "fr", "x", 1), item("a", "fr", "x", 2), item("a", "fr", None, 1)])
    assert (every.tp, every.fp, every.fn, every.partial) == (0, 0, 0, 0) and errors == []
    assert every.prf() == (0.0, 0.0, 0.0)


def test_reader_figures_on_a_made_up_page():
    records = [
        # x: carried by a wire text and its copy only, one source: not a multi-source fact
        {"article_id": "demo-crowd-de-1", "sentence": 0, "group": "x"},
        {"article_id": "demo-crowd-de-2", "sentence": 0, "group": "x"},
        # y: a and b, shown as one shared fact
        {"article_id": "a", "sentence": 1, "group": "y"},
        {"article_id": "b", "sentence": 1, "group": "y"},
        # z: a and c, c's sentence listed whole as "only in one source"
        {"article_id": "a", "sentence": 2, "group": "z"},
        {"article_id": "c", "sentence": 2, "group": "z"},
        # w: a and c, shared fact with one source only, and a unique entry with a detail: neither
        {"article_id": "a", "sentence": 3, "group": "w"},
        {"article_id": "c", "sentence": 3, "group": "w"},
        {"article_id": "c", "sentence": 4, "group": None},
    ]
    view = SimpleNamespace(
        shared_facts=[
            {"statements": [{"article_id": "a", "sentence": 1}, {"article_id": "b", "sentence": 1}]},
            {"statements": [{"article_id": "a", "sentence": 3}, {"article_id": "c", "sentence": 4}]},
        ],
        unique_facts=[
            {"article_id": "c", "facts": [{"article_id": "c", "sentence": 2, "details": []},
                                          {"article_id": "c", "sentence": 3, "details": ["article 4"]}]},
        ],
    )
    assert bf.reader_figures(records, view) == {"shared": ["y"], "only_here": ["z"], "neither": ["w"]}


def test_gold_file_is_well_formed():
    demo = {}
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            demo[record["id"]] = record
    gold = bf.load_gold()
    assert len(gold) >= 6
    seen = set()
    for event, records in gold.items():
        for r in records:
            article = demo[r["article_id"]]
            assert article["event"] == event
            assert r["text"] in article["text"]  # verbatim
            assert len(r["text"].split()) >= 4
            assert (r["article_id"], r["sentence"]) not in seen
            seen.add((r["article_id"], r["sentence"]))
            assert r["group"] not in r.get("also", [])
        # one short name per event before the colon of every fact label
        assert len({f.split(":")[0] for r in records for f in [r["group"], *r.get("also", [])] if f}) == 1
        # every article of an annotated event is annotated
        assert {r["article_id"] for r in records} == {i for i, a in demo.items() if a["event"] == event}
