"""Loaders for labelled evaluation data (see ../shared/data/README.md)."""
from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable
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
            # The record's address, as an ingest of the same file would read it (its date
            # may be in the URL path).
            url = obj.get("url") if isinstance(obj.get("url"), str) else None
            documents.append(RawDocument(f"{path}:{number}", "record", record, url=url))
            gold.append(str(obj[gold_field]))
            groups.append(str(obj[group_field]) if group_field and group_field in obj else str(obj[gold_field]))
    return LabelledDocuments(documents, gold, groups)


def load_ecbplus(path: str | Path | None = None) -> LabelledDocuments:
    """ECB+: 982 English documents, gold ``event_cluster``, grouped by ``topic``."""
    return load_jsonl(path or ecbplus_path(), gold_field="event_cluster", group_field="topic")


def multinews_dev_path() -> Path:
    return shared_data_dir() / "multinews_dev" / "stories.jsonl"


def multinews_hard_negatives(path: str | Path | None = None) -> list[tuple[str, str]]:
    """The hard-negative story pairs listed in ``multinews_dev/stories.md`` (rows such
    as "| e01 / e02 | Same cathedral, ... |"): same people or place, another day."""
    notes = Path(path or multinews_dev_path().with_name("stories.md"))
    pairs = re.findall(r"^\|\s*(e\d+)\s*/\s*(e\d+)\s*\|", notes.read_text(encoding="utf-8"), flags=re.M)
    return [(a, b) for a, b in pairs]


def story_families(stories: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each story's family: the stories joined to it through hard-negative pairs (a
    cathedral's fire, its reopening and two visits before it are one family), named
    by their first story. Folds by family keep a story and its look-alikes together,
    so no model is scored on one of a pair after learning from the other."""
    parent = {story: story for story in stories}

    def root(story: str) -> str:
        while parent.setdefault(story, story) != story:
            story = parent[story]
        return story

    for a, b in pairs:
        first, second = sorted((root(a), root(b)))
        parent[second] = first
    return {story: root(story) for story in parent}


def load_multinews_dev(path: str | Path | None = None) -> LabelledDocuments:
    """155 real articles in 20 languages, 24 gold stories, 97 undated (``story``);
    grouped by family of look-alike stories (``story_families``)."""
    path = Path(path or multinews_dev_path())
    data = load_jsonl(path, gold_field="story")
    notes = path.with_name("stories.md")
    if notes.exists():
        family = story_families(data.gold, multinews_hard_negatives(notes))
        data.groups = [family[story] for story in data.gold]
    return data


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
