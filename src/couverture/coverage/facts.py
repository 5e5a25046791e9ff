"""Shared and unique facts: what all or most sources say, and what only one reports.

A fact is a group of aligned statements (see ``align``). Sources are counted once
per *family*: a wire copy or a translation repeats its original and adds no
independent confirmation. A fact is *shared* when at least two families carry it
and at least half of all families do. What a source reports *alone* is:

- each statement of it that no other family carries, and
- within statements that others do carry, the specifics nobody else gives: a number
  ("article 4", "23 articles") or a name that no other source mentions anywhere.
"""
from __future__ import annotations

import math
import re

import numpy as np

from ..analyze.aliases import KNOWN_KEYS
from ..analyze.numbers import extract_numbers
from .align import Alignment
from .divergence import NUMBER, related_places



def fact_families(alignment: Alignment, family_of: dict[str, str]) -> list[set[str]]:
    return [{family_of.get(alignment.statements[u].article_id, alignment.statements[u].article_id) for u in group}
            for group in alignment.groups]


def representative(alignment: Alignment, group: list[int], preferred_lang: str | None, order: dict[str, int]) -> int:
    """The statement that stands for a fact: in the preferred language if any, else the most central one."""
    pool = [u for u in group if preferred_lang and alignment.statements[u].lang == preferred_lang] or list(group)
    if len(group) == 1:
        return pool[0]

    def centrality(u: int) -> float:
        others = [v for v in group if v != u]
        return float(np.mean([alignment.dense[u, v] for v in others])) if others else 0.0

    return max(pool, key=lambda u: (round(centrality(u), 3), -order.get(alignment.statements[u].article_id, 0),
                                    -alignment.statements[u].index))


def _fact_json(alignment: Alignment, gid: int, group: list[int], families: set[str], preferred_lang, order) -> dict:
    shown = alignment.statements[representative(alignment, group, preferred_lang, order)]
    statements = sorted(group, key=lambda u: (order.get(alignment.statements[u].article_id, 0), alignment.statements[u].index))
    article_ids = list(dict.fromkeys(alignment.statements[u].article_id for u in statements))
    return {
        "id": f"f{gid + 1}",
        "text": shown.text,
        "lang": shown.lang,
        "article_ids": article_ids,
        "sources": len(families),
        "statements": [{"article_id": alignment.statements[u].article_id, "sentence": alignment.statements[u].index,
                        "lang": alignment.statements[u].lang, "text": alignment.statements[u].text} for u in statements],
    }


def shared_facts(alignment: Alignment, family_of: dict[str, str], preferred_lang: str | None = None,
                 order: dict[str, int] | None = None) -> list[dict]:
    order = order or {}
    total = len(set(family_of.values()))
    needed = max(2, math.ceil(total / 2))
    out = []
    for gid, (group, families) in enumerate(zip(alignment.groups, fact_families(alignment, family_of))):
        if len(families) >= needed:
            out.append(_fact_json(alignment, gid, group, families, preferred_lang, order))
    out.sort(key=lambda f: (-f["sources"], min((order.get(a, 0), s["sentence"]) for s in f["statements"] for a in [s["article_id"]])))
    return out


def _name_like(text: str, key: str, agencies: frozenset[str] = frozenset()) -> bool:
    """Names worth reporting as a detail: several words, an acronym, or a place or person we know.

    Not a detail: the agency credited for the text ("EFE" is provenance, not news), two
    names the extractor glued ("Moscú y Pionyang"), or a known place glued to a common
    noun, as German capitalisation invites ("Ukraine Waffen", "Kremlchef Südkorea")."""
    words = key.split()
    if text.upper() in agencies or key in agencies:
        return False
    if len(words) >= 2 and key not in KNOWN_KEYS:
        if any(w in _JOINING_WORDS for w in text.lower().split()[1:-1]):
            return False
        if any(w in KNOWN_KEYS for w in words):
            return False
    return len(words) >= 2 or key in KNOWN_KEYS or (text.isupper() and len(text) >= 3)


