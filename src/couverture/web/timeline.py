"""A story's timeline: articles over time, stacked by language, drawn as SVG on the server.

This module only computes the geometry (bins, bars, ticks); the template draws it, so
every label goes through the template's escaping. Colours are CSS classes
(``lang-c0`` ... ``lang-c7``), never inline styles, so the page keeps a strict
Content-Security-Policy; the same class marks a language in the source list.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .text import HOUR, format_moment, language_name

PALETTE_SIZE = 8
# Candidate bin widths, smallest first; the first that needs at most MAX_BINS bins wins.
BIN_WIDTHS = [timedelta(hours=h) for h in (1, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30, 24 * 91, 24 * 365)]
MAX_BINS = 36
MIN_BINS = 12  # a single burst still reads as a moment in time, not one wide block

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 16, 44  # margins around the plot area
CHAR_WIDTH = 7.5  # rough width of a label character at the stylesheet's 13px


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str  # tooltip: bin, count, language


@dataclass
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # SVG text-anchor, so that no label runs off the picture


@dataclass
class LegendEntry:
    lang: str
    name: str
    css: str
    count: int


@dataclass
class Timeline:
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT
    plot_top: float = TOP
    plot_bottom: float = HEIGHT - BOTTOM
    segments: list[Segment] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    max_count: int = 0
    plotted: int = 0
    placed_by_collection: int = 0  # undated articles drawn at the time they were collected
    not_shown: int = 0  # neither published nor collected time
    description: str = ""

    @property
    def empty(self) -> bool:
        return self.plotted == 0


def language_classes(langs: Sequence[str]) -> dict[str, str]:
    """A colour class per language: most frequent first, ties by code, the palette reused past 8."""
    counts = Counter(langs)
    ordered = sorted(counts, key=lambda lang: (-counts[lang], lang))
    return {lang: f"lang-c{i % PALETTE_SIZE}" for i, lang in enumerate(ordered)}


def _bin_width(span: timedelta) -> timedelta:
    for width in BIN_WIDTHS:
        if span / width < MAX_BINS:
            return width
    days = math.ceil(span / timedelta(days=1) / MAX_BINS) + 1
    return timedelta(days=days)


def _floor(moment: datetime, width: timedelta) -> datetime:
    seconds = width.total_seconds()
    return datetime.fromtimestamp(math.floor(moment.timestamp() / seconds) * seconds, tz=timezone.utc)


def build_timeline(items: Sequence, classes: dict[str, str] | None = None) -> Timeline:
    """Geometry for ``items`` (objects with ``lang``, ``published`` and ``fetched_at``)."""
    classes = classes or language_classes([i.lang for i in items])
    timeline = Timeline()
    dated: list[tuple[datetime, str]] = []
    for item in items:
        moment = item.published or item.fetched_at
        if moment is None:
            timeline.not_shown += 1
            continue
        if item.published is None:
            timeline.placed_by_collection += 1
        dated.append((moment, item.lang))
    if not dated:
        return timeline

    first, last = min(m for m, _ in dated), max(m for m, _ in dated)
    width = _bin_width(last - first)
    first_bin = _floor(first, width)
    used = int((last - first_bin) / width) + 1
    bins = max(used, MIN_BINS)
    start = first_bin - width * ((bins - used) // 2)
    counts: dict[int, Counter] = {}
    for moment, lang in dated:
        counts.setdefault(int((moment - start) / width), Counter())[lang] += 1
    timeline.max_count = max(sum(c.values()) for c in counts.values())
    timeline.plotted = len(dated)

    plot_width = timeline.plot_right - timeline.plot_left
    plot_height = timeline.plot_bottom - timeline.plot_top
    slot = plot_width / bins
    bar = max(slot * 0.8, 1.0)
    unit = plot_height / timeline.max_count
    order = list(classes)
    for index, by_lang in sorted(counts.items()):
        x = timeline.plot_left + index * slot + (slot - bar) / 2
        y = timeline.plot_bottom
        bin_start = start + width * index
        for lang in sorted(by_lang, key=order.index):
            n = by_lang[lang]
            y -= n * unit
            timeline.segments.append(Segment(
                x=round(x, 2), y=round(y, 2), width=round(bar, 2), height=round(n * unit, 2), css=classes[lang],
                label=f"{_bin_label(bin_start, width)}: {n} article{'s' if n != 1 else ''} in {language_name(lang)} ({lang})",
            ))

    step = max(1, math.ceil(bins / 4))
    previous: datetime | None = None
    for index in range(0, bins, step):
        moment = start + width * index
        label = _tick_label(moment, previous, width)
        previous = moment
        x = round(timeline.plot_left + index * slot, 2)
        half = len(label) * CHAR_WIDTH / 2
        anchor = "start" if index == 0 else "end" if x + half > timeline.width else "middle"
        timeline.ticks.append(Tick(x=x, label=label, anchor=anchor))
    by_lang = Counter(lang for _, lang in dated)
    timeline.legend = [LegendEntry(lang=lang, name=language_name(lang), css=classes[lang], count=by_lang[lang])
                       for lang in order if by_lang[lang]]
    timeline.description = _describe(timeline, first, last, width)
    return timeline


def _tick_label(moment: datetime, previous: datetime | None, width: timedelta) -> str:
    """Short labels: the date only where it changes, the year only where it changes."""
    new_day = previous is None or previous.date() != moment.date()
    new_year = previous is None or previous.year != moment.year
    if width < timedelta(days=1):
        clock = f"{moment.hour:02d}:{moment.minute:02d}"
        return f"{format_moment(moment, with_time=False, with_year=False)} {clock}" if new_day else clock
    return format_moment(moment, with_time=False, with_year=new_year)


def _bin_label(start: datetime, width: timedelta) -> str:
    if width < timedelta(days=1):
        return f"{format_moment(start, with_time=True, with_year=True)}–{(start + width).strftime('%H:%M')} UTC"
    if width == timedelta(days=1):
        return format_moment(start, with_time=False, with_year=True)
    return f"{format_moment(start, with_time=False, with_year=True)} – {format_moment(start + width - timedelta(days=1), with_time=False, with_year=True)}"


def _describe(timeline: Timeline, first: datetime, last: datetime, width: timedelta) -> str:
    n = timeline.plotted
    span = (f"at {format_moment(first, with_time=True, with_year=True)} UTC" if first == last else
            f"from {format_moment(first, with_time=True, with_year=True)} to "
            f"{format_moment(last, with_time=True, with_year=True)} UTC")
    per = f"{int(width / HOUR)}-hour" if width < timedelta(days=1) else f"{width.days}-day"
    langs = ", ".join(f"{e.count} in {e.name}" for e in timeline.legend)
    return f"{n} article{'s' if n != 1 else ''} {span}, counted in {per} bins: {langs}."
