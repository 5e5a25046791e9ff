"""The JSON API: every endpoint, its filters, unknown ids (404) and bad parameters (422)."""
from __future__ import annotations

import warnings
from datetime import date, datetime

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # starlette would rather its test client ran on httpx2; httpx works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from couverture.store import Store
from couverture.web import create_app
from test_web_data import HOSTILE_ID, HOSTILE_TITLE, is_seed, seeds_story_id, web_database


@pytest.fixture(scope="module")
def db(tmp_path_factory, analyzer):
    return web_database(tmp_path_factory, analyzer)


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def seeds_story(db):
    store = Store(db)
    try:
        return seeds_story_id(store)
    finally:
        store.close()


def _all_stories(client, **params):
    response = client.get("/api/stories", params=dict(params, per_page=100))
    assert response.status_code == 200, response.text
    return response.json()


def _assert_error(response, status: int, *words: str):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    for word in words:
        assert word in body["message"], body
    return body


# --- /api/stories ---------------------------------------------------------------------------
def test_stories_are_listed_most_recently_active_first_with_counts(client, db):
    body = _all_stories(client)
    stories = body["stories"]
    assert body["total"] == len(stories) >= 15
    store = Store(db)
    try:
        expected = [s.id for s in store.list_stories()]
    finally:
        store.close()
    assert [s["id"] for s in stories] == expected  # the store's own order: newest activity first
    dated = [s for s in stories if s["last_published"]]
    last = [datetime.fromisoformat(s["last_published"]) for s in dated]
    assert last == sorted(last, reverse=True)
    eurocopa = next(s for s in stories if "Eurocopa tras vencer a Inglaterra" in s["headline"])
    assert eurocopa["article_count"] >= 3 and len(eurocopa["outlets"]) >= 3
    assert {"es", "en"} <= set(eurocopa["languages"])
    assert eurocopa["page"] == f"/stories/{eurocopa['id']}"


def test_story_filters_language_outlet_and_dates(client):
    everything = _all_stories(client)["total"]

    german = _all_stories(client, lang="de")
    assert 0 < german["total"] < everything
    assert all("de" in s["languages"] for s in german["stories"])

    ansa = _all_stories(client, outlet="ANSA")
    assert ansa["total"] >= 1
    assert all("ANSA" in s["outlets"] for s in ansa["stories"])

    july = _all_stories(client, **{"from": "2024-07-01", "to": "2024-07-31"})
    assert 0 < july["total"] < everything
    for story in july["stories"]:
        first = datetime.fromisoformat(story["first_published"]).date()
        last = datetime.fromisoformat(story["last_published"]).date()
        assert first <= date(2024, 7, 31) and last >= date(2024, 7, 1)
    assert any("Eurocopa" in s["headline"] for s in july["stories"])
    assert not any("Papa" in s["headline"] for s in july["stories"])

    combined = _all_stories(client, lang="es", **{"from": "2024-07-01", "to": "2024-07-31"})
    assert {s["id"] for s in combined["stories"]} <= {s["id"] for s in july["stories"]}
    assert all("es" in s["languages"] for s in combined["stories"])


