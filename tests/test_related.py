"""Related stories (coverage/related.py) on real stores: the demo corpus ingested for real.

The look-alike pairs of the demo corpus (src/couverture/demo/README.md gives each
event's day) must be linked both ways, each labelled by the other's day: the treaty in
Pyongyang (19 Jun 2024) is earlier than Putin in Hanoi (20 Jun); the legislative first
round (30 Jun) than the second (7 Jul); the Euro semi-final (9 Jul) than the final
(14 Jul); the Olympic opening (26 Jul) than the closing (11 Aug); Francis's death
(21 Apr 2025) than Leo XIV's election (8 May 2025). No other demo story is linked.
"""
from __future__ import annotations

import json
import re
import sqlite3
import warnings

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from cli_runner import run
from couverture.coverage import related as related_module
from couverture.coverage.related import related_stories
from couverture.demo import demo_corpus_path
from couverture.engine import ingest_documents
from couverture.ingest import read_inputs
from couverture.store import Store
from couverture.web import create_app
from test_web_data import web_database
from test_web_pages import Markup

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

# (earlier event, later event), days from the demo README, checked by hand.
PAIRS = [
    ("putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024"),
    ("french-legislative-2024-first-round", "french-legislative-2024-second-round"),
    ("euro2024-semifinal-spain-france", "euro2024-final-spain-england"),
    ("paris2024-opening-ceremony", "paris2024-closing-ceremony"),
    ("pope-francis-death-2025", "leo-xiv-election-2025"),
]
PARTNER = {a: b for a, b in PAIRS} | {b: a for a, b in PAIRS}


def demo_records() -> list[dict]:
    return [json.loads(line) for line in demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]


def story_of_event(store: Store, event: str) -> str:
    """The story holding most of the event's articles."""
    votes: dict[str, int] = {}
    for record in demo_records():
        if record["event"] == event:
            story = store.resolve_story_id(store.get_article(record["id"]).story_id)
            votes[story] = votes.get(story, 0) + 1
    return max(votes, key=votes.get)


@pytest.fixture(scope="module")
def db(tmp_path_factory, analyzer):
    return web_database(tmp_path_factory, analyzer)  # seeds, demo corpus, hostile articles


@pytest.fixture(scope="module")
def store(db):
    s = Store(db, create=False)
    yield s
    s.close()


@pytest.fixture(scope="module")
def stories(store):
    return {event: story_of_event(store, event) for event in {r["event"] for r in demo_records()}}


@pytest.mark.parametrize("earlier, later", PAIRS)
def test_look_alike_stories_are_linked_both_ways_with_their_order(store, stories, earlier, later):
    first, second = stories[earlier], stories[later]
    assert first != second  # the clusterer keeps them apart: that is why they need linking
    seen_from_later = {r.id: r for r in related_stories(store, second).stories}
    seen_from_earlier = {r.id: r for r in related_stories(store, first).stories}
    assert first in seen_from_later and seen_from_later[first].relation == "earlier"
    assert second in seen_from_earlier and seen_from_earlier[second].relation == "later"
    link = seen_from_later[first]
    assert link.shared and link.score >= related_module.MIN_SCORE
    assert link.first is not None and link.first < seen_from_earlier[second].first


def test_no_other_demo_story_is_linked(store, stories):
    """Baltimore's bridge and Taiwan's earthquake share nothing main; the two earthquakes
    (Japan, Taiwan) are three months apart; Spain's floods and its football are months apart."""
    by_story = {story: event for event, story in stories.items()}
    for event, story in stories.items():
        linked = {by_story.get(r.id, r.id) for r in related_stories(store, story).stories}
        demo_links = {other for other in linked if other in stories}
        expected = {PARTNER[event]} if event in PARTNER else set()
        assert demo_links == expected, (event, linked)
    baltimore, taiwan = stories["baltimore-key-bridge-collapse-2024"], stories["hualien-earthquake-2024"]
    assert taiwan not in {r.id for r in related_stories(store, baltimore, span_days=3650).stories}
    assert baltimore not in {r.id for r in related_stories(store, taiwan, span_days=3650).stories}


def test_shared_names_meet_across_languages(store, stories):
    """Hanoi (de, es, fr, it with the seeds) and Pyongyang (de, en, fr, it) share Putin and
    North Korea, however each article spells them; each is named once."""
    hanoi = related_stories(store, stories["putin-hanoi-visit-2024"])
    (link,) = hanoi.stories
    names = {name.casefold() for name in link.shared}
    assert names & {"putin", "poutine", "vladimir putin", "vladimir poutine", "путин"}
    assert names & {"north korea", "corée du nord", "nordkorea", "corea del nord"}
    assert len([n for n in names if "put" in n or "pout" in n]) == 1  # one person, one name
    assert link.gap_days is not None and 0 < link.gap_days < 2


