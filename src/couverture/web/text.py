"""Small formatting helpers shared by the pages and the timeline."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

HOUR = timedelta(hours=1)

LANGUAGE_NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def language_name(code: str | None) -> str:
    if not code:
        return "unknown language"
    return LANGUAGE_NAMES.get(code.lower(), code)


def format_moment(moment: datetime | None, with_time: bool = True, with_year: bool = True) -> str:
    """``20 Jun 2024 15:45`` in UTC; month names in English whatever the server's locale."""
    if moment is None:
        return "undated"
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    text = f"{moment.day} {_MONTHS[moment.month - 1]}"
    if with_year:
        text += f" {moment.year}"
    if with_time:
        text += f" {moment.hour:02d}:{moment.minute:02d}"
    return text


def format_span(first: datetime | None, last: datetime | None) -> str:
    if first is None:
        return "undated"
    if last is None or last == first:
        return format_moment(first) + " UTC"
    if first.date() == last.date():
        return f"{format_moment(first)}–{last.hour:02d}:{last.minute:02d} UTC"
    return f"{format_moment(first)} – {format_moment(last)} UTC"


def format_estimate(estimate) -> str:
    """An estimated date as a reader should take it: "9 Oct 2024 (the day its lead
    names, ...)" for a day, "Oct 2024 (month stamp ...)" for a month."""
    first, last = estimate.earliest.astimezone(timezone.utc), estimate.latest.astimezone(timezone.utc)
    if first.date() == last.date():
        when = format_moment(first, with_time=False)
    elif (first.year, first.month) == (last.year, last.month):
        when = f"{_MONTHS[first.month - 1]} {first.year}"
    else:
        when = f"{format_moment(first, with_time=False)} – {format_moment(last, with_time=False)}"
    return f"{when} ({estimate.source})"


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (shown as plain text instead).

    Article URLs come from scraped input: ``javascript:``, ``data:`` and other schemes,
    scheme-relative ``//host`` links and anything with spaces or control characters
    (which browsers strip, turning ``java\\tscript:`` into a script) are refused.
    """
    if not url or not isinstance(url, str) or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def path_segment(value: str) -> str:
    """An id made safe for one URL path segment."""
    return quote(value, safe="")


def paragraphs(body: str) -> list[str]:
    """Text split into paragraphs at blank lines (single newlines inside are kept as lines)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body or "")]
    if len(blocks) <= 1:
        blocks = [b.strip() for b in (body or "").split("\n")]
    return [b for b in blocks if b]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