_JOINING_WORDS = frozenset("y et and und e i ou or o oder".split())


def _numbers_with_context(sentence: str) -> list[tuple[str, str]]:
    """(value, as written with a neighbouring word) for each number: ("4", "article 4")."""
    out = []
    for match in NUMBER.finditer(sentence):
        values = extract_numbers(match.group(0))
        if not values:
            continue
        before = [re.sub(r"^\w[’']", "", w) for w in re.findall(r"[\w’'-]+", sentence[: match.start()])[-1:]]
        after = [w.rstrip(".") if w.count(".") < 2 else w for w in re.findall(r"[\w’'.-]+", sentence[match.end():])[:1]]
        label = " ".join(before + [match.group(0)]) if before and before[0].lower() in _LABEL_WORDS else " ".join([match.group(0)] + after)
        out.append((values[0], label))
    return out


def _mentioned(key: str, keys: set[str]) -> bool:
    """The same name (or surname), or a city and its country ("Hanoï" and "Vietnam")."""
    surname = key.split()[-1]
    return key in keys or any(k.split()[-1] == surname or related_places(k, key) for k in keys)


_LABEL_WORDS = frozenset("article articolo artículo artikel art section résolution resolution point no n°".split())


def unique_facts(alignment: Alignment, articles, family_of: dict[str, str], order: dict[str, int] | None = None) -> list[dict]:
    """For each source (an original and its copies), what only it reports."""
    order = order or {}
    families = fact_families(alignment, family_of)
    # Everything each family mentions anywhere (title and text): numbers and entity keys.
    numbers: dict[str, set[str]] = {}
    keys: dict[str, set[str]] = {}
    for article in articles:
        fam = family_of.get(article.id, article.id)
        features = article.features or {}
        numbers.setdefault(fam, set()).update(extract_numbers(f"{article.title}\n{article.text}"))
        keys.setdefault(fam, set()).update(key for _, key, _ in features.get("entities", []))
    by_family: dict[str, list[dict]] = {}
    for gid, group in enumerate(alignment.groups):
        carried = families[gid]
        for u in group:
            s = alignment.statements[u]
            fam = family_of.get(s.article_id, s.article_id)
            others = [f for f in numbers if f != fam]
            if not others:
                continue
            if len(carried) == 1:
                entry = {"article_id": s.article_id, "sentence": s.index, "lang": s.lang, "text": s.text, "details": []}
            else:
                details = []
                for value, label in _numbers_with_context(s.text):
                    if not any(value in numbers[f] for f in others) and label not in details:
                        details.append(label)
                article = articles[s.article]
                credited = frozenset(a.upper() for a in (article.agencies or [])) | frozenset(
                    a.lower() for a in (article.agencies or []))
                for text, key, index in (article.features or {}).get("entities", []):
                    if index != s.index or not _name_like(text, key, credited):
                        continue
                    if not any(_mentioned(key, keys[f]) for f in others):
                        if text not in details:
                            details.append(text)
                if not details:
                    continue
                entry = {"article_id": s.article_id, "sentence": s.index, "lang": s.lang, "text": s.text, "details": details}
            entries = by_family.setdefault(fam, [])
            # A near-duplicate sentence of the same fact in the same family is listed once.
            if any(e["fact"] == gid for e in entries):
                continue
            entry["fact"] = gid
            entries.append(entry)
    out = []
    for fam in sorted(set(family_of.get(a.id, a.id) for a in articles), key=lambda f: order.get(f, 0)):
        entries = sorted(by_family.get(fam, []), key=lambda e: (order.get(e["article_id"], 0), e["sentence"]))
        for entry in entries:
            entry.pop("fact", None)
        members = [a.id for a in articles if family_of.get(a.id, a.id) == fam]
        out.append({"article_id": fam, "also_in": [m for m in members if m != fam], "facts": entries})
    return out
