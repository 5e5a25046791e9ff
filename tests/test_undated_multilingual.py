"""Undated articles and other scripts, on real articles of ../shared/data/multinews_dev
ingested into a real store with the shipped decisions (issue: real-input clustering).

Each test writes a few of its articles as JSONL and ingests them as a user would;
the gold stories come from the set's labels, never from this code's output.
"""
from __future__ import annotations

import json

import pytest

from conftest import DATA
from couverture.cluster import OnlineClusterer
from couverture.cluster.profile import ArticleProfile
from couverture.engine import ingest_paths
from couverture.eval.datasets import load_multinews_dev
from couverture.pipeline import cluster_articles, extract_all, stream_order

MULTINEWS = DATA / "multinews_dev" / "stories.jsonl"


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    with open(MULTINEWS, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {row["id"]: row for row in rows}


def _ingest(store, analyzer, tmp_path, records, ids, name):
    path = tmp_path / f"{name}.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for article_id in ids:
            row = {k: v for k, v in records[article_id].items() if k != "story"}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    report = ingest_paths(store, [path], analyzer=analyzer)
    assert not report.errors and report.added == len(ids)
    return report.story_of


def _story_now(store, article_id):
    return store.get_article(article_id).story_id


def test_an_undated_article_joins_the_dated_story_of_its_event(store, analyzer, tmp_path, records):
    # The Ever Given refloated: four dated reports, then an undated one in a later call.
    dated = ["d0065", "d0104", "d0117", "d0148"]
    assert all(records[i]["published"] and records[i]["story"] == "e13" for i in dated)
    assert records["d0144"]["published"] is None and records["d0144"]["story"] == "e13"
    first = _ingest(store, analyzer, tmp_path, records, dated, "dated")
    assert len(set(first.values())) == 1
    _ingest(store, analyzer, tmp_path, records, ["d0144"], "undated")
    assert _story_now(store, "d0144") == _story_now(store, "d0065")


def test_a_dated_article_joins_a_story_begun_by_undated_ones(store, analyzer, tmp_path, records):
    # Harris accepts the 2024 nomination: five undated reports first, a dated one later.
    undated = ["d0026", "d0039", "d0046", "d0098", "d0118"]
    assert all(records[i]["published"] is None and records[i]["story"] == "e16" for i in undated)
    _ingest(store, analyzer, tmp_path, records, undated, "undated")
    stories = {_story_now(store, i) for i in undated}
    assert len(stories) == 1
    assert records["d0131"]["published"] == "2024-08-23"
    _ingest(store, analyzer, tmp_path, records, ["d0131"], "dated")
    assert _story_now(store, "d0131") in stories


def test_undated_reports_of_two_events_of_one_week_and_place_stay_apart(store, analyzer, tmp_path, records):
    # Valencia: the flood's death toll (29-30 Oct) and the royal visit to Paiporta pelted
    # with mud (3 Nov), both undated, both in Spanish, both naming Paiporta and the DANA.
    floods, visit = ["d0053", "d0147", "d0115"], ["d0081", "d0090", "d0137"]
    assert {records[i]["story"] for i in floods} == {"e21"} and {records[i]["story"] for i in visit} == {"e22"}
    assert all(records[i]["published"] is None for i in floods + visit)
    _ingest(store, analyzer, tmp_path, records, floods + visit, "valencia")
    assert {_story_now(store, i) for i in floods}.isdisjoint({_story_now(store, i) for i in visit})


def test_cyrillic_and_arabic_reports_join_their_latin_script_stories(store, analyzer, tmp_path, records):
    milton = ["d0020", "d0107", "d0070", "d0003"]  # Spanish and German, Latin script
    assert {records[i]["story"] for i in milton} == {"e24"} == {records["d0055"]["story"]}
    assert records["d0055"]["lang"] == "mk"  # "Ураганот Милтон пристигна на Флорида..."
    final = ["d0016", "d0155", "d0100"]  # Portuguese
    assert {records[i]["story"] for i in final} == {"e10"} == {records["d0122"]["story"]}
    assert records["d0122"]["lang"] == "ar"  # "الأرجنتين بطلة كأس العالم قطر 2022"
    _ingest(store, analyzer, tmp_path, records, milton + final, "latin")
    _ingest(store, analyzer, tmp_path, records, ["d0055", "d0122"], "other-scripts")
    assert _story_now(store, "d0055") == _story_now(store, "d0020")
    assert _story_now(store, "d0122") == _story_now(store, "d0016")
    assert _story_now(store, "d0055") != _story_now(store, "d0122")


def test_a_one_paragraph_wire_item_is_stored(store, analyzer, tmp_path):
    item = tmp_path / "flash.txt"
    item.write_text("Hurricane Milton made landfall near Siesta Key on Wednesday night as a Category 3 storm, "
                    "bringing winds of 205 km/h and tornadoes to Florida's west coast.\n\n(AFP)\n", encoding="utf-8")
    report = ingest_paths(store, [item], analyzer=analyzer)
    assert report.added == 1 and not report.errors
    (article_id,) = report.story_of
    stored = store.get_article(article_id)
    assert stored.title.startswith("Hurricane Milton made landfall") and "Siesta Key" in stored.text
    assert stored.agencies == ["AFP"]


def test_stories_the_clock_retired_are_woken_for_an_undated_article(analyzer):
    # Notre-Dame on fire (April 2019, dated), then eight dated reports of the Ever Given
    # (March 2021) move the clock two years on and retire the fire's story; an undated
    # report of the fire must still find it.
    data = load_multinews_dev()
    wanted = {"d0029", "d0048", "d0087", "d0108",  # fire, dated
              "d0006", "d0007", "d0037", "d0065", "d0104", "d0117", "d0121", "d0148",  # refloated, dated
              "d0056"}  # fire, undated: "...touchée par un violent incendie ... ce lundi 15 avril"
    documents = [d for d in data.documents if d.content["id"] in wanted]
    articles = extract_all(documents).articles
    features = analyzer.analyze_many(articles)
    clusterer = OnlineClusterer()
    order = stream_order(articles)
    assert articles[order[-1]].id == "d0056"  # undated last, as an ingest orders them
    seen_dormant, assigned = [], {}
    for index in order:
        if articles[index].id == "d0056":
            seen_dormant = sorted(clusterer.dormant)
        assigned[articles[index].id] = clusterer.add(ArticleProfile.build(articles[index], features[index])).story_id
    clusterer.finish()
    ids = {aid: clusterer.story_of(aid, sid) for aid, sid in assigned.items()}
    assert seen_dormant, "the fire's story should have been retired by the clock before the undated report"
    fire = {ids[i] for i in ("d0029", "d0048", "d0087", "d0108")}
    assert len(fire) == 1 and ids["d0056"] in fire
    # Without dormant stories (the behaviour before), it could not have found it.
    again = OnlineClusterer(max_dormant=0)
    predicted = cluster_articles(articles, features, again, order=order)
    by_id = dict(zip((a.id for a in articles), predicted))
    assert by_id["d0056"] not in {by_id[i] for i in ("d0029", "d0048", "d0087", "d0108")}