def test_span_of_time(store, stories):
    opening, closing = stories["paris2024-opening-ceremony"], stories["paris2024-closing-ceremony"]
    # The opening's articles end on 27 Jul 06:00, the closing's begin on 11 Aug 21:50: 15.7 days.
    assert closing not in {r.id for r in related_stories(store, opening, span_days=10).stories}
    assert closing in {r.id for r in related_stories(store, opening, span_days=20).stories}
    hanoi, pyongyang = stories["putin-hanoi-visit-2024"], stories["putin-kim-pyongyang-treaty-2024"]
    assert related_stories(store, hanoi, span_days=0.5).stories == []
    assert [r.id for r in related_stories(store, hanoi, span_days=1.5).stories] == [pyongyang]


def test_show_prints_the_section_and_the_json(db, stories):
    hanoi, pyongyang = stories["putin-hanoi-visit-2024"], stories["putin-kim-pyongyang-treaty-2024"]
    shown = run("show", hanoi, "--db", db)
    assert shown.exit_code == 0, shown.output
    section = shown.stdout[shown.stdout.index("\nRelated stories"):]
    assert f"earlier    2024-06-19       {pyongyang}  Putin and Kim sign mutual defence pact" in section
    assert "shared: " in section
    as_json = json.loads(run("show", hanoi, "--json", "--db", db).stdout)
    assert [(r["id"], r["relation"]) for r in as_json["related"]] == [(pyongyang, "earlier")]
    narrow = run("show", hanoi, "--related-days", "0.5", "--db", db)
    assert pyongyang not in narrow.stdout and "\nRelated stories (sharing its main names, within 0.5 days)\n  none" in narrow.stdout


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def test_story_page_links_its_related_stories(client, stories):
    hanoi, pyongyang = stories["putin-hanoi-visit-2024"], stories["putin-kim-pyongyang-treaty-2024"]
    page = client.get(f"/stories/{hanoi}")
    assert page.status_code == 200
    section = page.text[page.text.index('<section class="related"'):]
    section = section[: section.index("</section>")]
    markup = Markup(section)
    assert markup.links == [f"/stories/{pyongyang}"]
    assert "Earlier" in markup.plain and "Putin and Kim sign mutual defence pact" in markup.plain
    assert 'href="#related-heading"' in page.text
    back = client.get(markup.links[0])  # the link works, and the other page links back, as later
    assert back.status_code == 200
    back_section = back.text[back.text.index('<section class="related"'):]
    assert f'href="/stories/{hanoi}"' in back_section and "Later" in Markup(back_section).plain
    # A story with nothing related has no section.
    baltimore = client.get(f"/stories/{stories['baltimore-key-bridge-collapse-2024']}")
    assert baltimore.status_code == 200 and 'class="related"' not in baltimore.text


def test_api_lists_related_stories(client, stories):
    hanoi, pyongyang = stories["putin-hanoi-visit-2024"], stories["putin-kim-pyongyang-treaty-2024"]
    listed = client.get(f"/api/stories/{hanoi}/related").json()
    assert listed["story_id"] == hanoi and listed["span_days"] == 30
    assert [(r["id"], r["relation"], r["page"]) for r in listed["related"]] == [(pyongyang, "earlier", f"/stories/{pyongyang}")]
    assert listed["related"][0]["first"].startswith("2024-06-19")
    story = client.get(f"/api/stories/{pyongyang}").json()
    assert [(r["id"], r["relation"]) for r in story["related"]] == [(hanoi, "later")]
    assert client.get(f"/api/stories/{hanoi}/related", params={"days": 0.5}).json()["related"] == []
    assert client.get("/api/stories/s-nothing-here/related").status_code == 404
    for bad in ("-1", "nan", "1e9", "²"):
        answer = client.get(f"/api/stories/{hanoi}/related", params={"days": bad})
        assert answer.status_code == 422 and answer.json()["errors"][0]["parameter"] == "days"
    assert "/api/stories/{story_id}/related" in client.get("/openapi.json").json()["paths"]


def test_hostile_headlines_are_escaped_in_the_section(tmp_path, analyzer):
    """A related story's headline comes from a scraped page: shown as text, never as markup.
    (Three unrelated events beside the pair: with two stories only, every shared name
    would be in all stories, and weigh nothing.)"""
    others = ("putin-hanoi-visit-2024", "baltimore-key-bridge-collapse-2024", "hualien-earthquake-2024",
              "noto-earthquake-2024")
    records = [r for r in demo_records() if r["event"] in others]
    treaty = [dict(r) for r in demo_records() if r["event"] == "putin-kim-pyongyang-treaty-2024"]
    for record in treaty:
        record.pop("title", None)
        lines = record["text"].split("\n")
        record["text"] = "\n".join(["<img src=x onerror=alert(9)> " + lines[0], *lines[1:]])
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records + treaty) + "\n", encoding="utf-8")
    store = Store(tmp_path / "h.db")
    ingest_documents(store, read_inputs([str(path)]), analyzer=analyzer)
    hanoi = story_of_event(store, "putin-hanoi-visit-2024")
    store.close()
    with TestClient(create_app(tmp_path / "h.db"), base_url="http://127.0.0.1:8000") as client:
        page = client.get(f"/stories/{hanoi}").text
    section = page[page.index('<section class="related"'):]
    section = section[: section.index("</section>")]
    assert "&lt;img src=x onerror=alert(9)&gt;" in section
    assert "<img" not in section


