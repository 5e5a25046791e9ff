"""Who said what across languages: speakers and statement groups of couverture's story pages.

Gold: ``bench/data/quote_groups.jsonl``, the quotes of the demo corpus (60 articles,
15 events, de/en/es/fr/it) and of the two seeds (``seeds/<file>`` in
../shared/corpus), each with its speaker (a canonical name plus the other forms the
texts use, ``null`` when the text names nobody), its kind (direct/reported) and its
statement group: the quotes of one event that report the same statement by the same
speaker, in any language or wording. They were annotated by reading the texts, before
any change to cross-language quote grouping; the guideline (what counts as a quote,
who the speaker is, what counts as the same statement) is
``bench/data/quote_groups.md``.

System: the demo corpus and the seeds are ingested into a temporary SQLite store by
the real pipeline (``ingest_paths``: extraction, analysis, clustering), and every
stored story's page is built (``build_story_view``). Its "Who said what" list
(``StoryView.quotes``) holds entries, each with the quote as extracted from every
article that carries it (``versions``: article, text, speaker).

Matching: a gold quote is *found* when an extracted version of its own article holds
at least 70 % of its words (accents and case ignored), as in bench_quotes.py; the
tightest such version is taken. Unlike bench_quotes.py, the excerpt must also make at
least a fifth of that version's words: a two-word quote of one paragraph (“régions du
monde”) is not found in a 59-word quote of another that happens to hold the same words
(a quote cut by an inserted attribution, whose two spans make one version, still
matches each span). A gold reported quote is not matched to an extracted direct
quote (between quotation marks): by the guideline, a statement quoted between marks is
annotated as direct, so a reported one that only shares words with a direct quote
("si tratti di un attacco informatico", the Italian cybersecurity agency, against
Kurtz's « Non si tratta di … un attacco informatico ») is another statement. A gold
direct quote may match an extracted reported one that holds it.

Speaker figures (by the language of the gold quote, and overall):

- precision: among found gold quotes given a speaker, the share given the right one
  (any speaker is wrong for a gold ``null``);
- recall: among gold quotes with a speaker, the share found with the right one.

They are counted twice: on the version's own speaker (what the article's extraction
said), and on the entry's speaker (what the page shows, after one name per person and
after a disputed speaker is dropped). A speaker is right when, transliterated to ASCII
(anyascii) and split into words, its words all belong to the gold name or to one of its
listed forms, or its last word (the family name) is theirs. The rule is the bench's
own, so that a change to couverture's name matching does not change the yardstick.

Grouping figures: over the pairs of found gold quotes of one event. A pair is
predicted together when both quotes are versions of the same entry of the same story
page; it is gold together when both are in the same statement group. Precision and
recall of "together", for all pairs and for pairs across languages; "recall (all)"
also counts gold pairs with a quote not found (a quote not found is with nothing). By
language: the pairs with at least one quote in that language.

Run: python bench/bench_quote_groups.py [--verbose]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ANNOTATIONS = ROOT / "bench" / "data" / "quote_groups.jsonl"
MATCH = 0.7
MIN_COVER = 0.2  # ... and the excerpt must make at least this share of the quote's words


# --- pure scoring helpers (tested in tests/test_bench_quote_groups.py) ----------------


def words(text: str) -> list[str]:
    """Lower-case ASCII words: accents, scripts and apostrophe styles do not matter."""
    from anyascii import anyascii

    return re.findall(r"[a-z0-9]+", anyascii(text).lower())


def speaker_right(system: str | None, gold: str | None, aliases=()) -> bool:
    """Whether the system's speaker names the gold one (see the module docstring)."""
    if not system or not gold:
        return False
    said = words(system)
    if not said:
        return False
    for form in (gold, *aliases):
        expected = words(form)
        if expected and (set(said) <= set(expected) or said[-1] == expected[-1]):
            return True
    return False


def best_match(gold_text: str, gold_kind: str, candidates: list[dict]) -> dict | None:
    """The tightest candidate (``text``, ``kind``) holding MATCH of the gold excerpt's words,
    of which the excerpt makes at least MIN_COVER; a reported gold quote is never a direct one."""
    wanted = words(gold_text)
    scored = []
    for rank, candidate in enumerate(candidates):
        have = words(candidate["text"])
        present = set(have)
        share = sum(1 for w in wanted if w in present) / max(1, len(wanted))
        if gold_kind == "reported" and candidate.get("kind") == "direct":
            continue  # a reported statement holds no quotation marks (see quote_groups.md)
        if share >= MATCH and len(wanted) >= MIN_COVER * len(have):
            scored.append((-share, candidate.get("kind") != gold_kind, len(have), rank))
    if not scored:
        return None
    return candidates[min(scored)[3]]


