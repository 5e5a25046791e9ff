"""Outlets as a table of their own (issue 25): one outlet per registrable domain, agencies
as credits, the user's edits kept, the same names in the CLI, the API and the page, and
a store of schema 4 upgraded without losing an article.

Real data throughout: the demo corpus, the two seeds, texts shaped like real wire copy.
Every expected name below was read off the input by hand (the demo's ``source`` and
``url`` fields, the seeds' credit lines), not copied from the program's output.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from cli_runner import run
from conftest import SEEDS
from couverture.demo import demo_corpus_path
from couverture.engine import ingest_paths
from couverture.extract import extract_article
from couverture.extract.credits import AGENCIES, trailing_agencies
from couverture.publishers import publisher, shipped_outlets, site_domain
from couverture.models import RawDocument
from couverture.store import Store
from couverture.web.app import create_app
from test_web_data import seeds_story_id, web_database

# The five outlets the issue saw listed twice, each under a name and its domain: the
# demo corpus has articles with both spellings (source "ANSA" and no source on ansa.it...).
PAIRS = {  # domain -> the name the shipped list gives it
    "ansa.it": "ANSA",
    "reuters.com": "Reuters",
    "zeit.de": "ZEIT ONLINE",
    "theguardian.com": "The Guardian",
    "bbc.co.uk": "BBC",
}


def _demo_records() -> list[dict]:
    return [json.loads(line) for line in demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]


def _domain_of(url: str) -> str:
    """By hand: the host less "www.", which for the demo's addresses is the registrable
    domain, bar the three sub-sites checked in test_registrable_domains."""
    return urlsplit(url).hostname.removeprefix("www.")


@pytest.fixture(scope="module")
def db(tmp_path_factory, analyzer):
    return web_database(tmp_path_factory, analyzer)  # seeds + demo + two hostile records, ingested for real


@pytest.fixture(scope="module")
def store(db):
    opened = Store(db, create=False)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


# --- the rule, on single inputs ---------------------------------------------------------------
def test_registrable_domains():
    assert site_domain("https://www.bbc.co.uk/news/articles/cpe3zgznwjno") == "bbc.co.uk"
    assert site_domain("https://cnnespanol.cnn.com/2024/03/26/derrumbe") == "cnn.com"
    assert site_domain("https://www.tgcom24.mediaset.it/mondo/x.shtml") == "mediaset.it"
    assert site_domain("https://abcnews.go.com/US/wireStory/x") == "go.com"
    assert site_domain("https://gauchazh.clicrbs.com.br/x") == "clicrbs.com.br"  # a two-label suffix
    assert site_domain("https://3daysnews.blogspot.com/x") == "3daysnews.blogspot.com"  # a private suffix: one blog
    assert site_domain("http://net.hr./x") == "net.hr"
    for nothing in (None, "", "javascript:alert(2)", "http://localhost:8000/x", "http://192.168.1.1/", "not a url"):
        assert site_domain(nothing) is None


def test_the_suffix_list_is_read_from_disk_never_downloaded(tmp_path):
    """In a fresh process whose sockets all fail, the first lookup (which loads the list) works."""
    script = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from couverture.publishers import site_domain\n"
        "print(site_domain('https://www.theguardian.com/world/x'), site_domain('https://news.bbc.co.uk/x'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["theguardian.com", "bbc.co.uk"]


def test_an_agency_named_as_source_is_a_credit_unless_the_page_is_its_own():
    afp_on_le_soir = publisher("AFP", "https://www.lesoir.be/604512/article/2024-06-20/hanoi")
    assert (afp_on_le_soir.domain, afp_on_le_soir.name, afp_on_le_soir.credits) == ("lesoir.be", None, ("AFP",))
    ansa_on_ansa = publisher("ANSA", "https://www.ansa.it/sito/notizie/mondo/2024/06/20/putin.html")
    assert (ansa_on_ansa.domain, ansa_on_ansa.name, ansa_on_ansa.credits) == ("ansa.it", None, ())
    ansa_alone = publisher("ANSA", None)
    assert (ansa_alone.domain, ansa_alone.name, ansa_alone.credits) == (None, None, ("ANSA",))
    spelled_out = publisher("Agence France-Presse", None)
    assert spelled_out.credits == ("AFP",) and spelled_out.name is None
    # A known outlet's name without an address still names its domain; an unknown one stays a name.
    assert publisher("ZEIT ONLINE", None).domain == "zeit.de"
    assert publisher("AP News", None).domain == "apnews.com"  # the AP's website, an outlet
    assert publisher("tagesschau.de", None).domain == "tagesschau.de"
    unknown = publisher("Gazzetta di Vattelapesca", None)
    assert (unknown.domain, unknown.name, unknown.credits) == (None, "Gazzetta di Vattelapesca", ())


def test_the_shipped_list_covers_every_credited_agency_and_the_demo_outlets():
    shipped = shipped_outlets()
    agency_names = {o.name for o in shipped.values() if o.kind == "agency"}
    assert set(AGENCIES) <= agency_names  # every agency a credit can name is known as one
    names = defaultdict(set)
    for info in shipped.values():
        names[info.name].add(info.domain)
        assert info.kind in ("outlet", "agency") and info.country and len(info.country) == 2
    for record in _demo_records():
        domain = site_domain(record["url"])
        assert domain in shipped, domain
    for domain, name in PAIRS.items():
        assert shipped[domain].name == name
    assert names["BBC"] == {"bbc.co.uk", "bbc.com"}


TRAILING = [
    # (text closing an article, the agencies its credit names)
    ("Die Polizei nahm am Abend zwei Verdächtige fest. Ein Sprecher sagte, die Ermittlungen dauerten an. (dpa)",
     ["dpa"]),
    ("Le bilan pourrait encore s'alourdir, selon les autorités locales. (AFP)", ["AFP"]),
    ("Der Bundestag stimmt am Freitag über den Haushalt ab. (dpa/AFP)", ["dpa", "AFP"]),
    ("The ministry said the ship had been refloated and traffic would resume on Tuesday. — Reuters", ["Reuters"]),
    ("Officials said the search would continue overnight - AP", ["AP"]),
    ("Spain beat France 2-1 in Munich (2-1)", []),  # a score, not a credit
    ("The ship is now at Bitter Lake, a holding basin in the middle of the canal. [Reuters, CNN]", []),  # CNN is no agency
    ("He thanked the rescuers (PHOTO)", []),
    ("Il premier ha parlato con l'ANSA ieri sera.", []),  # an agency mentioned, not credited
]


@pytest.mark.parametrize(("text", "expected"), TRAILING)
def test_a_trailing_credit(text, expected):
    assert trailing_agencies(text) == expected


def test_a_trailing_dpa_credit_of_a_wire_text_reaches_the_article():
    text = (
        "Berlin. Nach dem Ausfall der Stellwerkstechnik fuhren am Donnerstagmorgen zwischen Berlin und Hamburg "
        "keine Fernzüge. Die Bahn rechnete mit Verspätungen bis in den Abend.\n\n"
        "Ein Sprecher sagte, die Ursache werde noch untersucht. Reisende könnten ihre Fahrkarten flexibel nutzen. (dpa)"
    )
    record = {"url": "https://www.zeit.de/news/2024-07/18/stellwerk", "source": "ZEIT ONLINE", "title": "Bahnchaos",
              "text": text}
    article = extract_article(RawDocument(origin="wire.jsonl:1", kind="record", content=record, url=record["url"]))
    assert article.agencies == ["dpa"]
    assert (article.domain, article.outlet) == ("zeit.de", "ZEIT ONLINE")


# --- the demo and the seeds, stored ------------------------------------------------------------
def test_the_five_doubles_are_one_outlet_each(store, client):
    by_domain = defaultdict(set)
    for article in store.iter_articles():
        if article.url and article.domain in PAIRS:
            by_domain[article.domain].add(article.outlet)
    assert {d: names for d, names in by_domain.items()} == {d: {name} for d, name in PAIRS.items()}
    # The demo has both spellings of each (a source name and none): read off the corpus by hand.
    spellings = defaultdict(set)
    for record in _demo_records():
        spellings[_domain_of(record["url"])].add(record.get("source"))
    for domain in PAIRS:
        assert None in spellings[domain] and len(spellings[domain]) >= 2, (domain, spellings[domain])

    listed = store.list_outlets()
    names = [o.name for o in listed]
    assert len(names) == len(set(names))
    for domain, name in PAIRS.items():
        (entry,) = [o for o in listed if domain in o.domains]
        assert entry.name == name and entry.domains == [domain]
    page = client.get("/").text
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*) · (\d+)</option>', page)
    for spelled in ("ansa.it", "reuters.com", "zeit.de", "theguardian.com", "bbc.co.uk", "BBC News", "BBC Sport"):
        assert spelled not in [label for _, label, _ in options]  # no domain or variant listed as an outlet
    for domain, name in PAIRS.items():
        (option,) = [o for o in options if o[1] == name]
        assert option[0] == domain
        filtered = client.get("/api/articles", params={"outlet": domain, "per_page": 100}).json()["articles"]
        assert len(filtered) == int(option[2]) and {a["outlet"] for a in filtered} == {name}
        assert {a["domain"] for a in filtered} == {domain}


def test_an_outlet_count_counts_outlets_not_spellings(tmp_path, analyzer):
    """The BBC's article on the IT outage, and a later copy of it on bbc.co.uk that names no
    source: one story of two articles from one outlet."""
    (original,) = [r for r in _demo_records() if r["id"] == "demo-crowd-en-1"]
    assert original["source"] == "BBC News" and "bbc.co.uk" in original["url"]
    paragraphs = original["text"].split("\n\n")
    copy = {"id": "bbc-copy", "url": "https://www.bbc.co.uk/news/live/cpe3zgznwjno-update", "lang": "en",
            "published": original["published"], "title": original["title"], "text": "\n\n".join(paragraphs[:-1])}
    source = tmp_path / "bbc.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (original, copy)) + "\n", encoding="utf-8")
    db = tmp_path / "bbc.db"
    ingest_paths(Store(db), [str(source)], analyzer=analyzer)
    listed = run("stories", "--db", db, "--json")
    (story,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert story["articles"] == 2 and story["outlets"] == ["BBC"]
    line = run("stories", "--db", db).stdout
    assert " 2 art. " in line and " 1 outlet " in line


def test_the_seeds_agencies_are_credits_the_same_way_in_cli_api_and_page(db, store, client):
    story_id = seeds_story_id(store)
    seeds = {a.id: a for a in store.story_articles(story_id) if a.url is None}
    # The seeds credit AFP ("Antoine LLORCA avec l'AFP") and ANSA ("© Copyright ANSA"), and have no address.
    assert sorted(a.agencies[0] for a in seeds.values()) == ["AFP", "ANSA"]
    assert all(a.outlet is None and a.domain is None for a in seeds.values())

    shown = run("show", story_id, "--db", db)
    assert shown.exit_code == 0
    cli = json.loads(run("show", story_id, "--db", db, "--json").stdout)["sources"]
    api = client.get(f"/api/stories/{story_id}").json()
    page = client.get(f"/stories/{story_id}").text
    api_articles = {a["id"]: a for a in api["articles"]}
    for source in cli:
        aid = source["article_id"]
        assert source["outlet"] == api_articles[aid]["outlet"]
        assert source["agencies"] == api_articles[aid]["agencies"]
        assert source["domain"] == api_articles[aid]["domain"]
        number = re.search(rf'<li id="source-(\d+)">\s*<span class="num">\[\d+\]</span>\s*<a class="article-link" '
                           rf'href="/articles/{re.escape(aid)}"', page)
        assert number, aid
        heading = page[: number.start()].rsplit('<h4 class="outlet">', 1)[1].split("</h4>", 1)[0]
        assert heading == (source["outlet"] or "Outlet unknown").replace("'", "&#39;")
    for aid, article in seeds.items():
        (source,) = [s for s in cli if s["article_id"] == aid]
        assert source["outlet"] is None and source["label"] == "outlet unknown"
        assert f"outlet unknown ({article.agencies[0]})" in shown.stdout
        assert api_articles[aid]["outlet"] is None and api_articles[aid]["agencies"] == article.agencies
    assert {s["outlet"] for s in cli} - {None} == set(api["outlets"])
    assert "AFP" not in api["outlets"]  # credited, not an outlet; ANSA is one here only by its own ansa.it page
    assert [a["domain"] for a in api["articles"] if a["outlet"] == "ANSA"] == ["ansa.it"]


# --- the user's edits --------------------------------------------------------------------------
def _zeit_records() -> list[dict]:
    return [r for r in _demo_records() if "zeit.de" in r["url"]]


def test_a_user_edit_wins_and_survives_a_new_ingest(tmp_path, analyzer):
    records = _zeit_records()
    assert len(records) == 3 and {r.get("source") for r in records} == {"ZEIT ONLINE", None}
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text(json.dumps(records[0], ensure_ascii=False) + "\n", encoding="utf-8")
    rest.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records[1:]) + "\n", encoding="utf-8")
    db = tmp_path / "zeit.db"
    ingest_paths(Store(db), [str(first)], analyzer=analyzer)

    edited = run("outlets", "set", "https://www.zeit.de/index", "--db", db, "--name", "Die Zeit", "--lang", "de")
    assert edited.exit_code == 0, edited.output
    assert "zeit.de: Die Zeit" in edited.stdout
    ingest_paths(Store(db), [str(rest)], analyzer=analyzer)  # the data says "ZEIT ONLINE" again

    reopened = Store(db, create=False)
    assert {a.outlet for a in reopened.iter_articles()} == {"Die Zeit"}
    (listing,) = reopened.list_outlets()
    assert (listing.name, listing.domains, listing.origin, listing.articles) == ("Die Zeit", ["zeit.de"], "user", 3)
    assert listing.country == "DE"  # not given: kept from the shipped list
    story = reopened.list_stories()[0]
    reopened.close()
    assert story.outlets == ["Die Zeit"]
    assert "Die Zeit" in run("outlets", "--db", db).stdout
    assert any(s["outlet"] == "Die Zeit" for s in json.loads(run("show", story.id, "--db", db, "--json").stdout)["sources"])


def test_an_import_sets_all_rows_or_none(tmp_path, analyzer):
    (record,) = [r for r in _demo_records() if r["id"] == "demo-hanoi-fr-1"]
    source = tmp_path / "soir.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "soir.db"
    ingest_paths(Store(db), [str(source)], analyzer=analyzer)
    bad = tmp_path / "bad.csv"
    bad.write_text("domain,name\nlesoir.be,Le Soir (Bruxelles)\nnot a domain,Nobody\n", encoding="utf-8")
    refused = run("outlets", "import", bad, "--db", db)
    assert refused.exit_code == 1 and "nothing was changed" in refused.stderr
    assert "Le Soir " in run("outlets", "--db", db).stdout and "Bruxelles" not in run("outlets", "--db", db).stdout
    good = tmp_path / "good.csv"
    good.write_text("domain,name,country,lang,kind\nlesoir.be,Le Soir (Bruxelles),,,\nbbc.com,BBC,GB,en,outlet\n",
                    encoding="utf-8")
    done = run("outlets", "import", good, "--db", db)
    assert done.exit_code == 0 and "2 outlet(s) set" in done.stdout
    listed = run("outlets", "--db", db, "--json").stdout
    (soir,) = [json.loads(line) for line in listed.splitlines()]
    assert (soir["name"], soir["country"], soir["lang"], soir["origin"]) == ("Le Soir (Bruxelles)", "BE", "fr", "user")


# --- a store written by schema 4 ----------------------------------------------------------------
def as_schema_4(engine, given: dict[str, str]) -> None:
    """Make a store what schema 4 wrote: no ``outlets`` table, no ``articles.domain``, and
    in ``articles.outlet`` what version 4 put there: the source name the input gave
    (``given``, by article id), else the URL's host without "www." (worked out here from
    the input, independently of the code under test). SQLite and PostgreSQL alike."""
    from sqlalchemy import text

    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, url FROM articles")).all()
        for aid, url in rows:
            outlet = given.get(aid)
            if outlet is None and url:
                host = urlsplit(url).hostname or ""
                outlet = re.sub(r"^(?:www\d?|m|amp|mobile)\.", "", host) or None
            conn.execute(text("UPDATE articles SET outlet = :o WHERE id = :i"), {"o": outlet, "i": aid})
        conn.execute(text("DROP INDEX IF EXISTS ix_web_articles_domain"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN domain"))
        conn.execute(text("DROP TABLE outlets"))
        conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))


def old_rows(engine) -> dict[str, tuple]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(text("SELECT id, story_id, title, url, outlet FROM articles"))}


AFP_ON_LE_SOIR = {  # an input that version 4 stored with "AFP" as its outlet (a story of its own)
    "id": "soir-afp", "url": "https://www.lesoir.be/612000/article/2024-07-05/tour-de-france-evenepoel-chrono",
    "source": "AFP", "lang": "fr", "published": "2024-07-05T17:30:00Z",
    "title": "Tour de France : Remco Evenepoel remporte le contre-la-montre entre Nuits-Saint-Georges et Gevrey-Chambertin",
    "text": "Le Belge Remco Evenepoel a remporté vendredi la septième étape du Tour de France, un contre-la-montre "
            "de 25,3 kilomètres en Bourgogne, devant Tadej Pogacar, qui conserve le maillot jaune.",
}


def given_sources(records: list[dict]) -> dict[str, str]:
    return {r["id"]: r["source"] for r in records if r.get("source")}


def check_migrated(store, before: dict[str, tuple]) -> None:
    after = {a.id: a for a in store.iter_articles()}
    assert set(after) == set(before)
    for aid, (story_id, title, url, old_outlet) in before.items():
        assert (after[aid].story_id, after[aid].title, after[aid].url) == (story_id, title, url)
    assert after["soir-afp"].outlet == "Le Soir" and after["soir-afp"].domain == "lesoir.be"
    assert after["soir-afp"].agencies == ["AFP"]
    for aid, (_, _, url, old_outlet) in before.items():
        if url and site_domain(url) in PAIRS:
            assert after[aid].outlet == PAIRS[site_domain(url)], (aid, old_outlet)
    assert {a.outlet for a in after.values() if a.url is None and a.title.startswith("Poutine")} == {None}
    names = [o.name for o in store.list_outlets()]
    assert len(names) == len(set(names)) and "AFP" not in names


def test_a_schema_4_store_keeps_its_articles_when_migrated(tmp_path, analyzer):
    extra = tmp_path / "afp.jsonl"
    extra.write_text(json.dumps(AFP_ON_LE_SOIR, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "v4.db"
    store = Store(db)
    ingest_paths(store, [str(demo_corpus_path()), str(SEEDS), str(extra)], analyzer=analyzer)
    as_schema_4(store.engine, given_sources([*_demo_records(), AFP_ON_LE_SOIR]))
    before = old_rows(store.engine)
    store.close()
    assert before["soir-afp"][3] == "AFP" and before["demo-noto-it-1"][3] == "ansa.it"  # as version 4 had them
    with sqlite3.connect(db) as conn:
        assert "outlets" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()

    migrated = run("migrate", "--db", db)
    assert migrated.exit_code == 0 and "schema version 4 -> 5" in migrated.stdout
    store = Store(db, create=False)
    try:
        check_migrated(store, before)
    finally:
        store.close()
    # The Hanoi story: ANSA (ansa.it), Le Soir, ABC, zeit.de (no source given) and the two
    # seeds (no outlet): four outlets, as before the upgrade.
    hanoi = before["demo-hanoi-it-1"][0]
    (line,) = [line for line in run("stories", "--db", db).stdout.splitlines() if line.startswith(hanoi)]
    assert " 4 outlets " in line