def _ingest(store: Store, analyzer, records: list[dict], path) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    report = ingest_documents(store, read_inputs([str(path)]), analyzer=analyzer)
    assert not report.errors


def test_new_stories_reach_a_reader_opened_before_them(tmp_path, analyzer):
    """The index follows the store: a reader (the web server's store) opened before an
    ingest sees the stories it adds, and a story merged away leaves the index."""
    db = tmp_path / "grow.db"
    writer = Store(db)
    first = ("putin-kim-pyongyang-treaty-2024", "baltimore-key-bridge-collapse-2024", "noto-earthquake-2024")
    _ingest(writer, analyzer, [r for r in demo_records() if r["event"] in first], tmp_path / "a.jsonl")
    reader = Store(db, create=False)
    pyongyang = story_of_event(reader, "putin-kim-pyongyang-treaty-2024")
    assert related_stories(reader, pyongyang).stories == []
    _ingest(writer, analyzer, [r for r in demo_records() if r["event"] == "putin-hanoi-visit-2024"],
            tmp_path / "b.jsonl")
    hanoi = story_of_event(reader, "putin-hanoi-visit-2024")
    assert [(r.id, r.relation) for r in related_stories(reader, pyongyang).stories] == [(hanoi, "later")]

    # What a merge writes: the story merged away gets merged_into and size 0 (and keeps
    # its updated_at, here made older than the index's watermark), the one that took it a new updated_at.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE stories SET merged_into = ?, size = 0, updated_at = '2000-01-01 00:00:00.000000' "
                     "WHERE id = ?", (hanoi, pyongyang))
        conn.execute("UPDATE stories SET updated_at = '2100-01-01 00:00:00.000000' WHERE id = ?", (hanoi,))
    conn.close()
    assert related_stories(reader, hanoi).stories == []
    reader.close()
    writer.close()


def test_a_database_without_the_index_tables_gets_the_same_links_and_keeps_its_schema(tmp_path, analyzer):
    """A database written before the index existed (or that cannot be written) is indexed
    in memory; reading it creates no table."""
    db = tmp_path / "old.db"
    writer = Store(db)
    events = ("putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024", "noto-earthquake-2024")
    _ingest(writer, analyzer, [r for r in demo_records() if r["event"] in events], tmp_path / "c.jsonl")
    hanoi = story_of_event(writer, "putin-hanoi-visit-2024")
    with_index = [(r.id, r.relation, r.shared) for r in related_stories(writer, hanoi).stories]
    assert len(with_index) == 1
    writer.close()
    with sqlite3.connect(db) as conn:
        for table in ("related_entities", "related_spans", "related_state"):
            conn.execute(f"DROP TABLE {table}")
        schema = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    conn.close()
    reader = Store(db, create=False)
    assert [(r.id, r.relation, r.shared) for r in related_stories(reader, hanoi).stories] == with_index
    assert related_module.related_index(reader).in_memory
    reader.close()
    with sqlite3.connect(db) as conn:
        assert sorted(conn.execute("SELECT type, name, sql FROM sqlite_master")) == schema
    conn.close()


def test_undated_stories_are_compared_on_entities_alone_and_say_so(tmp_path, analyzer):
    records = []
    for record in demo_records():
        if record["event"] in ("putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024", "noto-earthquake-2024",
                               "baltimore-key-bridge-collapse-2024"):
            record = dict(record)
            record.pop("published")
            record.pop("url")  # its path holds the day
            # and so do the date lines ("Publié le 19/06/2024 à 13h40", "Stand: 19.06.2024 15:20 Uhr")
            record["text"] = "\n".join(line for line in record["text"].split("\n")
                                       if not re.search(r"\d{1,2}[./]\d{1,2}[./]20\d\d", line))
            records.append(record)
    store = Store(tmp_path / "undated.db")
    _ingest(store, analyzer, records, tmp_path / "d.jsonl")
    hanoi, pyongyang = story_of_event(store, "putin-hanoi-visit-2024"), story_of_event(store, "putin-kim-pyongyang-treaty-2024")
    assert hanoi != pyongyang
    found = related_stories(store, hanoi)
    assert "no date" in found.note and "entities alone" in found.note
    assert [(r.id, r.relation, r.gap_days) for r in found.stories] == [(pyongyang, "undated", None)]
    store.close()
