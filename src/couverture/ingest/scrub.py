"""Text that every later stage can encode, store and print.

Python strings may hold what no encoder accepts: lone surrogates (``"\\ud800"``
from a JSON escape or ``&#55296;`` in a feed, ``\\udcff`` from a file name that is
not UTF-8), and NUL characters that PostgreSQL refuses in text. Inputs are scrubbed
once, where they enter, so the tokenizer, the database and the terminal never see
them; what is printed for a person is also stripped of control characters, since a
file name may carry terminal escape sequences.
"""
from __future__ import annotations

import os
import re

from ..errors import InputError

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ID_CHARS = 200  # the store's article id column: a longer input id is not used as one
MAX_DEPTH = 64  # nesting of a JSON record: enough for any real metadata


def scrub(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub(REPLACEMENT, text)


def scrub_value(value, origin: str, depth: int = 0):
    """A JSON value with every string (keys too) scrubbed; :class:`InputError` when it is
    nested more than ``MAX_DEPTH`` levels (it could not be stored or shown)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise InputError(origin, f"JSON nested more than {MAX_DEPTH} levels deep")
        return {scrub(str(k)): scrub_value(v, origin, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            raise InputError(origin, f"JSON nested more than {MAX_DEPTH} levels deep")
        return [scrub_value(v, origin, depth + 1) for v in value]
    return value


def path_origin(path: str | os.PathLike) -> str:
    """A path as text that can be stored: bytes of a name that are not UTF-8 are written
    as ``\\xff`` (the name is shown, not guessed)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
