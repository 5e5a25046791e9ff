"""The HTML pages, read as markup: content, filters, escaping, links, headers, coverage sections."""
from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from couverture.store import Store
from couverture.web import create_app
from couverture.web.app import CONTENT_SECURITY_POLICY
from couverture.web.text import safe_href
from test_web_data import HOSTILE_TITLE, is_seed, seeds_story_id, web_database

with warnings.catch_warnings():  # starlette would rather its test client ran on httpx2; httpx works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


class Markup(HTMLParser):
    """The tags, attributes, text and links of a page, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def links(self) -> list[str]:
        return [a["href"] for a in self.all("a") if "href" in a]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


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


def page(client, url, status=200) -> Markup:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return Markup(response.text)


def headlines(html: str) -> list[str]:
    """The story headlines listed on a front page."""
    return [Markup(h).plain for h in re.findall(r'<li class="story-card">\s*<h2><a href="[^"]+">(.*?)</a>', html)]


# --- front page -----------------------------------------------------------------------------
def test_front_page_lists_stories_with_their_facts(client, seeds_story):
    response = client.get("/")
    html = response.text
    markup = Markup(html)
    assert markup.all("h1") and "Stories" in markup.plain
    cards = re.findall(r'<li class="story-card">(.*?)</li>\s*(?=<li class="story-card">|</ol>)', html, re.S)
    assert len(cards) >= 15
    seeds_card = next(c for c in cards if f"/stories/{seeds_story}" in c)
    seeds = client.get(f"/api/stories/{seeds_story}").json()
    assert f"{seeds['article_count']} articles" in seeds_card and ">fr<" in seeds_card
    assert ("outlet unknown" in seeds_card) is (not seeds["outlets"])
    euro = next(c for c in cards if "Eurocopa tras vencer a Inglaterra" in c)
    assert re.search(r"\d+ articles", euro) and re.search(r"\d+ outlets", euro)
    assert ">es<" in euro and ">en<" in euro
    assert "14 Jul 2024" in euro and "UTC" in euro


def test_every_form_control_has_a_label(client):
    markup = page(client, "/")
    labelled = {attrs["for"] for attrs in markup.all("label")}
    controls = [a for a in markup.all("input") + markup.all("select")]
    assert len(controls) >= 5
    for control in controls:
        assert control.get("id") in labelled, control
    names = {c["name"] for c in controls}
    assert {"q", "lang", "outlet", "from", "to"} <= names
    form = markup.all("form")[0]
    assert form["method"] == "get" and form["action"] == "/"


def test_front_page_filters(client):
    german = client.get("/", params={"lang": "de"}).text
    cards = re.findall(r'<p class="story-meta">(.*?)</p>', german, re.S)
    assert cards and all('title="German">de<' in c for c in cards)
    assert '<option value="de" selected>' in german

    ansa = client.get("/", params={"outlet": "ANSA"}).text
    listed = " | ".join(headlines(ansa))
    assert "Putin ad Hanoi" in listed and "Eurocopa" not in listed
    # The filter's options name each outlet once and filter by its domain; its name works too.
    assert '<option value="ansa.it" selected>ANSA · ' in ansa
    assert headlines(client.get("/", params={"outlet": "ansa.it"}).text) == headlines(ansa)

    dated = client.get("/", params={"from": "2025-04-01", "to": "2025-05-31"}).text
    listed = " | ".join(headlines(dated))
    assert "Papa" in listed and "Eurocopa" not in listed
    assert 'value="2025-04-01"' in dated


def test_front_page_search_shows_matching_articles(client, seeds_story):
    html = client.get("/", params={"q": "Poutine"}).text
    assert f"/stories/{seeds_story}" in html
    assert "<mark>Poutine</mark>" in html
    matches = re.findall(r'<ul class="matches".*?</ul>', html, re.S)
    assert matches and all("/articles/" in m for m in matches)
    assert not any("Eurocopa" in h for h in headlines(html))
    nothing = client.get("/", params={"q": "zyzzyva"}).text
    assert "No story matches these filters." in nothing


def test_pagination_keeps_the_filters(client):
    html = client.get("/", params={"per_page": 3, "lang": "en"}).text
    assert "Page 1 of" in html
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html).group(1)
    assert "lang=en" in nxt and "page=2" in nxt and "per_page=3" in nxt
    second = client.get(nxt.replace("&amp;", "&")).text
    assert "Page 2 of" in second and 'rel="prev"' in second


@pytest.mark.parametrize("query", ["from=not-a-date", "page=0", "lang=%3Cb%3E", "from=2024-07-31&to=2024-07-01"])
def test_bad_filters_get_a_422_page_not_a_crash(client, query):
    response = client.get("/?" + query)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Some filters could not be read." in response.text
    assert "<b>" not in response.text


# --- story page ------------------------------------------------------------------------------
def test_story_page_groups_sources_by_language_and_outlet(client):
    listing = client.get("/api/stories", params={"per_page": 100}).json()["stories"]
    story = max(listing, key=lambda s: (len(s["languages"]), s["article_count"]))
    html = client.get(story["page"]).text
    markup = Markup(html)
    assert story["headline"] in markup.plain
    details = client.get(f"/api/stories/{story['id']}").json()["articles"]
    h3 = re.findall(r'<h3 id="lang-\d+">.*?</h3>', html, re.S)
    assert len(h3) == len(story["languages"])
    for lang in story["languages"]:
        assert any(f"({lang})" in heading for heading in h3)
    outlets = {a["outlet"] for a in details if a["outlet"]}
    h4 = re.findall(r'<h4 class="outlet">(.*?)</h4>', html)
    assert outlets <= {Markup(h).plain for h in h4}
    article_links = [a["href"] for a in markup.all("a") if a.get("class") == "article-link"]
    assert sorted(article_links) == sorted(a["page"] for a in details)
    original_links = [a["href"] for a in markup.all("a") if a.get("class") == "original"]
    assert original_links and all(h.startswith("https://") for h in original_links)
    assert all(a.get("rel") == "noopener noreferrer nofollow" for a in markup.all("a") if a.get("class") == "original")


def test_story_page_timeline_is_an_svg_coloured_by_language(client):
    listing = client.get("/api/stories", params={"per_page": 100}).json()["stories"]
    story = max(listing, key=lambda s: (len(s["languages"]), s["article_count"]))
    markup = page(client, story["page"])
    svg = markup.all("svg")
    assert len(svg) == 1 and svg[0]["role"] == "img"
    bars = [a for a in markup.all("rect") if "bar" in a["class"].split()]
    classes = {c for bar in bars for c in bar["class"].split() if c.startswith("lang-c")}
    assert len(classes) == len(story["languages"])
    assert "Articles over time, by language" in markup.plain
    # The bars count the articles with a publication date (others are bands or listed apart).
    dated = [a for a in client.get(f"/api/stories/{story['id']}").json()["articles"] if a["published"]]
    assert f"{len(dated)} articles from" in markup.plain


def test_story_id_prefix_redirects_to_the_story(client, seeds_story):
    response = client.get(f"/stories/{seeds_story[:7]}", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == f"/stories/{seeds_story}"


def test_seeds_timeline_places_articles_by_their_dates_never_by_collection(client, seeds_story):
    # The seeds carry no publication date and were collected today; the visit was in June 2024.
    story = client.get(f"/api/stories/{seeds_story}").json()
    html = client.get(f"/stories/{seeds_story}").text
    markup = Markup(html)
    published = [a for a in story["articles"] if a["published"]]
    estimated = [a for a in story["articles"] if not a["published"] and a["estimated"]]
    undated = [a for a in story["articles"] if not a["published"] and not a["estimated"]]
    assert published and undated  # the fixture has both: what this test is about
    months = {a["published"][:7] for a in published} | {a["estimated"]["earliest"][:7] for a in estimated}
    assert months == {"2024-06"}
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    labels = re.findall(r'<text class="x-label"[^>]*>([^<]+)</text>', svg)
    assert labels and all(label.split()[1:3] == ["Jun", "2024"] for label in labels), labels
    bands = [a for a in markup.all("rect") if "estimate-band" in a["class"].split()]
    # One band per estimated range and language.
    assert len(bands) == len({(a["estimated"]["earliest"], a["estimated"]["latest"], a["lang"]) for a in estimated})
    # Articles without any date are listed apart, by title, not drawn.
    undated_block = re.search(r'<div class="undated">.*?</div>', html, re.S).group(0)
    for article in undated:
        assert article["page"] in undated_block
    for article in published + estimated:
        assert article["page"] not in undated_block
    # The header's span and the timeline's description name the same first and last dates.
    first = min(a["published"] for a in published)
    last = max(a["published"] for a in published)
    meta = Markup(re.search(r'<p class="story-meta">.*?</p>', html, re.S).group(0)).plain
    description = Markup(re.search(r"<desc[^>]*>.*?</desc>", svg, re.S).group(0)).plain
    for moment in (first, last):
        clock = moment[11:16]
        assert clock in meta and clock in description, (clock, meta, description)
    assert "collected" not in markup.plain


@pytest.mark.parametrize("url", ["/stories/s-000000000000", "/articles/nope", "/no/such/page"])
def test_unknown_pages_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text and 'href="/"' in response.text


# --- article page -------------------------------------------------------------------------------
def test_article_page_shows_clean_text_metadata_and_story(client, seeds_story):
    story = client.get(f"/api/stories/{seeds_story}").json()
    afp = next(a for a in story["articles"] if "AFP" in a["agencies"] and is_seed(a["title"]))
    markup = page(client, afp["page"])
    text = markup.plain
    assert afp["title"] in text
    assert "Antoine LLORCA" in text  # the byline, kept as metadata
    assert "Agency AFP" in text and "Language French (fr)" in text
    assert "Suivez la couverture complète" not in text  # page furniture stays cleaned off
    assert f"/stories/{seeds_story}" in markup.links
    paragraphs = [p for p in markup.tags if p[0] == "p"]
    assert len(paragraphs) >= 4
    demo = page(client, "/articles/demo-eurosf-es-1")
    assert "https://www.marca.com/futbol/seleccion/eurocopa/2024/07/09/espana-tumba-francia-final-berlin.html" in demo.links
    assert "Published 9 Jul 2024 21:04 UTC" in demo.plain


# --- hostile input ------------------------------------------------------------------------------
def _hostile_pages(client):
    story_id = client.get("/api/articles/hostile%2F%3C1%3E").json()["story_id"]
    return {
        "front": client.get("/", params={"q": "Valparaíso"}).text,
        "story": client.get(f"/stories/{story_id}").text,
        "article": client.get("/articles/hostile%2F%3C1%3E").text,
        "other": client.get("/articles/hostile-2").text,
    }


def test_hostile_titles_and_texts_render_as_text(client):
    pages = _hostile_pages(client)
    for name, html in pages.items():
        markup = Markup(html)
        assert not markup.all("script"), name
        assert not markup.all("img"), name
        assert not [a for _, attrs in markup.tags for a in attrs if a.startswith("on")], name
        assert HOSTILE_TITLE in markup.plain or name == "other", name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or name == "other", name
    article = Markup(pages["article"])
    assert "<img src=x onerror=alert(5)>" in article.plain
    assert "<script>alert(6)</script>" in article.plain
    assert "<b onmouseover=alert(3)>Evil Gazette</b>" in article.plain
    assert '"><img src=x onerror=alert(4)>' in article.plain


def test_only_http_links_are_links(client):
    pages = _hostile_pages(client)
    for name, html in pages.items():
        for href in Markup(html).links:
            assert href.startswith(("/", "https://", "http://", "#")), (name, href)
    article = Markup(pages["article"])
    assert "javascript:alert(2)" in article.plain  # shown, as text
    assert "javascript:alert(2)" not in article.links
    other = Markup(pages["other"])
    # A real http(s) URL stays a link, with its quotes escaped inside the attribute.
    assert 'https://example.org/a?b="><script>alert(7)</script>' in other.links
    assert "&#34;&gt;&lt;script&gt;" in pages["other"] or "&quot;&gt;&lt;script&gt;" in pages["other"]


@pytest.mark.parametrize("url, allowed", [
    ("https://example.org/x", True), ("http://example.org", True), ("HTTPS://EXAMPLE.ORG", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False),
    (" javascript:alert(1)", False), ("data:text/html,<script>", False), ("vbscript:x", False),
    ("//evil.example/x", False), ("https:///nohost", False), ("/articles/x", False), ("", False), (None, False),
    ("https://exa mple.org", False), ("http://[::1", False),
])
def test_safe_href(url, allowed):
    assert safe_href(url) == (url if allowed else None)


def test_pages_have_no_script_and_no_inline_style(client, seeds_story):
    urls = ["/", "/?q=Poutine", f"/stories/{seeds_story}", "/articles/demo-eurosf-es-1", "/articles/nope",
            "/?page=0"]
    for url in urls:
        markup = Markup(client.get(url).text)
        assert not markup.all("script"), url
        assert not [tag for tag, attrs in markup.tags if "style" in attrs], url
        assert not [tag for tag, _ in markup.tags if tag == "style"], url
        stylesheets = [a["href"] for a in markup.all("link") if a.get("rel") == "stylesheet"]
        assert stylesheets == ["/static/style.css"], url


@pytest.mark.parametrize("url, status", [
    ("/", 200), ("/?q=Poutine", 200), ("/stories/s-000000000000", 404), ("/articles/demo-eurosf-es-1", 200),
    ("/static/style.css", 200), ("/static/favicon.svg", 200), ("/openapi.json", 200), ("/?page=x", 422),
    ("/api/stories", 200), ("/api/stories/nope", 404),
])
def test_security_headers_on_every_response(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "style-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_stylesheet_is_served_as_css(client):
    response = client.get("/static/style.css")
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text and "@media" in response.text
    assert "http" not in response.text.replace("http-equiv", "")  # no external fonts or imports


# --- coverage sections --------------------------------------------------------------------------
def _source_facts(article_id, *texts, details=()):
    return {"article_id": article_id, "also_in": [], "facts": [
        {"article_id": article_id, "sentence": i, "lang": "fr", "text": t, "details": list(details)}
        for i, t in enumerate(texts)]}


@pytest.fixture
def fake_coverage(monkeypatch):
    """The coverage stage's StoryView, made by hand in its real shape (the stage itself is
    tested elsewhere): what the page draws from each section."""
    from couverture.coverage import StoryView
    from couverture.web import coverage_view

    calls = []

    def build_story_view(store, story_id, preferred_lang=None, accept_language=None):
        calls.append(story_id)
        ids = [a.id for a in store.story_articles(story_id)]
        return StoryView(
            id=story_id, headline="", lang="fr",
            summary=[{"text": "Putin left the door open to arming North Korea.", "lang": "fr", "article_id": ids[0],
                      "sentence": 0, "article_ids": ids[:2], "fact": "f1", "score": 1.0},
                     {"text": "<script>alert('summary')</script>", "lang": "fr", "article_id": ids[0], "sentence": 1,
                      "article_ids": ids[:1], "fact": "f2", "score": 0.5}],
            quotes=[{"text": "Je n'exclus pas cette possibilité", "lang": "fr", "speaker": "Vladimir Poutine",
                     "role": "président russe", "article_ids": ids[:1], "kind": "direct", "versions": []},
                    {"text": "he would not rule it out", "lang": "fr", "speaker": None, "role": None,
                     "article_ids": ids[1:], "kind": "reported", "versions": []}],
            shared_facts=[{"id": "f1", "text": "The visit took place in Hanoi.", "lang": "fr", "article_ids": ids,
                           "sources": 2, "statements": []}],
            unique_facts=[_source_facts(ids[-1], "Only this source mentions the missiles.", details=["Otan"])],
            divergences=[{"kind": "number", "what": "deaths", "versions": [
                {"value": "48", "article_ids": ids[:1], "statements": []},
                {"value": "55", "article_ids": ids[1:2], "statements": []}]}],
            copies=[{"kind": "translation", "article_id": ids[-1], "original_id": ids[0], "similarity": 0.91,
                     "languages": ["it", "fr"], "agencies": []}],
        )

    monkeypatch.setattr(coverage_view, "build_story_view", build_story_view)
    build_story_view.calls = calls
    return build_story_view


def test_coverage_sections_render_from_the_story_view(client, seeds_story, fake_coverage):
    html = client.get(f"/stories/{seeds_story}").text
    markup = Markup(html)
    text = markup.plain
    for heading in ["Summary", "Who said what", "What the sources agree on, and what each adds",
                    "Where the sources differ", "Copies and translations"]:
        assert heading in [Markup(h).plain for h in re.findall(r"<h2[^>]*>.*?</h2>", html)], heading
    assert "Putin left the door open to arming North Korea. [1][2]" in text or (
        "Putin left the door open to arming North Korea." in text and "[1]" in text)
    assert "Vladimir Poutine président russe" in text and "Je n'exclus pas cette possibilité" in text
    assert "Speaker unknown" in text and "(reported speech)" in text
    assert "Only this source mentions the missiles. (only here: Otan)" in text
    assert re.search(r"deaths \(number\): 48 \[\d\] 55 \[\d\]", text), text
    assert "<script>alert('summary')</script>" in text and not markup.all("script")
    assert "is a translation of" in text and "similarity 0.91" in text
    cites = [a["href"] for a in markup.all("a") if a.get("class") == "cite"]
    assert cites and all(c.startswith("/articles/") for c in cites)
    assert fake_coverage.calls == [seeds_story]
    api = client.get(f"/api/stories/{seeds_story}").json()
    assert api["coverage"]["quotes"][0]["speaker"] == "Vladimir Poutine"
    assert api["coverage"]["divergences"][0]["versions"][1]["value"] == "55"


def test_a_section_key_the_records_do_not_declare_is_an_error_not_a_vanishing_section():
    from couverture.coverage import StoryView
    from couverture.web.coverage_view import sections_of

    with pytest.raises(ValueError, match="unknown key"):
        StoryView(id="s", headline="", summary=[{"text": "A sentence.", "citations": ["a"]}])
    view = StoryView(id="s", headline="")
    view.summary = [{"text": "A sentence.", "citations": ["a"]}]  # set around the records
    with pytest.raises(ValueError, match="unknown key"):
        sections_of(view)


def test_a_failing_coverage_stage_does_not_break_the_page(client, seeds_story, monkeypatch):
    from couverture.web import coverage_view

    def build_story_view(*args, **kwargs):
        raise RuntimeError("coverage bug")

    monkeypatch.setattr(coverage_view, "build_story_view", build_story_view)
    response = client.get(f"/stories/{seeds_story}")
    assert response.status_code == 200 and "Sources" in response.text and "Who said what" not in response.text
    assert client.get(f"/api/stories/{seeds_story}").json()["coverage"] is None


def test_empty_coverage_sections_are_not_rendered(client, seeds_story, monkeypatch):
    from couverture.coverage import StoryView
    from couverture.web import coverage_view

    monkeypatch.setattr(coverage_view, "build_story_view", lambda store, story_id, *a, **k: StoryView(story_id, ""))
    html = client.get(f"/stories/{seeds_story}").text
    assert 'class="coverage' not in html


# --- command line ---------------------------------------------------------------------------------
def test_serve_command_is_registered_and_documented():
    from couverture.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--host", "--port"):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8000" in result.output
    # `couverture demo` serves through the same path (web.cli.serve_store): both refuse a
    # busy port alike, see test_cli_messages.py.
    bad = CliRunner().invoke(main, ["serve", "--port", "99999"])
    assert bad.exit_code == 2
