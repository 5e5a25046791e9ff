"""The scoring helpers of bench/bench_quote_groups.py, on small hand-made inputs."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_quote_groups.py"
ANNOTATIONS = SCRIPT.parent / "data" / "quote_groups.jsonl"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_quote_groups", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bq = load_script()


def test_speaker_forms_across_spellings_and_scripts():
    assert bq.speaker_right("Poutine", "Vladimir Putin", ["Vladimir Poutine"])
    assert bq.speaker_right("Wladimir Putin", "Vladimir Putin")  # same family name
    assert bq.speaker_right("Владимир Путин", "Vladimir Putin")  # transliterated: "Vladimir Putin"
    assert bq.speaker_right("De la Fuente", "Luis de la Fuente")  # words all in the gold name
    assert bq.speaker_right("États-Unis", "United States", ["États-Unis"])  # a listed form
    assert not bq.speaker_right("États-Unis", "United States")  # no form listed: no match
    assert not bq.speaker_right("Kim Jong-il", "Kim Jong-un")  # family name "un" vs "il"
    assert not bq.speaker_right("Putin", None)  # any speaker for a null gold is wrong
    assert not bq.speaker_right(None, "Vladimir Putin")


def test_best_match_takes_the_tightest_quote_and_keeps_kinds_apart():
    candidates = [
        {"text": "Nous nous réservons le droit de fournir des armes à d'autres régions du monde, "
                 "compte tenu de nos accords, et je n'exclus pas cette possibilité", "kind": "direct"},
        {"text": "régions du monde", "kind": "direct"},
        {"text": "si tratta di un attacco informatico", "kind": "direct"},
    ]
    # Both hold all 3 words; the shorter one is taken.
    assert bq.best_match("régions du monde", "direct", candidates) is candidates[1]
    # 2 of 3 words (0.67) is under the 0.7 needed.
    assert bq.best_match("régions du globe", "direct", candidates) is None
    # 3 words are under a fifth of the 27-word quote that holds them: not that quote.
    assert bq.best_match("régions du monde", "direct", candidates[:1]) is None
    # A reported gold quote is never matched to a direct one, however many words they share.
    assert bq.best_match("si tratta di un attacco informatico", "reported", candidates) is None
    assert bq.best_match("si tratta di un attacco informatico", "direct", candidates) is candidates[2]


def test_pair_counts_by_hand():
    # One event: group g1 said in fr and de, g2 in en. The system puts the fr and de
    # quotes in different entries and the en quote with the fr one.
    items = [
        {"group": "g1", "entry": 1, "lang": "fr"},
        {"group": "g1", "entry": 2, "lang": "de"},
        {"group": "g2", "entry": 1, "lang": "en"},
    ]
    counts = bq.pair_counts(items)
    # Pairs: fr-de gold together, apart -> fn; fr-en gold apart, together -> fp; de-en apart, apart.
    assert counts["all"] == {"tp": 0, "fp": 1, "fn": 1, "fn_unfound": 0}
    assert counts["cross"] == {"tp": 0, "fp": 1, "fn": 1, "fn_unfound": 0}

    items = [
        {"group": "g1", "entry": 5, "lang": "fr"},
        {"group": "g1", "entry": 5, "lang": "fr"},
        {"group": "g1", "entry": 5, "lang": "es"},
        {"group": "g1", "entry": None, "lang": "de"},  # not found
    ]
    counts = bq.pair_counts(items)
    # 6 gold-together pairs: 3 among the found (fr-fr, fr-es, fr-es) are tp, 3 hold the
    # quote not found.
    assert counts["all"] == {"tp": 3, "fp": 0, "fn": 0, "fn_unfound": 3}
    # Across languages: fr-es twice (tp), fr-de twice and es-de (not found).
    assert counts["cross"] == {"tp": 2, "fp": 0, "fn": 0, "fn_unfound": 3}
    r = bq.ratios(counts["cross"])
    assert r["precision"] == 1.0 and r["recall"] == 1.0 and r["recall_all"] == 2 / 5


def test_ratios_without_pairs_are_none():
    assert bq.ratios({"tp": 0, "fp": 0, "fn": 0, "fn_unfound": 0}) == {
        "precision": None, "recall": None, "recall_all": None}


def test_speaker_figures_by_hand():
    rows = [
        {"speaker": "Vladimir Putin", "found": True, "system": "Poutine", "speaker_aliases": ["Poutine"]},  # right
        {"speaker": "Vladimir Putin", "found": True, "system": "Kim"},  # wrong
        {"speaker": None, "found": True, "system": "Matthew Miller"},  # wrong: gold names nobody
        {"speaker": "Lin Jian", "found": True, "system": None},  # found, no speaker
        {"speaker": "John Kirby", "found": False, "system": None},  # not found
    ]
    f = bq.speaker_figures(rows, "system")
    assert (f["gold"], f["named"], f["found"], f["given"], f["right"]) == (5, 4, 4, 3, 1)
    assert f["precision"] == 1 / 3 and f["recall"] == 1 / 4


def test_annotations_are_well_formed():
    rows = [json.loads(line) for line in ANNOTATIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["lang"] for r in rows}) >= 5
    event_of_group: dict[str, str] = {}
    for r in rows:
        assert r["kind"] in ("direct", "reported")
        assert r["quote"].strip()
        assert event_of_group.setdefault(r["group"], r["event"]) == r["event"]  # a group stays in one event
