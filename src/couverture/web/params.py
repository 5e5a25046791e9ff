"""Reading filters from a query string, the same way for the pages and the API.

The API declares typed parameters (so the OpenAPI schema describes them and FastAPI
rejects bad values with 422); the pages take the raw strings an HTML form sends,
where an empty field means "no filter", and check them here.
"""
from __future__ import annotations

import re
from datetime import date

from .errors import BadParameters, problem
from .queries import MAX_PER_PAGE, Filters

LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
MAX_QUERY_CHARS = 200
MAX_PAGE = 100_000


def checked(filters: Filters) -> Filters:
    """Cross-field checks shared by pages and API."""
    if filters.start and filters.end and filters.end < filters.start:
        raise BadParameters([problem("to", f"the range ends ({filters.end}) before it starts ({filters.start})")])
    return filters


def from_form(q: str | None, lang: str | None, outlet: str | None, start: str | None, end: str | None,
              page: str | None, per_page: str | None = None, default_per_page: int = 20) -> Filters:
    """Filters from an HTML form's strings; every problem reported at once."""
    problems = []

    def clean(value):
        return value.strip() if isinstance(value, str) and value.strip() else None

    def day(name, value):
        value = clean(value)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append(problem(name, f"{value!r} is not a date (YYYY-MM-DD)"))
            return None

    def number(name, value, default, high):
        value = clean(value)
        if value is None:
            return default
        # ASCII digits only: "²".isdigit() is true and int("²") fails; and a few, so
        # int() never meets a number of thousands of digits.
        if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= high:
            problems.append(problem(name, f"{value!r} is not a whole number from 1 to {high}"))
            return default
        return int(value)

    lang = clean(lang)
    if lang and not re.match(LANG_PATTERN, lang):
        problems.append(problem("lang", f"{lang!r} is not a language code such as fr or en"))
    q = clean(q)
    if q and len(q) > MAX_QUERY_CHARS:
        problems.append(problem("q", f"the search is longer than {MAX_QUERY_CHARS} characters"))
    filters = Filters(
        q=q, lang=lang, outlet=clean(outlet), start=day("from", start), end=day("to", end),
        page=number("page", page, 1, MAX_PAGE), per_page=number("per_page", per_page, default_per_page, MAX_PER_PAGE),
    )
    if problems:
        raise BadParameters(problems)
    return checked(filters)


def reader_lang_param(value: str | None) -> str | None:
    """``?lang=`` checked: empty means "not asked"; a code that names no language is a 400."""
    if not value or not value.strip():
        return None
    from ..coverage.reader import UnknownLanguage, check_language

    try:
        return check_language(value)
    except UnknownLanguage as error:
        raise BadParameters([problem("lang", str(error))]) from None
