"""Publication dates: parse what inputs give, in several languages, normalised to UTC."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from ..calendar_words import MONTHS

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)


_MONTH_NAMES = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>(?:19|20)\d{2})\b")
_ISO = re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2}))?")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?\s+(?:de\s+)?(?P<month>{_MONTH_NAMES})\.?\s+(?:de\s+)?(?P<y>(?:19|20)\d{{2}})\b",
    re.I,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b", re.I
)
_TIME = re.compile(r"\b(?P<H>[01]?\d|2[0-3])\s*(?:h|:|\.)\s*(?P<M>[0-5]\d)\b")

# Lines that announce a publication or update date, in the languages we read.
DATE_LINE = re.compile(
    r"^\s*(?:publié|publiée|mis à jour|modifié|published|updated|posted|pubblicato|aggiornato|"
    r"veröffentlicht|aktualisiert|stand|publicado|actualizado)\b",
    re.I,
)


def plausible(dt: datetime | None, now: datetime | None = None) -> datetime | None:
    """The date in UTC, or ``None`` when it cannot be a publication date."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    now = now or datetime.now(timezone.utc)
    if dt < EARLIEST or dt > now + timedelta(days=1):
        return None
    return dt


def parse_date(value) -> datetime | None:
    """Parse a date given by an input field (ISO 8601, RFC 2822, epoch seconds, or prose)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return plausible(value)
    if isinstance(value, (int, float)):
        try:
            return plausible(datetime.fromtimestamp(value, tz=timezone.utc))
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    try:
        return plausible(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return plausible(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    return find_date(text)


def find_date(text: str) -> datetime | None:
    """The first date written in ``text`` (numeric, ISO, or with a month name), with its time if given."""
    candidates = []
    for pattern in (_ISO, _NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if match:
            candidates.append((match.start(), match))
    for _, match in sorted(candidates, key=lambda c: c[0]):
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else MONTHS.get(parts["month"].lower().rstrip("."))
        try:
            day = datetime(int(parts["y"]), month, int(parts["d"]), tzinfo=timezone.utc)
        except (TypeError, ValueError):
            continue
        hour = parts.get("H")
        if hour is None:
            time_match = _TIME.search(text, match.end())
            if time_match and time_match.start() - match.end() < 12:
                hour, minute = time_match.group("H"), time_match.group("M")
            else:
                minute = None
        else:
            minute = parts.get("M")
        if hour is not None:
            day = day.replace(hour=int(hour), minute=int(minute or 0))
        result = plausible(day)
        if result:
            return result
    return None


# Dates in URL paths: /2024/06/20/, /2009/dec/07/, /2024-06-20-, /20240620/.
_URL_DATE = [
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?:/|$|[^\d])"),
    re.compile(rf"/(?P<y>(?:19|20)\d{{2}})/(?P<month>{_MONTH_NAMES})/(?P<d>0?[1-9]|[12]\d|3[01])(?:/|$|[^\d])", re.I),
    re.compile(r"[/_-](?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?:/|$|[^\d])"),
]


def month_estimate(year: int, month: int, now: datetime | None = None):
    """The bounds a month stamp puts on a publication: the first and the last moment
    of that month, or None when the month cannot hold one (before 1990, in the future)."""
    from ..models import DateEstimate

    try:
        start = datetime(year, month, 1, tzinfo=timezone.utc)
    except ValueError:
        return None
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(seconds=1)
    if plausible(start, now) is None:
        return None
    return DateEstimate(start, end, f"month stamp {year:04d}-{month:02d}")


def date_from_url(url: str | None) -> datetime | None:
    """The publication day that many news sites put in their URL paths."""
    if not url:
        return None
    for pattern in _URL_DATE:
        match = pattern.search(url)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else MONTHS.get(parts["month"].lower())
        try:
            day = datetime(int(parts["y"]), month, int(parts["d"]), tzinfo=timezone.utc)
        except (TypeError, ValueError):
            continue
        result = plausible(day)
        if result:
            return result
    return None
