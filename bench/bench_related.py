"""Related stories: are the links the ones a reader wants? And how fast is a lookup?

Each corpus is ingested through the real engine into a fresh store (so the stories are
the clusterer's, errors included), and every live story is asked for its related
stories (``coverage.related.related_stories``). A story stands for the gold story most
of its articles belong to. A link between two stories is right when their gold stories
are one family of look-alikes:

- demo corpus (``src/couverture/demo/articles.jsonl``, gold field ``event``): the five
  pairs listed in ``tests/test_related.py`` (treaty in Pyongyang / Putin in Hanoi, the
  two rounds of the French legislative election, the Euro semi-final / final, the Paris
  opening / closing ceremonies, Francis's death / Leo XIV's election);
- multinews_dev (``../shared/data/multinews_dev``, gold field ``story``): the families of
  ``eval.datasets.story_families`` over the hard-negative pairs of its ``stories.md``
  (the cathedral's fire, its reopening and two visits; the queen's death, funeral and
  its announcement; two hurricanes...).

Two stories of one gold story (a story the clusterer split) count as a right link too.
Precision: right links / links. Recall: right pairs linked / right pairs; "in span"
counts only the pairs whose gold events are at most ``--span-days`` apart (the 2020 and
2024 conventions are one family but four years apart: no link is wanted there). Each
right link's label (earlier / later / same time) is checked against the gold events'
dates (demo: the earliest article of each event; multinews_dev: the dates of the table
in ``stories.md``).

The shipped clustering decisions learnt from the multinews_dev stream, so its stories
here are in-sample for the clusterer (not for the related-stories rule, which was
tuned by hand on both corpora: treat the figures as development figures).

Speed: ``--speed N`` also times the lookup on a store of N synthetic stories (N
copies of the multinews_dev profiles, each shifted in time by 60 days per copy, written
straight into the stories table), cold (first lookup: the index is built) and warm.

Run: python bench/bench_related.py [--span-days 30] [--speed 10000]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

DEMO_FAMILIES = [
    ("putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024"),
    ("french-legislative-2024-first-round", "french-legislative-2024-second-round"),
    ("euro2024-semifinal-spain-france", "euro2024-final-spain-england"),
    ("paris2024-opening-ceremony", "paris2024-closing-ceremony"),
    ("pope-francis-death-2025", "leo-xiv-election-2025"),
]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def demo_corpus() -> tuple[Path, dict, dict, dict]:
    """Path, article id -> gold, gold -> family, gold -> event day."""
    path = ROOT / "src" / "couverture" / "demo" / "articles.jsonl"
    records = _records(path)
    gold = {r["id"]: r["event"] for r in records}
    family = {event: event for event in gold.values()}
    for a, b in DEMO_FAMILIES:
        family[b] = family[a]
    days: dict[str, date] = {}
    for r in records:
        day = datetime.fromisoformat(r["published"]).astimezone(timezone.utc).date()
        days[r["event"]] = min(days.get(r["event"], day), day)
    return path, gold, family, days


def multinews_corpus() -> tuple[Path, dict, dict, dict]:
    from couverture.eval.datasets import multinews_hard_negatives, story_families

    path = DATA / "multinews_dev" / "stories.jsonl"
    records = _records(path)
    gold = {r["id"]: r["story"] for r in records}
    notes = path.with_name("stories.md")
    family = story_families(set(gold.values()), multinews_hard_negatives(notes))
    days = {}
    for story, day in re.findall(r"^\|\s*(e\d+)\s*\|[^|]*\((\d{4}-\d{2}-\d{2})", notes.read_text(encoding="utf-8"), flags=re.M):
        days[story] = date.fromisoformat(day)
    return path, gold, family, days


def evaluate(name: str, corpus, span_days: float, workdir: Path, show: bool) -> dict:
    from couverture.coverage.related import related_stories
    from couverture.engine import ingest_paths
    from couverture.store import Store

    path, gold, family, days = corpus
    store = Store(workdir / f"{name}.db")
    ingest_paths(store, [str(path)], progress=False)
    label: dict[str, str] = {}
    for summary in store.list_stories():
        votes = Counter(gold.get(a.id) for a in store.story_articles(summary.id))
        label[summary.id] = votes.most_common(1)[0][0]
    links: dict[frozenset, str] = {}  # pair -> relation of the second as seen from the first
    relations: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    for story_id in label:
        for related in related_stories(store, story_id, span_days=span_days).stories:
            links.setdefault(frozenset((story_id, related.id)), related.relation)
            relations.append((story_id, related.id, related.relation))
    lookup = (time.perf_counter() - started) / max(len(label), 1)

    def right(a: str, b: str) -> bool:
        return family[label[a]] == family[label[b]]

    def in_span(a: str, b: str) -> bool:
        da, db = days.get(label[a]), days.get(label[b])
        return da is not None and db is not None and abs((da - db).days) <= span_days

    wanted = {frozenset(p) for p in combinations(label, 2) if right(*p)}
    wanted_in_span = {p for p in wanted if in_span(*p)}
    found = set(links)
    correct = found & wanted
    labels_right = labels_checked = undated = 0
    for a, b, relation in relations:
        if frozenset((a, b)) in correct and label[a] != label[b]:
            da, db = days.get(label[a]), days.get(label[b])
            if relation == "undated":
                undated += 1
                continue
            if da is None or db is None:
                continue
            expected = "earlier" if db < da else "later" if db > da else "same time"
            labels_checked += 1
            labels_right += relation == expected
            if show and relation != expected:
                print(f"  label {label[a]} -> {label[b]}: {relation}, gold says {expected} ({a} -> {b})")
    if show:
        for pair in sorted(found | wanted_in_span, key=sorted):
            a, b = sorted(pair)
            mark = "ok  " if pair in correct else ("FP  " if pair in found else "miss")
            print(f"  {mark} {label[a]:>38} / {label[b]:<38}")
    result = {
        "stories": len(label), "links": len(found), "right": len(correct),
        "wanted": len(wanted), "wanted_in_span": len(wanted_in_span),
        "precision": len(correct) / len(found) if found else 1.0,
        "recall": len(correct) / len(wanted) if wanted else 1.0,
        "recall_in_span": len(correct & wanted_in_span) / len(wanted_in_span) if wanted_in_span else 1.0,
        "labels": f"{labels_right}/{labels_checked}", "undated": undated, "ms_per_story": lookup * 1000,
    }
    store.close()
    return result


def speed(n_stories: int, span_days: float, workdir: Path) -> dict:
    """Lookups on a store of ``n_stories`` stories copied from multinews_dev's profiles."""
    from sqlalchemy import select

    from couverture.coverage.related import related_index, related_stories
    from couverture.store import Store
    from couverture.store.schema import stories

    source = Store(workdir / "multinews.db", create=False)
    with source.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(stories).where(stories.c.merged_into.is_(None), stories.c.size > 0))]
    source.close()
    store = Store(workdir / f"speed-{n_stories}.db")
    copies, made = [], 0
    shift = 0
    while made < n_stories:
        for row in rows:
            if made >= n_stories:
                break
            copy = dict(row)
            copy["id"] = f"s-{made:012x}"
            delta = timedelta(days=60 * shift)
            for column in ("first_published", "last_published"):
                if copy[column] is not None:
                    copy[column] = copy[column] + delta
            copies.append(copy)
            made += 1
        shift += 1
    with store.engine.begin() as conn:
        for start in range(0, len(copies), 2000):
            conn.execute(stories.insert(), copies[start:start + 2000])
    ids = [c["id"] for c in copies]
    started = time.perf_counter()
    related_index(store).refresh()
    build = time.perf_counter() - started
    times = []
    for story_id in ids[:: max(1, len(ids) // 200)]:
        started = time.perf_counter()
        related_stories(store, story_id, span_days=span_days)
        times.append(time.perf_counter() - started)
    store.close()
    return {"stories": n_stories, "index_build_s": build, "lookup_ms_median": statistics.median(times) * 1000,
            "lookup_ms_max": max(times) * 1000, "lookups": len(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--span-days", type=float, default=30)
    parser.add_argument("--speed", type=int, default=0, help="also time lookups on a store of this many stories")
    parser.add_argument("--show", action="store_true", help="list every link and every missed pair")
    parser.add_argument("--undated-factor", type=float, default=None,
                        help="try another coverage.related.UNDATED_FACTOR (default: the shipped one)")
    args = parser.parse_args()
    if args.undated_factor is not None:
        from couverture.coverage import related

        related.UNDATED_FACTOR = args.undated_factor
    print("$ python bench/bench_related.py " + " ".join(sys.argv[1:]))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, corpus in (("demo", demo_corpus()), ("multinews", multinews_corpus())):
            result = evaluate(name, corpus, args.span_days, workdir, args.show)
            print(f"{name:10} {result['stories']:3d} stories  links {result['links']:3d}  right {result['right']:3d}  "
                  f"precision {result['precision']:.3f}  recall {result['recall']:.3f} of {result['wanted']}  "
                  f"recall in span {result['recall_in_span']:.3f} of {result['wanted_in_span']}  "
                  f"labels right {result['labels']} (+{result['undated']} undated)  {result['ms_per_story']:.1f} ms/lookup")
        if args.speed:
            result = speed(args.speed, args.span_days, workdir)
            print(f"speed      {result['stories']} stories: index built in {result['index_build_s']:.2f} s, "
                  f"lookup median {result['lookup_ms_median']:.1f} ms, max {result['lookup_ms_max']:.1f} ms "
                  f"({result['lookups']} lookups)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
