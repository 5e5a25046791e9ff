"""Loaders for labelled evaluation data (see ../shared/data/README.md)."""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..models import RawDocument


def shared_data_dir() -> Path:
    """``../shared/data`` next to the project, or ``$COUVERTURE_DATA``."""
    env = os.environ.get("COUVERTURE_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def ecbplus_path() -> Path:
    return shared_data_dir() / "ecbplus" / "ecbplus_docs.jsonl"


@dataclass
class LabelledDocuments:
    documents: list[RawDocument]
    gold: list[str]
    groups: list[str]  # a coarser grouping for topic-disjoint folds (ECB+ topic); else the gold label


def load_jsonl(path: str | Path, gold_field: str, text_field: str = "text", group_field: str | None = None) -> LabelledDocuments:
    """Any JSONL with a text and a gold story label per line."""
    documents, gold, groups = [], [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            obj = json.loads(line)
            if gold_field not in obj:
                raise ValueError(f"{path}:{number}: no gold field {gold_field!r}")
            record = dict(obj)
            record["text"] = obj[text_field]
            record.setdefault("id", obj.get("doc_id", f"{Path(path).stem}-{number}"))
            documents.append(RawDocument(f"{path}:{number}", "record", record))
            gold.append(str(obj[gold_field]))
            groups.append(str(obj[group_field]) if group_field and group_field in obj else str(obj[gold_field]))
    return LabelledDocuments(documents, gold, groups)


def load_ecbplus(path: str | Path | None = None) -> LabelledDocuments:
    """ECB+: 982 English documents, gold ``event_cluster``, grouped by ``topic``."""
    return load_jsonl(path or ecbplus_path(), gold_field="event_cluster", group_field="topic")


def load_googlenews_fr(path: str | Path | None = None) -> LabelledDocuments:
    """French headlines grouped into stories by Google News (silver labels)."""
    path = Path(path or shared_data_dir() / "googlenews_fr" / "headlines.tsv")
    documents, gold, groups = [], [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or not parts[2].strip():
                continue
            category, story, headline = parts[0], parts[1], parts[2].strip()
            record = {"id": f"gnfr-{number}", "text": headline, "title": headline, "lang": "fr"}
            documents.append(RawDocument(f"{path}:{number}", "record", record))
            gold.append(f"{category}-{story}")
            groups.append(category)
    return LabelledDocuments(documents, gold, groups)


def load_semeval_pairs(path: str | Path | None = None) -> list[dict]:
    """SemEval-2022 Task 8 pairs with gold ``Overall`` (1 = same story ... 4 = unrelated)."""
    path = Path(path or shared_data_dir() / "semeval2022_task8" / "pairs.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["Overall"] = float(row["Overall"])
    return rows
