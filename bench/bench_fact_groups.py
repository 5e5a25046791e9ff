"""Cross-language fact alignment: couverture's facts against hand-made fact groups.

Gold: ``bench/data/fact_groups.jsonl``, every statement (sentence of 4+ words) of the
articles of seven demo events, each with the fact it states when another article of
the event states it too (``group``), and the other facts it states (``also``). They
were annotated by reading the texts, before any change to ``coverage/align.py``;
the guideline is ``bench/data/fact_groups.md``.

System: each annotated event of the demo corpus is one story (the gold event, as in
bench_coverage.py, so that clustering errors do not blur the figures), its articles
analysed by the real pipeline and aligned by ``coverage.align.align`` with the real
multilingual encoder (``analyze.default_embedder``).

Matching: a gold record is the statement of the same article with the same text; a
record with no such statement is *not found* (the splitter cut the text otherwise)
and is with nothing in the predicted grouping.

Pair figures: over the pairs of gold records of one event from different articles.
A pair is predicted together when both statements are in the same alignment group
(``Alignment.group_of``); gold together when both have the same ``group``. A pair
that is not gold together but shares a fact through ``also`` (one sentence's main
fact is a secondary fact of the other, or both tell the same secondary fact) is a
*partial overlap*: it counts neither as missed nor as wrong. Precision, recall and F1
of "together", for all pairs and for pairs across languages, per event and overall.

Reader figures: the facts of the gold that two or more sources (wire copies count
once: demo-crowd-de-2 is a copy of demo-crowd-de-1) carry as their main fact, and
where the story page (``compute_story_view``) puts them: *shared* when one of its
"Shared facts" holds statements of at least two of those sources; *only here* when
some statement of the fact is listed whole (without a detail) under "Only in one
source".

Run: python bench/bench_fact_groups.py [--verbose]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bench" / "data" / "fact_groups.jsonl"
COPY_OF = {"demo-crowd-de-2": "demo-crowd-de-1"}  # gold wire copies among the annotated events


@dataclass
class Item:
    """One gold record and what couverture did with it."""
    article_id: str
    lang: str
    group: str | None  # gold main fact
    also: frozenset  # gold secondary facts
    predicted: int | None  # alignment group; None: statement not found
    text: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    partial_linked: int = 0  # partial overlaps the alignment put together (not scored)
    partial: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.partial_linked += other.partial_linked
        self.partial += other.partial

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def line(self) -> str:
        p, r, f = self.prf()
        return (f"P {p:.3f} R {r:.3f} F1 {f:.3f} (tp {self.tp}, fp {self.fp}, fn {self.fn}; "
                f"partial overlaps linked {self.partial_linked}/{self.partial}, not scored)")


def pair_kind(a: Item, b: Item) -> str:
    """'gold' (same main fact), 'partial' (a fact shared only through ``also``) or 'apart'."""
    if a.group is not None and a.group == b.group:
        return "gold"
    facts_a = ({a.group} if a.group else set()) | a.also
    facts_b = ({b.group} if b.group else set()) | b.also
    return "partial" if facts_a & facts_b else "apart"


def score_pairs(items: list[Item]) -> tuple[Counts, Counts, list[tuple[str, Item, Item]]]:
    """(all pairs, cross-language pairs, the errors as ('missed'|'wrong', a, b)) over the
    pairs of items from different articles."""
    every, cross = Counts(), Counts()
    errors: list[tuple[str, Item, Item]] = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.article_id == b.article_id:
                continue
            kind = pair_kind(a, b)
            together = a.predicted is not None and a.predicted == b.predicted
            counts = [every] + ([cross] if a.lang != b.lang else [])
            for c in counts:
                if kind == "gold":
                    c.tp += together
                    c.fn += not together
                elif kind == "partial":
                    c.partial += 1
                    c.partial_linked += together
                else:
                    c.fp += together
            if kind == "gold" and not together:
                errors.append(("missed", a, b))
            elif kind == "apart" and together:
                errors.append(("wrong", a, b))
    return every, cross, errors


def gold_sources(records: list[dict]) -> dict[str, set[str]]:
    """Gold fact -> the sources (wire copies folded into their original) that carry it as main fact."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["group"]:
            out[r["group"]].add(COPY_OF.get(r["article_id"], r["article_id"]))
    return out


