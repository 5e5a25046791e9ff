"""Bylines and news-agency credits.

Agencies are only read from places where a credit stands (a byline, a credit or
copyright line, a dateline such as "MADRID (EFE) -"), never from the body: an
article that *mentions* KCNA or Reuters is not credited to them.
"""
from __future__ import annotations

import re

from ..publishers import AGENCIES

_AGENCY_PATTERNS = [
    (name, re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in spellings) + r")(?![\w-])"))
    for name, spellings in AGENCIES.items()
]

# Short, upper-case agency names ("AP", "PA") are also English/French words in other
# cases; only the exact case counts, which the patterns above already enforce.


def find_agencies(text: str) -> list[str]:
    """Agencies named in a credit-like snippet, in order of appearance, once each."""
    hits: list[tuple[int, str]] = []
    for name, pattern in _AGENCY_PATTERNS:
        match = pattern.search(text)
        if match:
            hits.append((match.start(), name))
    return [name for _, name in sorted(hits)]


_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|[A-ZÀ-ÖØ-Þ]{2,})"
_PARTICLE = r"(?:de|da|di|del|della|van|von|der|den|du|le|la|y|e|bin|al|el)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,4}}"
_JOIN = r"(?:avec|with|con|mit|et|and|y|e|und|/|,|&)"
_AGENCY_REF = r"(?:l['’]\s?|la\s+|the\s+|der\s+|dell['’]\s?|le\s+agenzie\s+|agences?\s+)?"

BYLINE_PATTERNS = [
    # "By Jane Doe", "Par Marie Martin", "di Marco Rossi", "Von Anna Schmidt", "Por Lucía García"
    re.compile(rf"^(?i:by|par|di|von|por|de|door|av)\s+(?P<name>{_NAME})(?:\s*(?i:{_JOIN})\s*(?i:{_AGENCY_REF})(?P<agency>.+))?$"),
    # "Antoine LLORCA avec l'AFP", "Jane Doe (Reuters)", "Jane Doe"
    re.compile(rf"^(?P<name>{_NAME})\s*(?:(?i:{_JOIN})\s*(?i:{_AGENCY_REF})(?P<agency>.+)|\((?P<agency2>[^)]+)\))$"),
]

_CREDIT_MARKERS = re.compile(
    r"©|\(c\)|copyright|tous droits réservés|all rights reserved|riproduzione riservata|"
    r"reproduction réservée|alle rechte vorbehalten|todos los derechos|mit material von|"
    r"con información de|with reporting by|avec l['’]?\s?afp|\(con ansa\)|source\s*:",
    re.I,
)

_DATELINE = re.compile(
    r"^\s*(?:[A-ZÀ-Þ][\w'’.-]+(?:[ ,/-]+[\w'’.-]+){0,4}\s*)?\((?P<agency>[^()]{2,40})\)\s*[-–—:]"
)


def is_credit_line(line: str) -> bool:
    """A short line whose job is to credit or copyright, not to tell the news: one with
    a credit marker, or an agency's name alone ("(AFP)", "— Reuters", "dpa/ANSA")."""
    words = line.split()
    if 0 < len(words) <= 14 and bool(_CREDIT_MARKERS.search(line)):
        return True
    bare = re.sub(r"[()\[\]/,&—–\-•·|©*.\s]+", " ", line).strip()
    if not bare or len(bare.split()) > 4:
        return False
    for _, pattern in _AGENCY_PATTERNS:
        bare = pattern.sub(" ", bare)
    return not bare.strip()  # nothing but agency names


def parse_byline(line: str) -> tuple[str, list[str]] | None:
    """``(byline, agencies)`` when ``line`` is a byline, else ``None``.

    Only short lines without sentence punctuation qualify: a byline names people,
    it does not make a statement.
    """
    stripped = line.strip().strip("—–-•·*").strip()
    words = stripped.split()
    if not 1 < len(words) <= 10 or stripped.endswith((".", "!", "?", ":", ";", "»", "”", '"')):
        return None
    if any(ch.isdigit() for ch in stripped):
        return None
    for pattern in BYLINE_PATTERNS:
        match = pattern.match(stripped)
        if not match:
            continue
        agency_text = match.groupdict().get("agency") or match.groupdict().get("agency2") or ""
        agencies = find_agencies(agency_text) if agency_text else []
        if agency_text and not agencies:
            # "X and Y" can be two journalists: only accept when the tail is a name too.
            if not re.fullmatch(_NAME, agency_text.strip()):
                continue
        name = match.group("name")
        if pattern is BYLINE_PATTERNS[1] and not agency_text and len(name.split()) < 2:
            continue
        if pattern is BYLINE_PATTERNS[1] and not agencies and not _looks_like_person(name):
            continue
        return stripped, agencies
    return None


def _looks_like_person(name: str) -> bool:
    # Without an agency or a "By", a bare capitalised line could be a heading.
    # Two to four words, each capitalised, is the shape of a personal name.
    words = name.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


# A credit closing an article's last lines: "... kritisiert. (dpa)", "(dpa/AFP)",
# "[AFP, Reuters]", "... the ministry said. — Reuters", "- AP".
_TRAILING_CREDIT = re.compile(
    r"(?:[(\[](?P<bracketed>[^()\[\]]{2,60})[)\]]|(?:^|\s)[-–—]\s*(?P<dashed>[^-–—]{2,60}?))\s*\.?\s*$"
)
_CREDIT_SEPARATORS = re.compile(r"(?:[/,;&+]|\s(?:and|und|et|y|e|con|mit|with)\s|\s)+")


def trailing_agencies(paragraph: str) -> list[str]:
    """Agencies credited by a credit that closes ``paragraph``: agency names only, in
    brackets or after a dash ("(dpa)", "(AFP/Reuters)", "— Reuters"). Brackets holding
    anything else ("(PHOTO)", "(2-1)", "[Reuters, CNN]") credit no one."""
    match = _TRAILING_CREDIT.search(paragraph.rstrip())
    if not match:
        return []
    inside = (match.group("bracketed") or match.group("dashed") or "").strip()
    found = find_agencies(inside)
    if not found:
        return []
    rest = inside
    for _, pattern in _AGENCY_PATTERNS:
        rest = pattern.sub(" ", rest)
    if _CREDIT_SEPARATORS.sub("", " " + rest + " "):
        return []  # words other than agencies' names: not a credit
    return found


def dateline_agencies(paragraph: str) -> list[str]:
    """Agencies credited by a dateline opening the text: "PARIS (AFP) -", "(Reuters) -"."""
    match = _DATELINE.match(paragraph)
    if not match:
        return []
    return find_agencies(match.group("agency"))