def test_story_search_and_pagination(client, seeds_story):
    found = _all_stories(client, q="Poutine")
    assert seeds_story in {s["id"] for s in found["stories"]}
    assert not any("Eurocopa" in s["headline"] for s in found["stories"])

    first = client.get("/api/stories", params={"per_page": 5, "page": 1}).json()
    second = client.get("/api/stories", params={"per_page": 5, "page": 2}).json()
    assert first["per_page"] == 5 and len(first["stories"]) == 5
    assert first["pages"] == -(-first["total"] // 5)
    assert not {s["id"] for s in first["stories"]} & {s["id"] for s in second["stories"]}
    beyond = client.get("/api/stories", params={"per_page": 5, "page": first["pages"] + 1}).json()
    assert beyond["stories"] == [] and beyond["total"] == first["total"]


@pytest.mark.parametrize("params, parameter", [
    ({"page": 0}, "page"),
    ({"page": "two"}, "page"),
    ({"per_page": 1000}, "per_page"),
    ({"per_page": 0}, "per_page"),
    ({"lang": "french!"}, "lang"),
    ({"from": "2024-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2024-07-31", "to": "2024-07-01"}, "to"),
    ({"q": "x" * 201}, "q"),
])
def test_story_list_rejects_bad_parameters(client, params, parameter):
    body = _assert_error(client.get("/api/stories", params=params), 422, parameter)
    assert any(e["parameter"] == parameter for e in body["errors"]), body


# --- /api/stories/{id} ------------------------------------------------------------------------
def test_one_story_with_its_articles(client, seeds_story):
    body = client.get(f"/api/stories/{seeds_story}").json()
    assert body["id"] == seeds_story and body["article_count"] == len(body["articles"]) >= 2
    titles = [a["title"] for a in body["articles"]]
    assert any(t.startswith("Poutine menace toujours") for t in titles)
    assert any(t.startswith("Poutine n’exclut pas") for t in titles)
    assert all(a["story_id"] == seeds_story and a["page"].startswith("/articles/") for a in body["articles"])
    assert "text" not in body["articles"][0]  # the list stays light; /api/articles/{id} has the text
    assert "coverage" in body
    by_prefix = client.get(f"/api/stories/{seeds_story[:8]}")
    assert by_prefix.status_code == 200 and by_prefix.json()["id"] == seeds_story


def test_unknown_story_is_a_json_404(client):
    _assert_error(client.get("/api/stories/s-000000000000"), 404, "s-000000000000")
    _assert_error(client.get("/api/articles", params={"story_id": "s-000000000000"}), 404, "no story")


# --- /api/articles ------------------------------------------------------------------------------
def test_one_article_with_text_metadata_and_story(client, seeds_story):
    story = client.get(f"/api/stories/{seeds_story}").json()
    ansa = next(a for a in story["articles"] if "ANSA" in a["agencies"] and is_seed(a["title"]))
    body = client.get(ansa["page"].replace("/articles/", "/api/articles/", 1)).json()
    assert body["id"] == ansa["id"] and body["lang"] == "fr"
    assert "Corée du Nord" in body["text"] and "Copyright ANSA" not in body["text"]
    assert body["story"]["id"] == seeds_story and body["story"]["article_count"] == story["article_count"]


def test_article_ids_with_slashes_and_markup_round_trip(client):
    body = client.get("/api/articles/hostile%2F%3C1%3E").json()
    assert body["id"] == HOSTILE_ID
    assert body["title"] == HOSTILE_TITLE  # JSON carries the data as is; the pages escape it
    assert body["url"] == "javascript:alert(2)"


def test_unknown_article_is_a_json_404(client):
    _assert_error(client.get("/api/articles/no-such-article"), 404, "no-such-article")


def test_article_list_filters_and_pages(client, seeds_story):
    italian = client.get("/api/articles", params={"lang": "it", "per_page": 100}).json()
    assert italian["total"] >= 10 and all(a["lang"] == "it" for a in italian["articles"])
    published = [a["published"] for a in italian["articles"] if a["published"]]
    assert published == sorted(published, reverse=True)

    in_story = client.get("/api/articles", params={"story_id": seeds_story}).json()
    assert in_story["total"] >= 2 and {a["story_id"] for a in in_story["articles"]} == {seeds_story}

    may_2025 = client.get("/api/articles", params={"from": "2025-05-01", "to": "2025-05-31", "per_page": 100}).json()
    assert may_2025["total"] >= 4
    assert all(a["published"].startswith("2025-05") for a in may_2025["articles"])

    searched = client.get("/api/articles", params={"q": "Pogacar"}).json()
    assert searched["total"] == 1 and "Tour de France" in searched["articles"][0]["title"]

    _assert_error(client.get("/api/articles", params={"per_page": -1}), 422, "per_page")


# --- /api/search ----------------------------------------------------------------------------------
def test_search_finds_articles_with_snippets(client, seeds_story):
    body = client.get("/api/search", params={"q": "Poutine"}).json()
    assert body["words"] == ["Poutine"] and body["total"] >= 3
    story_ids = {h["article"]["story_id"] for h in body["hits"]}
    assert seeds_story in story_ids
    for hit in body["hits"]:
        assert "poutine" in hit["snippet"].lower()
        assert "\x02" not in hit["snippet"] and "<mark>" not in hit["snippet"]


def test_search_ignores_case_and_accents_and_matches_prefixes(client):
    plain = client.get("/api/search", params={"q": "coree du nord"}).json()
    accented = client.get("/api/search", params={"q": "Corée du Nord"}).json()
    assert plain["total"] == accented["total"] >= 3
    prefix = client.get("/api/search", params={"q": "missile"}).json()
    assert any("missiles" in h["snippet"] for h in prefix["hits"])


def test_search_treats_operators_as_words(client):
    # FTS5 syntax in user input must neither fail nor change the meaning of the query.
    for query in ['"Poutine', "Poutine OR Biden", "NEAR(Poutine", "Poutine*", "title:Poutine", "Poutine -Kim"]:
        response = client.get("/api/search", params={"q": query})
        assert response.status_code == 200, (query, response.text)
    both = client.get("/api/search", params={"q": "Poutine OR Biden"}).json()
    assert both["words"] == ["Poutine", "OR", "Biden"]


def test_search_with_filters_and_pages(client):
    french = client.get("/api/search", params={"q": "Poutine", "lang": "fr", "per_page": 2}).json()
    assert french["per_page"] == 2 and len(french["hits"]) == 2
    assert all(h["article"]["lang"] == "fr" for h in french["hits"])
    page_two = client.get("/api/search", params={"q": "Poutine", "lang": "fr", "per_page": 2, "page": 2}).json()
    assert not {h["article"]["id"] for h in french["hits"]} & {h["article"]["id"] for h in page_two["hits"]}
    nothing = client.get("/api/search", params={"q": "zyzzyva"}).json()
    assert nothing["total"] == 0 and nothing["hits"] == []


@pytest.mark.parametrize("params, parameter", [({}, "q"), ({"q": ""}, "q"), ({"q": "!!! ???"}, "q"),
                                               ({"q": "Poutine", "page": -3}, "page")])
def test_search_rejects_bad_parameters(client, params, parameter):
    _assert_error(client.get("/api/search", params=params), 422, parameter)


# --- schema and errors ------------------------------------------------------------------------
def test_openapi_schema_describes_every_endpoint_and_the_error_shape(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/articles/{article_id}", "/api/search"} <= set(paths)
    assert not any(not p.startswith("/api/") for p in paths)  # the HTML pages are not API
    story_list = {p["name"] for p in paths["/api/stories"]["get"]["parameters"]}
    assert {"q", "lang", "outlet", "from", "to", "page", "per_page"} <= story_list
    one_story = paths["/api/stories/{story_id}"]["get"]["responses"]
    assert one_story["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) >= {"status", "message"}


def test_unknown_api_path_is_a_json_404(client):
    _assert_error(client.get("/api/nothing-here"), 404)


def test_api_responses_carry_the_security_headers(client):
    response = client.get("/api/search", params={"q": "Poutine"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