def reader_figures(records: list[dict], view) -> dict[str, list[str]]:
    """For each gold fact carried by 2+ sources: 'shared' and/or 'only_here' (see the module doc)."""
    sources = gold_sources(records)
    where: dict[tuple[str, int], str] = {(r["article_id"], r["sentence"]): r["group"] for r in records if r["group"]}
    out: dict[str, list[str]] = {"shared": [], "only_here": [], "neither": []}
    for fact, carriers in sorted(sources.items()):
        if len(carriers) < 2:
            continue
        shared = False
        for entry in view.shared_facts:
            families = {COPY_OF.get(s["article_id"], s["article_id"]) for s in entry["statements"]
                        if where.get((s["article_id"], s["sentence"])) == fact}
            if len(families) >= 2:
                shared = True
        only_here = any(where.get((e["article_id"], e["sentence"])) == fact and not e["details"]
                        for family in view.unique_facts for e in family["facts"])
        if shared:
            out["shared"].append(fact)
        if only_here:
            out["only_here"].append(fact)
        if not shared and not only_here:
            out["neither"].append(fact)
    return out


def load_gold(path: Path = GOLD) -> dict[str, list[dict]]:
    events: dict[str, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            events.setdefault(record["event"], []).append(record)
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list the missed and wrong cross-language pairs")
    args = parser.parse_args()

    from couverture.analyze import Analyzer, default_embedder
    from couverture.coverage import compute_story_view
    from couverture.coverage.align import align
    from couverture.coverage.cache import CachedEmbedder
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_coverage import demo_events  # the demo corpus stored, by gold event

    started = time.perf_counter()
    gold = load_gold()
    members_of = demo_events(Analyzer(), wanted=gold)

    embedder = CachedEmbedder(default_embedder())
    total_all, total_cross = Counts(), Counts()
    not_found: list[dict] = []
    unlabelled = 0
    reader = {"shared": 0, "only_here": 0, "neither": 0}
    facts_multi = 0
    lines, details = [], []
    for event, records in gold.items():
        members = members_of[event]
        alignment = align(members, embedder)
        by_text = {(s.article_id, s.text): s for s in alignment.statements}
        items = []
        for r in records:
            s = by_text.get((r["article_id"], r["text"]))
            if s is None:
                not_found.append(r)
            items.append(Item(r["article_id"], r["lang"], r["group"], frozenset(r.get("also", [])),
                              None if s is None else alignment.group_of[s.uid], r["text"]))
        gold_keys = {(r["article_id"], r["text"]) for r in records}
        unlabelled += sum(1 for key in by_text if key not in gold_keys)
        every, cross, errors = score_pairs(items)
        total_all.add(every)
        total_cross.add(cross)
        view = compute_story_view(members, event, embedder=embedder)
        placed = reader_figures(records, view)
        n_multi = sum(1 for c in gold_sources(records).values() if len(c) >= 2)
        facts_multi += n_multi
        for key in reader:
            reader[key] += len(placed[key])
        langs = "/".join(sorted({a.lang for a in members}))
        lines.append(f"{event} ({len(members)} articles, {langs}, {len(records)} statements)")
        lines.append(f"  all pairs   {every.line()}")
        lines.append(f"  cross-lang  {cross.line()}")
        lines.append(f"  page: {n_multi} gold facts of 2+ sources: shared {len(placed['shared'])}, "
                     f"a sentence of it 'only in one source' {len(placed['only_here'])}, neither {len(placed['neither'])}")
        if args.verbose:
            if placed["only_here"]:
                lines.append(f"    listed as only in one source: {', '.join(placed['only_here'])}")
            for what, a, b in errors:
                if a.lang != b.lang:
                    label = a.group if what == "missed" else f"{a.group or '-'} / {b.group or '-'}"
                    details.append(f"  {what} [{event}] {label}: {a.article_id} «{a.text[:90]}» "
                                   f"| {b.article_id} «{b.text[:90]}»")

    n_records = sum(len(r) for r in gold.values())
    print("$ python bench/bench_fact_groups.py" + (" --verbose" if args.verbose else ""))
    print(f"gold: {len(gold)} events, {n_records} statements, "
          f"{sum(1 for rs in gold.values() for r in rs if r['group'])} with a fact group; "
          f"gold statements not found among couverture's statements: {len(not_found)}; "
          f"statements without a gold record: {unlabelled}")
    for r in not_found:
        print(f"  not found: {r['article_id']} #{r['sentence']} «{r['text'][:80]}»")
    print("\n".join(lines))
    print("overall")
    print(f"  all pairs   {total_all.line()}")
    print(f"  cross-lang  {total_cross.line()}")
    print(f"  page: {facts_multi} gold facts of 2+ sources: shared {reader['shared']} "
          f"({reader['shared'] / max(1, facts_multi):.0%}), a sentence of it 'only in one source' "
          f"{reader['only_here']} ({reader['only_here'] / max(1, facts_multi):.0%}), neither {reader['neither']}")
    if details:
        print("cross-language errors (missed: gold together, not aligned; wrong: aligned, not the same fact):")
        print("\n".join(details))
    print(f"time {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
