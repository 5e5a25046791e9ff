"""A story's timeline: articles over time, stacked by language, drawn as SVG on the server.

An article is placed at its publication date; without one, at its estimated date (a
range: a month stamp, a weekday resolved against the story), drawn apart as a band
over that range; without either it is listed apart as undated. Never at the time it
was collected: a page read today about a 2024 event would stretch the story to today.

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
    label_x: float  # left end of the label (text-anchor start): inside the picture, clear of its neighbours


@dataclass
class LegendEntry:
    lang: str
    name: str
    css: str
    count: int


@dataclass
class Band:
    """Articles with an estimated date, drawn as a band over the range the estimate
    allows rather than as a bar at a moment nobody knows."""

    x: float
    y: float
    width: float
    css: str
    label: str  # tooltip: count, language, estimated range and how it was estimated


@dataclass
class Timeline:
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT
    plot_top: float = TOP
    plot_bottom: float = HEIGHT - BOTTOM
    segments: list[Segment] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    max_count: int = 0
    plotted: int = 0  # articles with a publication date, in the bars
    estimated: int = 0  # articles with only an estimated date, in the bands
    undated: list = field(default_factory=list)  # neither: listed apart, never placed
    first: datetime | None = None  # the publication dates' span, as in the story's header
    last: datetime | None = None
    estimated_first: datetime | None = None  # the estimates' span, for a header with no publication date
    estimated_last: datetime | None = None
    description: str = ""

    @property
    def empty(self) -> bool:
        return self.plotted == 0 and self.estimated == 0

    @property
    def estimated_span(self) -> str:
        if self.estimated_first is None:
            return ""
        return "estimated " + _range_label(self.estimated_first, self.estimated_last)

    @property
    def bands_top(self) -> float:
        return self.plot_bottom + BAND_OFFSET


BAND_OFFSET = 34  # below the tick labels
BAND_ROW = 14
BAND_HEIGHT = 8
MAX_BAND_ROWS = 8  # past this, estimates are grouped by range alone (all languages in one band)
LABEL_GAP = 12  # pixels kept free between two tick labels


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


def dated_span(items: Sequence) -> tuple[datetime | None, datetime | None]:
    """The span the axis must cover: the publication dates, widened only for an
    estimate that falls wholly outside them (an estimate inside them, such as "the
    20th" for reports of the 20th, says nothing new about the story's span). The time
    an article was collected never counts: it says when we read it, not when it was news."""
    published = [i.published for i in items if i.published is not None]
    first, last = (min(published), max(published)) if published else (None, None)
    for item in items:
        estimate = _estimate(item)
        if estimate is None:
            continue
        if first is None:
            first, last = estimate.earliest, estimate.latest
        elif estimate.latest < first or estimate.earliest > last:
            first, last = min(first, estimate.earliest), max(last, estimate.latest)
    return first, last


def _estimate(item):
    return getattr(item, "estimate", None) if item.published is None else None


def build_timeline(items: Sequence, classes: dict[str, str] | None = None) -> Timeline:
    """Geometry for ``items`` (objects with ``lang``, ``published`` and optionally ``estimate``)."""
    classes = classes or language_classes([i.lang for i in items])
    timeline = Timeline()
    dated = [(i.published, i.lang) for i in items if i.published is not None]
    estimated = [(e, i.lang) for i in items if (e := _estimate(i)) is not None]
    timeline.undated = [i for i in items if i.published is None and _estimate(i) is None]
    if dated:
        timeline.first, timeline.last = min(m for m, _ in dated), max(m for m, _ in dated)
    span_first, span_last = dated_span(items)
    if span_first is None:
        return timeline

    width = _bin_width(span_last - span_first)
    first_bin = _floor(span_first, width)
    used = int((span_last - first_bin) / width) + 1
    bins = max(used, MIN_BINS)
    start = first_bin - width * ((bins - used) // 2)
    end = start + width * bins
    counts: dict[int, Counter] = {}
    for moment, lang in dated:
        counts.setdefault(int((moment - start) / width), Counter())[lang] += 1
    timeline.max_count = max((sum(c.values()) for c in counts.values()), default=0)
    timeline.plotted = len(dated)
    timeline.estimated = len(estimated)
    if estimated:
        timeline.estimated_first = min(e.earliest for e, _ in estimated)
        timeline.estimated_last = max(e.latest for e, _ in estimated)

    plot_width = timeline.plot_right - timeline.plot_left
    plot_height = timeline.plot_bottom - timeline.plot_top
    slot = plot_width / bins
    bar = max(slot * 0.8, 1.0)
    order = list(classes)
    if timeline.max_count:
        unit = plot_height / timeline.max_count
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

    def x_of(moment: datetime) -> float:
        moment = min(max(moment, start), end)
        return timeline.plot_left + (moment - start) / width * slot

    _place_bands(timeline, estimated, classes, order, x_of)
    timeline.ticks = _ticks(timeline, start, width, bins, slot)
    by_lang = Counter(lang for _, lang in dated) + Counter(lang for _, lang in estimated)
    timeline.legend = [LegendEntry(lang=lang, name=language_name(lang), css=classes[lang], count=by_lang[lang])
                       for lang in order if by_lang[lang]]
    timeline.description = _describe(timeline, width, Counter(lang for _, lang in dated), estimated)
    return timeline


def _place_bands(timeline: Timeline, estimated, classes, order, x_of) -> None:
    """One band per estimated range and language (per range alone when there are too many)."""
    if not estimated:
        return
    by_range: dict[tuple, Counter] = {}
    for estimate, lang in estimated:
        by_range.setdefault((estimate.earliest, estimate.latest, estimate.source), Counter())[lang] += 1
    rows = [(key, {lang: n}) for key, langs in sorted(by_range.items(), key=lambda kv: kv[0][:2])
            for lang, n in sorted(langs.items(), key=lambda kv: order.index(kv[0]))]
    if len(rows) > MAX_BAND_ROWS:
        rows = [(key, dict(langs)) for key, langs in sorted(by_range.items(), key=lambda kv: kv[0][:2])]
    for row, ((earliest, latest, source), langs) in enumerate(rows):
        left, right = x_of(earliest), x_of(latest)
        if right - left < 3:  # a narrow estimate stays visible
            right = min(left + 3, timeline.plot_right)
            left = right - 3
        n = sum(langs.values())
        css = classes[next(iter(langs))] if len(langs) == 1 else "lang-mixed"
        in_langs = ", ".join(f"{language_name(lang)} ({lang})" for lang in langs)
        timeline.bands.append(Band(
            x=round(left, 2), y=round(timeline.bands_top + row * BAND_ROW, 2), width=round(right - left, 2), css=css,
            label=f"{n} article{'s' if n != 1 else ''} in {in_langs}, date estimated: "
                  f"{_range_label(earliest, latest)} ({source})",
        ))
    timeline.height = int(timeline.bands_top + len(rows) * BAND_ROW + 6)


def _ticks(timeline: Timeline, start: datetime, width: timedelta, bins: int, slot: float) -> list[Tick]:
    """Ticks at bin starts, as many as fit with their labels side by side: every label
    is a whole date (with its year, and the hour for bins under a day), so that one read
    alone is not ambiguous."""
    step = max(1, math.ceil(bins / 4))
    while True:
        ticks, right_edge, fits = [], -math.inf, True
        for index in range(0, bins, step):
            label = tick_label(start + width * index, width)
            x = timeline.plot_left + index * slot
            text_width = len(label) * CHAR_WIDTH
            # Centred under its tick, but pushed back inside the picture at either end.
            left = min(max(x - text_width / 2, 0.0), timeline.width - text_width)
            if left < right_edge + LABEL_GAP:
                fits = False
                break
            right_edge = left + text_width
            ticks.append(Tick(x=round(x, 2), label=label, label_x=round(left, 2)))
        if fits or step >= bins:
            return ticks
        step += 1


def tick_label(moment: datetime, width: timedelta) -> str:
    """"20 Jun 2024 15:00" under hourly bins, "9 Oct 2024" under daily or wider ones."""
    return format_moment(moment, with_time=width < timedelta(days=1), with_year=True)


def _bin_label(start: datetime, width: timedelta) -> str:
    if width < timedelta(days=1):
        return f"{format_moment(start, with_time=True, with_year=True)}–{(start + width).strftime('%H:%M')} UTC"
    if width == timedelta(days=1):
        return format_moment(start, with_time=False, with_year=True)
    return f"{format_moment(start, with_time=False, with_year=True)} – {format_moment(start + width - timedelta(days=1), with_time=False, with_year=True)}"


def _range_label(earliest: datetime, latest: datetime) -> str:
    if earliest.date() == latest.date():
        return format_moment(earliest, with_time=False)
    return f"{format_moment(earliest, with_time=False)} – {format_moment(latest, with_time=False)}"


def _describe(timeline: Timeline, width: timedelta, by_lang: Counter, estimated) -> str:
    parts = []
    if timeline.plotted:
        n, first, last = timeline.plotted, timeline.first, timeline.last
        span = (f"at {format_moment(first, with_time=True, with_year=True)} UTC" if first == last else
                f"from {format_moment(first, with_time=True, with_year=True)} to "
                f"{format_moment(last, with_time=True, with_year=True)} UTC")
        per = f"{int(width / HOUR)}-hour" if width < timedelta(days=1) else f"{width.days}-day"
        langs = ", ".join(f"{by_lang[e.lang]} in {e.name}" for e in timeline.legend if by_lang[e.lang])
        parts.append(f"{n} article{'s' if n != 1 else ''} {span}, counted in {per} bins: {langs}.")
    if estimated:
        ranges = sorted({_range_label(e.earliest, e.latest) for e, _ in estimated})
        n = len(estimated)
        parts.append(f"{n} article{'s' if n != 1 else ''} with no publication date "
                     f"{'has an' if n == 1 else 'have'} estimated date{'s' if n != 1 else ''} "
                     f"({'; '.join(ranges)}), drawn as {'a band' if n == 1 else 'bands'} below the axis.")
    return " ".join(parts)