def pair_counts(items: list[dict]) -> dict:
    """Pairs of one event's gold quotes: ``group`` (gold), ``entry`` (system, None when the
    quote was not found) and ``lang``. Counts of together/apart, all pairs and
    cross-language pairs."""
    counts = {scope: {"tp": 0, "fp": 0, "fn": 0, "fn_unfound": 0} for scope in ("all", "cross")}
    for a, b in combinations(items, 2):
        gold = a["group"] == b["group"]
        found = a["entry"] is not None and b["entry"] is not None
        predicted = found and a["entry"] == b["entry"]
        scopes = ["all"] + (["cross"] if a["lang"] != b["lang"] else [])
        for scope in scopes:
            c = counts[scope]
            if not found:
                c["fn_unfound"] += gold
            elif gold and predicted:
                c["tp"] += 1
            elif predicted:
                c["fp"] += 1
            elif gold:
                c["fn"] += 1
    return counts


def ratios(c: dict) -> dict:
    """Precision, recall over found pairs, and recall over all gold pairs."""
    together = c["tp"] + c["fp"]
    gold = c["tp"] + c["fn"]
    return {
        "precision": c["tp"] / together if together else None,
        "recall": c["tp"] / gold if gold else None,
        "recall_all": c["tp"] / (gold + c["fn_unfound"]) if gold + c["fn_unfound"] else None,
    }


def speaker_figures(rows: list[dict], key: str) -> dict:
    """rows: gold quotes with ``speaker`` (gold), ``found`` and ``key`` (the system's speaker)."""
    given = [r for r in rows if r["found"] and r[key]]
    right = [r for r in given if speaker_right(r[key], r["speaker"], r.get("speaker_aliases", ()))]
    named = [r for r in rows if r["speaker"]]
    return {
        "gold": len(rows), "named": len(named), "found": sum(1 for r in rows if r["found"]),
        "given": len(given), "right": len(right),
        "precision": len(right) / len(given) if given else None,
        "recall": len(right) / len(named) if named else None,
    }


# --- running couverture -----------------------------------------------------------------


def story_pages(seeds: list[Path]) -> tuple[dict[str, list[dict]], dict[str, str], float]:
    """Ingest the demo corpus and the seeds; every version of every page's entries, by article.

    Returns (versions by gold source, story of each gold source, seconds)."""
    from couverture.coverage import build_story_view
    from couverture.demo import demo_corpus_path
    from couverture.engine import ingest_paths
    from couverture.store import Store

    started = time.perf_counter()
    versions: dict[str, list[dict]] = defaultdict(list)
    story_of: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "quotes.db")
        try:
            ingest_paths(store, [str(demo_corpus_path())] + [str(p) for p in seeds], progress=False)
            for story in store.list_stories():
                articles = store.story_articles(story.id)
                source_of = {}
                for article in articles:
                    origin = Path(article.origin or "")
                    source_of[article.id] = f"seeds/{origin.name}" if origin.parent.name == "seeds" else article.id
                    story_of[source_of[article.id]] = story.id
                view = build_story_view(store, story.id)
                for index, entry in enumerate(view.quotes):
                    for version in entry["versions"]:
                        source = source_of.get(version["article_id"], version["article_id"])
                        versions[source].append({
                            "text": version["text"], "kind": version["kind"], "speaker": version["speaker"],
                            "entry": (story.id, index), "entry_speaker": entry["speaker"],
                        })
        finally:
            store.close()
    return versions, story_of, time.perf_counter() - started


def run() -> dict:
    gold = [json.loads(line) for line in ANNOTATIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    seeds = sorted({SHARED / "corpus" / g["source"] for g in gold if g["source"].startswith("seeds/")})
    missing = [p for p in seeds if not p.exists()]
    if missing:
        raise SystemExit(f"seed documents not found: {missing}")
    versions, story_of, seconds = story_pages(seeds)
    unknown = sorted({g["source"] for g in gold} - set(story_of))
    if unknown:
        raise SystemExit(f"annotated documents not in any story: {unknown}")

    rows = []
    used: set[int] = set()
    for item in gold:
        found = best_match(item["quote"], item["kind"], versions.get(item["source"], []))
        if found is not None:
            used.add(id(found))
        rows.append({**item, "found": found is not None,
                     "system": found["speaker"] if found else None,
                     "shown": found["entry_speaker"] if found else None,
                     "entry": found["entry"] if found else None,
                     "system_text": found["text"] if found else None})

    langs = sorted({r["lang"] for r in rows})
    speakers = {}
    for name in ["all"] + langs:
        subset = rows if name == "all" else [r for r in rows if r["lang"] == name]
        speakers[name] = {"version": speaker_figures(subset, "system"), "shown": speaker_figures(subset, "shown")}

    by_event: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_event[r["event"]].append(r)
    grouping = {}
    for name in ["all"] + langs:
        total = {scope: {"tp": 0, "fp": 0, "fn": 0, "fn_unfound": 0} for scope in ("all", "cross")}
        for items in by_event.values():
            for a, b in combinations(items, 2):
                if name != "all" and name not in (a["lang"], b["lang"]):
                    continue
                for scope, c in pair_counts([a, b]).items():
                    for k, v in c.items():
                        total[scope][k] += v
        grouping[name] = {scope: {**c, **ratios(c)} for scope, c in total.items()}

    wrong_pairs = []
    for event, items in by_event.items():
        for a, b in combinations(items, 2):
            if a["entry"] is None or b["entry"] is None:
                continue
            gold_together, predicted = a["group"] == b["group"], a["entry"] == b["entry"]
            if gold_together != predicted:
                wrong_pairs.append(("SPLIT" if gold_together else "JOINED", a, b))
    groups: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r["lang"])
    extra = [(source, v) for source, vs in versions.items() for v in vs if id(v) not in used]
    return {
        "rows": rows, "extra": extra, "versions": sum(len(vs) for vs in versions.values()), "speakers": speakers, "grouping": grouping, "langs": langs, "seconds": seconds,
        "wrong_pairs": wrong_pairs, "stories": len(set(story_of.values())),
        "groups": len(groups), "multi_groups": sum(1 for g in groups.values() if len(g) > 1),
        "cross_groups": sum(1 for g in groups.values() if len(set(g)) > 1),
    }


