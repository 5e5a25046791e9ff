"""The timeline's geometry: bins, stacking, colours, undated articles, labels inside the picture."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from couverture.web.timeline import CHAR_WIDTH, MAX_BINS, MIN_BINS, build_timeline, language_classes

T0 = datetime(2024, 6, 20, 15, 45, tzinfo=timezone.utc)


@dataclass
class Item:
    lang: str
    published: datetime | None
    fetched_at: datetime | None = None


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


def test_undated_articles_are_placed_at_collection_time_or_left_out():
    items = [Item("fr", None, fetched_at=T0), Item("fr", None, fetched_at=T0 + timedelta(hours=1)), Item("en", None)]
    timeline = build_timeline(items)
    assert timeline.plotted == 2 and timeline.placed_by_collection == 2 and timeline.not_shown == 1
    assert not build_timeline([Item("en", None)]).segments
    assert build_timeline([Item("en", None)]).empty


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
        left = {"start": tick.x, "middle": tick.x - width / 2, "end": tick.x - width}[tick.anchor]
        assert 0 <= left and left + width <= timeline.width, tick


def test_hourly_ticks_name_the_day_only_when_it_changes():
    items = [Item("en", T0), Item("en", T0 + timedelta(hours=20))]
    labels = [t.label for t in build_timeline(items).ticks]
    assert labels[0].startswith("20 Jun ")
    assert any(label.startswith("21 Jun ") for label in labels)
    assert any(len(label) == 5 and label[2] == ":" for label in labels)  # bare "HH:MM" in between
