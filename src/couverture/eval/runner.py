"""Labelled data made ready to cluster and score: datasets by name, extracted and analysed,
with their dates as given or removed, in their default order. The evaluation itself,
which refits the decisions on held-out folds, is ``couverture.learn.evaluate``."""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from ..pipeline import analyze_all, extract_all
from .datasets import LabelledDocuments, load_ecbplus, load_googlenews_fr, load_jsonl, load_multinews_dev


def load_dataset(name: str, gold_field: str | None = None, text_field: str = "text") -> LabelledDocuments:
    if name == "ecbplus":
        return load_ecbplus()
    if name == "googlenews_fr":
        return load_googlenews_fr()
    if name == "multinews_dev":
        return load_multinews_dev()
    path = Path(name)
    if not path.exists():
        raise FileNotFoundError(f"no dataset {name!r}: give `ecbplus`, `googlenews_fr`, `multinews_dev` or a JSONL path")
    if not gold_field:
        raise ValueError("a JSONL dataset needs --gold-field (the key holding each article's gold story)")
    return load_jsonl(path, gold_field=gold_field, text_field=text_field)


@dataclass
class AnalyzedDataset:
    """A labelled set extracted and analysed, gold labels aligned with what could be read."""

    articles: list
    features: list
    gold: list[str]
    groups: list[str]
    errors: list  # the inputs that could not be read, dropped from every list above


def analyze_labelled(data: LabelledDocuments) -> AnalyzedDataset:
    prepared = extract_all(data.documents)
    readable = {a.origin for a in prepared.articles}
    kept = [i for i, d in enumerate(data.documents) if d.origin in readable]
    return AnalyzedDataset(
        prepared.articles, analyze_all(prepared.articles),
        [data.gold[i] for i in kept], [data.groups[i] for i in kept], prepared.errors,
    )


DATE_MODES = ("given", "none", "half")


def with_dates(articles: list, mode: str, seed: int = 0) -> list:
    """The articles with their dates as given, all removed, or removed from a seeded
    random half: the standard check that dates never make clustering worse than no
    dates at all (real input is half undated). Copies; the originals are untouched."""
    if mode not in DATE_MODES:
        raise ValueError(f"unknown date mode {mode!r}: give one of {', '.join(DATE_MODES)}")
    if mode == "given":
        return list(articles)
    rng = random.Random(seed)
    out = []
    for article in articles:
        drop = mode == "none" or rng.random() < 0.5
        out.append(replace(article, published=None, estimate=None) if drop else article)
    return out


def default_order(name: str) -> str:
    """Publication order for sets that carry dates (as an ingest reads them); a seeded
    shuffle for ECB+ and the headlines, which have none."""
    return "shuffle" if name in ("ecbplus", "googlenews_fr") else "time"
