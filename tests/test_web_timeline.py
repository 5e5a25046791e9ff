"""The timeline's geometry: bins, stacking, colours, undated articles, labels inside the picture."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from datetime import datetime, timedelta, timezone

from couverture.models import DateEstimate
from couverture.web.timeline import CHAR_WIDTH, MAX_BINS, MIN_BINS, build_timeline, language_classes

T0 = datetime(2024, 6, 20, 15, 45, tzinfo=timezone.utc)


@dataclass
class Item:
    lang: str
    published: datetime | None
    fetched_at: datetime | None = None
    estimate: DateEstimate | None = None


def _bars_by_x(timeline):
    stacks = {}
    for segment in timeline.segments:
        stacks.setdefault(segment.x, []).append(segment)
    return stacks


def test_same_day_articles_fall_in_hourly_bins_stacked_by_language():
    items = [Item("fr", T0), Item("fr", T0 + timedelta(minutes=10)), Item("it", T0 + timedelta(minutes=5)),
             Item("de", T0 + timedelta(hours=3, minutes=20))]
    timeline = build_timeline(items)
    assert timeline.plotted == 4 and timeline.max_count == 3
    stacks = _bars_by_x(timeline)
    assert sorted(len(s) for s in stacks.values()) == [1, 2]  # 15:00 bin: fr + it; 19:00 bin: de
    tallest = max(stacks.values(), key=len)
    assert sum(s.height for s in tallest) == timeline.plot_bottom - timeline.plot_top
    bottom = max(tallest, key=lambda s: s.y + s.height)
    assert abs(bottom.y + bottom.height - timeline.plot_bottom) < 0.01
    assert "1-hour bins" in timeline.description
    assert "15:00–16:00 UTC: 2 articles in French (fr)" in [s.label for s in timeline.segments][0]


def test_the_most_covered_language_gets_the_first_colour_everywhere():
    items = [Item("it", T0), Item("fr", T0), Item("fr", T0), Item("de", T0), Item("de", T0)]
    classes = language_classes([i.lang for i in items])
    assert classes == {"de": "lang-c0", "fr": "lang-c1", "it": "lang-c2"}  # count, then code
    timeline = build_timeline(items, classes)
    assert [(e.lang, e.css, e.count) for e in timeline.legend] == [("de", "lang-c0", 2), ("fr", "lang-c1", 2), ("it", "lang-c2", 1)]
    assert {s.css for s in timeline.segments} == {"lang-c0", "lang-c1", "lang-c2"}
    many = language_classes([f"l{i}" for i in range(10)])
    assert many["l8"] == "lang-c0" and many["l9"] == "lang-c1"  # the palette wraps, never fails


def test_collection_time_never_places_an_article():
    # Two years after the event, an undated report is read: it must not stretch the story to then.
    later = T0 + timedelta(days=900)
    items = [Item("fr", T0), Item("it", T0 + timedelta(hours=3)), Item("fr", None, fetched_at=later)]
    timeline = build_timeline(items)
    assert timeline.plotted == 2 and timeline.estimated == 0
    assert [i.lang for i in timeline.undated] == ["fr"]
    assert "1-hour bins" in timeline.description
    assert all(t.label.startswith("20 Jun 2024") for t in timeline.ticks), [t.label for t in timeline.ticks]
    assert not build_timeline([Item("en", None, fetched_at=later)]).segments
    assert build_timeline([Item("en", None, fetched_at=later)]).empty


def _day(moment: datetime) -> DateEstimate:
    start = moment.replace(hour=0, minute=0, second=0)
    return DateEstimate(start, start + timedelta(hours=23, minutes=59, seconds=59), "the day its lead names")


def test_an_estimated_date_is_a_band_over_its_range_not_a_bar():
    # Reports of 20 Jun between 15:45 and 19:05, and one whose lead only names "Thursday" (the 20th).
    items = [Item("fr", T0), Item("de", T0 + timedelta(hours=3, minutes=20)), Item("fr", None, estimate=_day(T0))]
    timeline = build_timeline(items)
    assert timeline.plotted == 2 and timeline.estimated == 1 and not timeline.undated
    assert len(timeline.segments) == 2  # one bar each for the two dated reports, none for the estimate
    (band,) = timeline.bands
    assert band.y > timeline.plot_bottom  # apart from the bars, below the axis
    assert band.y + 8 <= timeline.height
    # The day covers the whole hourly axis (which stays on the 20th): the band spans it.
    assert band.x == timeline.plot_left and abs(band.x + band.width - timeline.plot_right) < 0.01
    assert "20 Jun 2024" in band.label and "the day its lead names" in band.label
    # An estimate inside the publication dates does not widen the axis: it stays hourly.
    assert "1-hour bins" in timeline.description
    assert timeline.estimated_span == "estimated 20 Jun 2024"


def test_an_estimate_outside_the_dated_span_widens_the_axis_to_show_it():
    october = DateEstimate(datetime(2024, 10, 1, tzinfo=timezone.utc), datetime(2024, 10, 31, 23, 59, 59, tzinfo=timezone.utc),
                           "month stamp 2024-10")
    timeline = build_timeline([Item("en", T0), Item("en", T0 + timedelta(hours=2)), Item("en", None, estimate=october)])
    (band,) = timeline.bands
    assert timeline.plot_left < band.x and band.x + band.width <= timeline.plot_right + 0.01
    # The band is as wide as October is on an axis from June to past October.
    assert any("Oct 2024" in t.label or "Nov 2024" in t.label for t in timeline.ticks)
    assert "1-hour bins" not in timeline.description


def test_only_estimates_still_give_a_timeline_with_its_span():
    timeline = build_timeline([Item("it", None, estimate=_day(T0)), Item("it", None, estimate=_day(T0 + timedelta(days=2)))])
    assert not timeline.empty and not timeline.segments and len(timeline.bands) == 2
    assert timeline.estimated_span == "estimated 20 Jun 2024 – 22 Jun 2024"
    bands = sorted(timeline.bands, key=lambda b: b.x)
    assert bands[0].x + bands[0].width <= bands[1].x  # two days apart, side by side, not overlapping


def test_a_single_article_is_a_narrow_bar_not_a_block():
    timeline = build_timeline([Item("fr", T0)])
    (segment,) = timeline.segments
    assert segment.width < (timeline.plot_right - timeline.plot_left) / MIN_BINS
    assert timeline.plot_left < segment.x < timeline.plot_right
    assert "at 20 Jun 2024 15:45 UTC" in timeline.description


def test_long_stories_use_wider_bins_and_labels_stay_inside():
    items = [Item("en", T0 + timedelta(days=d)) for d in range(0, 400, 9)]
    timeline = build_timeline(items)
    assert len(_bars_by_x(timeline)) <= MAX_BINS
    assert timeline.plotted == len(items)
    assert all(timeline.plot_left <= s.x and s.x + s.width <= timeline.plot_right + 0.01 for s in timeline.segments)
    assert "2024" in timeline.ticks[0].label
    assert any("2025" in t.label for t in timeline.ticks)  # the year is named where it changes
    for tick in timeline.ticks:
        width = len(tick.label) * CHAR_WIDTH
        left = tick.label_x
        assert 0 <= left and left + width <= timeline.width, tick


def _read_alone(label: str) -> datetime:
    """A tick label parsed with nothing else known: it must carry day, month and year."""
    for pattern in ("%d %b %Y %H:%M", "%d %b %Y"):
        try:
            return datetime.strptime(label, pattern).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    raise AssertionError(f"tick label {label!r} is not a whole date")


@pytest.mark.parametrize("span", [timedelta(hours=20), timedelta(days=9), timedelta(days=80), timedelta(days=800)])
def test_every_tick_label_is_a_whole_date_at_its_tick_and_none_overlap(span):
    items = [Item("en", T0), Item("en", T0 + span / 3), Item("en", T0 + span)]
    timeline = build_timeline(items)
    ticks = timeline.ticks
    assert len(ticks) >= 2
    moments = [_read_alone(t.label) for t in ticks]
    # The labels name the moments at their ticks: equal steps in time are equal steps in x.
    per_pixel = (moments[1] - moments[0]) / (ticks[1].x - ticks[0].x)
    for tick, moment in zip(ticks, moments):
        assert abs((moment - moments[0]) - per_pixel * (tick.x - ticks[0].x)) < timedelta(minutes=1)
    assert moments[0] <= T0 + span and moments[-1] >= T0 - span  # on the story's own dates
    edges = [(t.label_x, t.label_x + len(t.label) * CHAR_WIDTH) for t in ticks]
    assert all(0 <= left and right <= timeline.width for left, right in edges)
    assert all(a[1] < b[0] for a, b in zip(edges, edges[1:])), edges
