"""Text folding for comparisons: accents off, case and punctuation blind.

Below every stage: extraction compares lines and hashes contents with it, analysis
reads names through it, and the outlet rules (``publishers.py``) key names by it.
"""
from __future__ import annotations

import re
import unicodedata


def _combining_marks() -> re.Pattern:
    """A class of every combining mark in the Basic Multilingual Plane, as ranges."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    parts = (re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges)
    return re.compile("[" + "".join(parts) + "]+")


_MARKS = _combining_marks()  # about 6 ms at import; one regex pass replaces a per-character loop


def strip_accents(text: str) -> str:
    """``text`` decomposed (NFKD) without its combining marks: "Élysée" -> "Elysee"."""
    if text.isascii():  # most of the text we fold: nothing to decompose or drop
        return text
    text = unicodedata.normalize("NFKD", text)
    if text.isascii():
        return text
    if max(text) <= "\uffff":
        return _MARKS.sub("", text)
    # Marks outside the BMP are rare enough for the slow, exhaustive check.
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form, to compare lines."""
    return _NON_WORD.sub(" ", strip_accents(text).lower()).strip()


def fold_alias(text: str) -> str:
    """The words of a name as the alias table keys them: decomposed, marks off (every
    one, outside the Basic Multilingual Plane too), lower case, hyphens and punctuation
    as spaces, one-letter words but digits dropped ("Corée du Nord" -> "coree du nord")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w-]+", " ", text.replace("-", " "))
    return " ".join(w for w in text.split() if len(w) > 1 or w.isdigit())
