"""Quote-speaker accuracy of couverture.coverage on hand-annotated quotes.

Annotations (``bench/data/quote_annotations.jsonl``, one object per line): the
document (``seeds/<file>`` in ../shared/corpus, or ``ecbplus:<doc_id>`` in
../shared/data/ecbplus), an excerpt of the quote, the gold speaker as the text
gives it (``null`` when the text names nobody: an unnamed spokeswoman, a crowd),
and the kind (``direct`` between quotation marks, or ``reported``).

A gold quote is *found* when a quote extracted from its document contains most of
its words (70 %). Figures:

- precision: among found gold quotes to which couverture gives a speaker, the share
  whose speaker is the gold one (a surname alone counts: "Bodiford" for James
  Bodiford; a speaker given to a quote whose gold is ``null`` is wrong);
- coverage: among gold quotes that have a gold speaker, the share found with the
  right speaker.

ECB+ texts are tokenised with spaces around punctuation and PTB quotes (`` ''); they
are put back into plain prose first, and a quote that runs over several lines (one
sentence per line in ECB+) is joined into one paragraph, as it stood in the article.

Run: python bench/bench_quotes.py [--verbose]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ANNOTATIONS = ROOT / "bench" / "data" / "quote_annotations.jsonl"
MATCH = 0.7


def detokenise(text: str) -> str:
    """ECB+ tokens back to prose: `` '' -> “ ”, no space before punctuation or clitics."""
    text = re.sub(r"``\s*", "“", text)
    text = re.sub(r"\s*''", "”", text)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = re.sub(r"(\w) - (\w)", r"\1-\2", text)
    lines = text.split("\n")
    paragraphs: list[str] = []
    buffer = ""
    for line in lines:
        buffer = f"{buffer} {line}".strip() if buffer else line
        if buffer.count("“") <= buffer.count("”"):
            paragraphs.append(buffer)
            buffer = ""
    if buffer:
        paragraphs.append(buffer)
    return "\n".join(paragraphs)


def load_documents(sources: set[str]) -> dict[str, tuple[str, str]]:
    """source -> (text, lang)."""
    from couverture.extract import extract_article
    from couverture.ingest import read_inputs

    out: dict[str, tuple[str, str]] = {}
    seeds = sorted(s for s in sources if s.startswith("seeds/"))
    if seeds:
        for raw in read_inputs([str(SHARED / "corpus" / s) for s in seeds]):
            article = extract_article(raw)
            out["seeds/" + Path(raw.origin).name] = (article.text, article.lang)
    wanted = {s.split(":", 1)[1] for s in sources if s.startswith("ecbplus:")}
    if wanted:
        with open(SHARED / "data" / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                if doc["doc_id"] in wanted:
                    out[f"ecbplus:{doc['doc_id']}"] = (detokenise(doc["text"]), "en")
    missing = sources - set(out)
    if missing:
        raise SystemExit(f"documents not found: {sorted(missing)}")
    return out


def _tokens(text: str) -> list[str]:
    from couverture.analyze.tokens import strip_accents

    return re.findall(r"\w+", strip_accents(text).lower().replace("’", "'"))


def same_speaker(system: str, gold: str) -> bool:
    from couverture.analyze.entities import entity_key

    said, expected = set(entity_key(system).split()), set(entity_key(gold).split())
    return bool(said) and said <= expected


def run(verbose: bool = False) -> dict:
    from couverture.analyze import extract_entities, split_sentences
    from couverture.coverage.quotes import extract_quotes

    gold = [json.loads(line) for line in ANNOTATIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = load_documents({g["source"] for g in gold})
    extracted = {}
    for source, (text, lang) in documents.items():
        names = [e.text for e in extract_entities(split_sentences(text), lang)]
        extracted[source] = extract_quotes(text, lang, source, names)

    rows = []
    matched_ids: set[int] = set()
    for item in gold:
        wanted = _tokens(item["quote"])
        candidates = []
        for mention in extracted[item["source"]]:
            have = _tokens(mention.text)
            share = sum(1 for t in wanted if t in set(have)) / max(1, len(wanted))
            if share >= MATCH:
                # The tightest quote that holds the excerpt: a short quote repeated inside a longer one
                # (« déstabiliser la péninsule coréenne ») is matched to itself.
                candidates.append((-share, mention.kind != item["kind"], len(have), mention.start, mention))
        found = min(candidates, key=lambda c: c[:4])[4] if candidates else None
        if found is not None:
            matched_ids.add(id(found))
        speaker = found.speaker if found else None
        correct = bool(speaker) and item["speaker"] is not None and same_speaker(speaker, item["speaker"])
        rows.append({**item, "found": found is not None, "system": speaker, "correct": correct})

    def figures(subset):
        attributed = [r for r in subset if r["system"]]
        named = [r for r in subset if r["speaker"]]
        correct = [r for r in subset if r["correct"]]
        return {
            "gold": len(subset), "gold_with_speaker": len(named), "found": sum(r["found"] for r in subset),
            "attributed": len(attributed), "correct": len(correct),
            "precision": len(correct) / len(attributed) if attributed else 0.0,
            "coverage": len(correct) / len(named) if named else 0.0,
        }

    result = {
        "all": figures(rows),
        "seeds": figures([r for r in rows if r["source"].startswith("seeds/")]),
        "ecbplus": figures([r for r in rows if r["source"].startswith("ecbplus:")]),
        "direct": figures([r for r in rows if r["kind"] == "direct"]),
        "reported": figures([r for r in rows if r["kind"] == "reported"]),
    }
    extra = [m for ms in extracted.values() for m in ms if m.speaker and id(m) not in matched_ids]
    result["attributed_outside_gold"] = len(extra)
    result["errors"] = [r for r in rows if r["system"] and not r["correct"]]
    result["missed"] = [r for r in rows if r["speaker"] and not r["system"]]
    result["outside"] = [(m.article_id, m.text, m.speaker) for m in extra]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="List wrong, missed and extra attributions.")
    args = parser.parse_args(argv)
    result = run(args.verbose)
    command = "python bench/bench_quotes.py" + (" --verbose" if args.verbose else "")
    print(f"$ {command}")
    print(f"annotations: {ANNOTATIONS.relative_to(ROOT)}")
    print(f"{'subset':<10} {'gold':>5} {'w/ spk':>7} {'found':>6} {'given':>6} {'right':>6} {'precision':>10} {'coverage':>9}")
    for name in ("all", "seeds", "ecbplus", "direct", "reported"):
        f = result[name]
        print(f"{name:<10} {f['gold']:>5} {f['gold_with_speaker']:>7} {f['found']:>6} {f['attributed']:>6} "
              f"{f['correct']:>6} {f['precision']:>10.3f} {f['coverage']:>9.3f}")
    print(f"quotes given a speaker that are not in the annotations: {result['attributed_outside_gold']}")
    if args.verbose:
        for r in result["errors"]:
            print(f"WRONG   {r['source']}: {r['quote'][:60]!r} -> {r['system']!r} (gold {r['speaker']!r})")
        for r in result["missed"]:
            print(f"MISSED  {r['source']}: {r['quote'][:60]!r} (gold {r['speaker']!r}, found={r['found']})")
        for source, text, speaker in result["outside"]:
            print(f"EXTRA   {source}: {text[:60]!r} -> {speaker!r}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
