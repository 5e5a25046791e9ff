"""When a text says its events happened: weekdays and days of the month in its lead.

Half of what users feed us carries no publication date, yet most news leads say
when the event took place: "ce lundi 15 avril", "on Tuesday", "am Donnerstag",
"nesta segunda-feira (21)", "صباح الاثنين", "26日". Those words do not date an
article alone, but they tell two events apart: an article that says "on Tuesday"
is not about a match played on a Sunday. ``time_clues`` reads them from the title
and the first sentences (where a lead says when; later sentences recall earlier
events) and returns a ``TimeClues``; ``clue_conflict`` says whether two sets of
clues, or clues and known dates, cannot be the same day.

Weekday and month names come from the Unicode CLDR (through Babel) for the languages
listed in ``LOCALES``, in their wide forms only: abbreviations ("mar", "Sun") are
ordinary words too often.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..extract.boilerplate import strip_accents
from ..models import TimeClues
from .scripts import WORD

# The languages whose weekday and month names are read (CLDR locale codes).
LOCALES = (
    "en fr de it es pt nl pl hu tr ru uk bg mk hr bs sr sl cs sk ro el sv da nb fi et lv lt "
    "ar fa he hi id ms vi ja zh ko sw ca gl eu"
).split()

# How much of an article is its lead, for clues: where news says when things happened.
LEAD_CHARS = 400
# A clue "matches" a day one day either side: overnight events, time zones, and the
# day after ("Wednesday night" in Florida is Thursday in Europe).
SLACK_DAYS = 1


NO_CLUES = TimeClues()


def _fold(word: str) -> str:
    """Lower case, accents off, Arabic alef variants and the article al- folded."""
    word = strip_accents(word.lower()).replace("-", "")
    word = re.sub("[أإآ]", "ا", word)
    if word.startswith("ال") and len(word) > 4:
        word = word[2:]
    return word


@dataclass(frozen=True)
class _Names:
    weekdays: dict  # folded name -> weekday (0 = Monday)
    lowercase: frozenset  # folded weekday names that their language writes in lower case
    months: dict  # folded name -> month
    month_pattern: re.Pattern
    by_head: dict  # first three letters -> [(name, weekday)], longest first
    by_tail: dict  # last four letters -> [(name, weekday)], for compounds ("ostermontag")


def _cldr_names() -> tuple[dict[str, int], set[str], dict[str, int]]:
    """Folded weekday names, those written in lower case, and folded month names, from
    the CLDR through Babel: 0.45 s for the 44 locales, so every process but the first
    reads them back from the cache folder of ``encoder_cache`` (plain JSON, used only
    when Babel's version and the locales are those it was made with)."""
    import babel

    from .encoder_cache import cache_root

    root = cache_root()
    kept = None if root is None else root / "cldr-day-names.json"
    stamp = {"format": 1, "babel": babel.__version__, "locales": list(LOCALES)}
    if kept is not None:
        try:
            data = json.loads(kept.read_text(encoding="utf-8"))
            if data.get("stamp") == stamp:
                return data["weekdays"], set(data["lowercase"]), data["months"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # missing, damaged or of another version: made again below
    weekdays, lowercase, months = _names_from_babel()
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            staging = kept.with_name(f".{kept.name}.{os.getpid()}")
            staging.write_text(json.dumps({"stamp": stamp, "weekdays": weekdays, "lowercase": sorted(lowercase),
                                           "months": months}, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, kept)
        except OSError:
            pass  # a read-only home: made again next time
    return weekdays, lowercase, months


def _names_from_babel() -> tuple[dict[str, int], set[str], dict[str, int]]:
    from babel import Locale

    weekdays: dict[str, int] = {}
    lowercase: set[str] = set()
    months: dict[str, int] = {}
    for code in LOCALES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for number, name in locale.days[context]["wide"].items():
                folded = _fold(name)
                if len(folded) >= 3:
                    weekdays.setdefault(folded, number)
                    if name == name.lower():
                        lowercase.add(folded)
            for number, name in locale.months[context]["wide"].items():
                folded = _fold(name.rstrip("."))
                if len(folded) >= 3 and not folded[0].isdigit():
                    months.setdefault(folded, number)
    return weekdays, lowercase, months


@lru_cache(maxsize=1)
def _names() -> _Names:
    weekdays, lowercase, months = _cldr_names()
    by_head: dict[str, list] = {}
    by_tail: dict[str, list] = {}
    for name, number in sorted(weekdays.items(), key=lambda item: -len(item[0])):
        if len(name) >= 4:
            by_head.setdefault(name[:3], []).append((name, number))
        if len(name) >= 5:
            by_tail.setdefault(name[-4:], []).append((name, number))
    alternation = "|".join(re.escape(name) for name in sorted(months, key=len, reverse=True))
    # On folded text: "15 avril", "13 de dezembro", "7. dezember", "december 7", "8 dicembre 2023".
    pattern = re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?\s+(?:de\s+|of\s+|di\s+)?(?P<m>{alternation})\b"
        rf"(?:\s+(?:de\s+|del\s+)?(?P<y>(?:19|20)\d{{2}})\b)?"
        rf"|\b(?P<m2>{alternation})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\d)(?:,?\s+(?P<y2>(?:19|20)\d{{2}})\b)?"
    )
    return _Names(weekdays, frozenset(lowercase), months, pattern, by_head, by_tail)


# Chinese and Japanese: "3月23日", "2021年3月23日", "26日".
_CJK_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日")
# A day number right after a weekday, in parentheses: "nesta segunda-feira (21)".
_DAY_IN_PARENS = re.compile(r"\s*\((?P<d>\d{1,2})\)")
# Numeric day and month without a year, in parentheses as leads write it: "(13/12)".
# Bare "24/7" or "3/4" are not dates often enough to count.
_DAY_MONTH = re.compile(r"\((?P<d>[0-3]?\d)/(?P<m>[01]?\d)\)")


def _weekday_of(word: str, names: _Names) -> int | None:
    """The weekday a word names, whole or as the head of an inflected or compound form
    ("donnerstagnachmittag", "kedden", "среду", "ostermontag"); the longest name wins
    ("pazartesi" is Monday, not "pazar", Sunday)."""
    folded = _fold(word)
    if folded in names.weekdays:
        return names.weekdays[folded]
    for name, number in names.by_head.get(folded[:3], ()):  # longest first
        # Names of six letters or more may lose their last letter to inflection
        # ("среда" -> "среду" is too short to risk: "petak" would take "Peter's").
        if folded.startswith(name[:-1] if len(name) >= 6 else name):
            return number
    if len(folded) > 7:
        for name, number in names.by_tail.get(folded[-4:], ()):
            if folded.endswith(name):
                return number
    return None


def _lead(title: str, text: str) -> list[str]:
    """The title and the start of the text, as sentences of a few hundred characters."""
    lead = text[:LEAD_CHARS]
    return [part for part in (title, lead) if part]


def time_clues(title: str, text: str, lang: str | None = None, first: bool = False) -> TimeClues:
    """The weekdays, days of the month and full dates that the lead of an article names."""
    names = _names()
    weekdays = 0
    days: set[tuple[int, int]] = set()
    dates: list[date] = []
    found = []
    for offset, part in enumerate(_lead(title, text)):
        for match in WORD.finditer(part):
            word = match.group()
            if not word[:1].isalpha() or len(word) < 3:
                continue
            number = _weekday_of(word, names)
            if number is None:
                continue
            # "Domingo" in mid-sentence, in a language that writes weekdays in lower
            # case, is a name (Plácido Domingo), not a Sunday.
            if word[:1].isupper() and _fold(word) in names.lowercase and match.start() > 0 \
                    and part[:match.start()].rstrip()[-1:] not in ".!?:»\"“(–-":
                continue
            weekdays |= 1 << number
            found.append(((offset, match.start()), "w", number))
            parens = _DAY_IN_PARENS.match(part, match.end())
            if parens and 1 <= int(parens.group("d")) <= 31:
                days.add((0, int(parens.group("d"))))
        folded = strip_accents(part.lower())
        for match in names.month_pattern.finditer(folded):
            day = int(match.group("d") or match.group("d2"))
            month = names.months.get(match.group("m") or match.group("m2"))
            year = match.group("y") or match.group("y2")
            _add_day(days, dates, month, day, year)
            if month is not None and 1 <= day <= 31:
                found.append(((offset, match.start()), "d", (month, day)))
        for match in _CJK_DATE.finditer(part):
            _add_day(days, dates, int(match.group("m") or 0), int(match.group("d")), match.group("y"))
        for match in _DAY_MONTH.finditer(part):
            _add_day(days, dates, int(match.group("m")), int(match.group("d")), None)
    if first and found:
        position, kind, value = min(found)
        if kind == "w":
            return TimeClues(1 << value, frozenset(), ())
        return TimeClues(0, frozenset([value]), ())
    return TimeClues(weekdays, frozenset(days), tuple(dict.fromkeys(dates)))


def _add_day(days: set, dates: list, month: int | None, day: int, year: str | None) -> None:
    if month is None or not 0 <= month <= 12 or not 1 <= day <= 31:
        return
    days.add((month, day))
    if year and month:
        try:
            dates.append(date(int(year), month, day))
        except ValueError:
            pass


def _spread(days: frozenset) -> set:
    """Each (month, day) with its neighbours (SLACK_DAYS), month 0 kept as "any month"."""
    out = set()
    for month, day in days:
        for shift in range(-SLACK_DAYS, SLACK_DAYS + 1):
            out.add((month, day + shift))
    return out


def _mask_spread(mask: int) -> int:
    out = 0
    for shift in range(-SLACK_DAYS, SLACK_DAYS + 1):
        for number in range(7):
            if mask >> number & 1:
                out |= 1 << ((number + shift) % 7)
    return out


def _days_agree(ours: frozenset, theirs: frozenset) -> bool:
    spread = _spread(theirs)
    for month, day in ours:
        for other_month, other_day in spread:
            if other_day == day and (month == 0 or other_month == 0 or month == other_month):
                return True
    return False


def clues_of_dates(moments) -> TimeClues:
    """The clues that known publication times give: each day and the day before (an
    article is published on the day of its event or the day after)."""
    weekdays = 0
    days = set()
    for moment in moments:
        if moment is None:
            continue
        day = moment.date() if isinstance(moment, datetime) else moment
        for back in (0, 1):
            shown = day - timedelta(days=back)
            weekdays |= 1 << shown.weekday()
            days.add((shown.month, shown.day))
    return TimeClues(weekdays, frozenset(days))


def clue_conflict(ours: TimeClues, theirs: TimeClues) -> bool:
    """True when both name a weekday and no two are within a day of each other, or
    both name a day of the month and none agree: the two cannot be about one day.
    One agreeing clue is enough to rule a conflict out (a lead may recall another day)."""
    if not ours or not theirs:
        return False
    compared = agreed = False
    if ours.weekdays and theirs.weekdays:
        compared = True
        agreed = bool(ours.weekdays & _mask_spread(theirs.weekdays))
    if not agreed and ours.days and theirs.days:
        compared = True
        agreed = _days_agree(ours.days, theirs.days)
    return compared and not agreed


# How far before a story's first dated article an event of one of its undated
# articles may lie (a lead recalls the day before, the weekend...), and after its last.
RESOLVE_BEFORE_DAYS = 7
RESOLVE_AFTER_DAYS = 1


def resolve_day(clues: TimeClues, first: datetime, last: datetime) -> date | None:
    """The day an undated article's lead names, among the days around its story's dated
    articles (from a week before the first to a day after the last): the one matching
    every kind of clue it gives (weekday, day of the month) nearest to the story's
    first date; None when it names no day or no day there matches."""
    if not clues or not (clues.weekdays or clues.days):
        return None
    start = first.date() - timedelta(days=RESOLVE_BEFORE_DAYS)
    end = last.date() + timedelta(days=RESOLVE_AFTER_DAYS)
    best = None
    day = start
    while day <= end:
        fits = True
        if clues.weekdays and not clues.weekdays >> day.weekday() & 1:
            fits = False
        if fits and clues.days and not any(d == day.day and m in (0, day.month) for m, d in clues.days):
            fits = False
        if fits:
            distance = abs((day - first.date()).days)
            if best is None or distance < best[0]:
                best = (distance, day)
        day += timedelta(days=1)
    return best[1] if best else None