def _f(x) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true",
                        help="List wrong and missed speakers, quotes not found, and wrongly split or joined pairs.")
    args = parser.parse_args(argv)
    result = run()
    rows = result["rows"]
    print("$ python bench/bench_quote_groups.py" + (" --verbose" if args.verbose else ""))
    print(f"annotations: {ANNOTATIONS.relative_to(ROOT)}: {len(rows)} quotes, {result['groups']} statement groups "
          f"({result['multi_groups']} told more than once, {result['cross_groups']} across languages); "
          f"pipeline: {result['stories']} stories, {result['seconds']:.1f}s")
    print()
    print("speakers (version = the article's extraction; page = the entry's speaker as shown)")
    print(f"{'lang':<5} {'gold':>5} {'w/spk':>6} {'found':>6} {'given':>6} {'right':>6} {'P':>6} {'R':>6}"
          f" | {'given':>6} {'right':>6} {'page P':>6} {'page R':>6}")
    for name in ["all"] + result["langs"]:
        v, s = result["speakers"][name]["version"], result["speakers"][name]["shown"]
        print(f"{name:<5} {v['gold']:>5} {v['named']:>6} {v['found']:>6} {v['given']:>6} {v['right']:>6} "
              f"{_f(v['precision'])} {_f(v['recall'])} | {s['given']:>6} {s['right']:>6} "
              f"{_f(s['precision'])} {_f(s['recall'])}")
    print()
    print("statement groups, pairs of found gold quotes of one event (together = same 'Who said what' entry)")
    print(f"{'lang':<5} {'scope':<6} {'tp':>5} {'fp':>5} {'fn':>5} {'fn*':>5} {'P':>6} {'R':>6} {'R all':>6}")
    for name in ["all"] + result["langs"]:
        for scope in ("all", "cross"):
            g = result["grouping"][name][scope]
            print(f"{name:<5} {scope:<6} {g['tp']:>5} {g['fp']:>5} {g['fn']:>5} {g['fn_unfound']:>5} "
                  f"{_f(g['precision'])} {_f(g['recall'])} {_f(g['recall_all'])}")
    print("fn* = gold pairs with a quote not found (counted in 'R all' only); by language: pairs touching it")
    extra = result["extra"]
    print(f"extracted quotes (versions) in all pages: {result['versions']}; matched to no annotation: {len(extra)} "
          f"({sum(1 for _, v in extra if v['speaker'])} with a speaker)")
    if args.verbose:
        print()
        for r in rows:
            if not r["found"]:
                print(f"NOT FOUND {r['source']}: {r['quote'][:70]!r} (gold {r['speaker']!r})")
        for r in rows:
            if r["found"] and r["system"] and not speaker_right(r["system"], r["speaker"], r.get("speaker_aliases", ())):
                print(f"WRONG     {r['source']}: {r['quote'][:60]!r} -> {r['system']!r} (gold {r['speaker']!r})")
        for r in rows:
            if r["found"] and r["speaker"] and not r["system"]:
                print(f"NO SPK    {r['source']}: {r['quote'][:60]!r} (gold {r['speaker']!r})")
        for source, v in extra:
            print(f"EXTRA     {source}: {v['text'][:60]!r} -> {v['speaker']!r}")
        for kind, a, b in result["wrong_pairs"]:
            print(f"{kind:<9} {a['group']} / {b['group']}: {a['source']} {a['quote'][:40]!r} ~ "
                  f"{b['source']} {b['quote'][:40]!r}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
