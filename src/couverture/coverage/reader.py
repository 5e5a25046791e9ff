"""The reader's language: which language a story's coverage is written for.

A reader asks for a language (``show --lang fr``, ``?lang=fr`` on the page), or a
browser sends ``Accept-Language``; without either, the story is shown in the language
most of its sources write in. Coverage then takes its headline, summary sentences,
facts and quotes from sources in that language when any exist, and marks every item
that is in another language with its own (no translation model that runs offline
ships inside a PyPI package, so nothing is machine-translated).

Language codes are checked against the CLDR locales that Babel ships (already a
dependency for weekday and month names): ``xx`` or ``english`` is an error that says
what to give instead, ``fr-CA`` means French, and the names shown on the page come
from the same data, each language named in itself ("français", "Deutsch").
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache


class UnknownLanguage(ValueError):
    """A language code that is no language: says which, and what to give instead."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(
            f"unknown language {code!r}: give an ISO 639 language code such as en, fr, de, es, it, ru, ar or zh")


_CODE = re.compile(r"^[A-Za-z]{2,3}$")


@lru_cache(maxsize=512)
def _checked(primary: str) -> str | None:
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(primary)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    # Babel reads "und" (undetermined) as English: a code that names no language is refused.
    return primary if locale.language and primary != "und" else None


def check_language(code: str) -> str:
    """The base language of ``code`` ("FR" and "fr-CA" -> "fr"), or :class:`UnknownLanguage`."""
    text = (code or "").strip()
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    if not _CODE.match(primary) or _checked(primary) is None:
        raise UnknownLanguage(text)
    return primary


@lru_cache(maxsize=256)
def language_label(code: str | None) -> str:
    """The language named in itself ("français", "Deutsch"), else the code."""
    if not code:
        return "unknown language"
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first; codes that
    name no language, "*" and q=0 are dropped (a header is never an error)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:32]):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0] or fields[0] == "*":
            continue
        weight = 1.0
        for extra in fields[1:]:
            if extra.startswith("q="):
                try:
                    weight = float(extra[2:])
                except ValueError:
                    weight = 0.0
        try:
            code = check_language(fields[0])
        except UnknownLanguage:
            continue
        if weight > 0:
            weighted.append((-weight, position, code))
    return list(dict.fromkeys(code for _, _, code in sorted(weighted)))


def majority_language(languages: list[str | None]) -> str | None:
    """The language most sources write in; a tie goes to the one that wrote first."""
    known = [lang for lang in languages if lang]
    if not known:
        return None
    counts = Counter(known)
    return max(counts, key=lambda lang: (counts[lang], -known.index(lang)))


def reader_language(requested: str | None, source_languages: list[str | None],
                    accept_language: str | None = None) -> str | None:
    """The language to show a story in: the one asked for (checked), else the browser's
    first choice, else the majority of the story's sources."""
    if requested:
        return check_language(requested)
    accepted = accepted_languages(accept_language)
    if accepted:
        return accepted[0]
    return majority_language(source_languages)
