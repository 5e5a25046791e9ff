"""Hostile requests to the web page and the API: 404s and 422s, never a 500; every answer
carries the security headers; only the hosts the server serves are answered."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time
import warnings

import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from couverture.cli import main
from couverture.store import Store
from couverture.web import create_app
from couverture.web.app import CONTENT_SECURITY_POLICY
from test_web_data import seeds_story_id, web_database

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

LOCAL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def db(tmp_path_factory, analyzer):
    return web_database(tmp_path_factory, analyzer)


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db), base_url=LOCAL, raise_server_exceptions=False) as test_client:
        yield test_client


def assert_headers(response):
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/stories/", "/api/stories/"])
def test_a_50001_character_story_id_is_a_404(client, path):
    response = client.get(path + "s" * 50_001)
    assert response.status_code == 404
    assert_headers(response)


def test_show_with_a_50001_character_id_is_a_clean_error(db):
    result = CliRunner().invoke(main, ["show", "s" * 50_001, "--db", str(db)])
    assert result.exit_code == 1 and "no story" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("query", ["page=²", "page=①", "per_page=²", "page=٣", "page=" + "1" * 5000,
                                   "per_page=" + "9" * 5000])
def test_odd_digits_in_page_numbers_are_422(client, query):
    for path in ("/", "/api/stories", "/api/articles"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert_headers(response)


def test_like_wildcards_in_an_id_prefix_match_nothing(client, db):
    store = Store(db)
    story = seeds_story_id(store)
    store.close()
    # Each would match the story (and only it) if % and _ were wildcards.
    for probe in (story[:6] + "_" + story[7:12], story[:8] + "%25", story[:4] + "%25" + story[5:9]):
        for path in ("/api/stories/", "/stories/"):
            response = client.get(path + probe, follow_redirects=False)
            assert response.status_code == 404, (path + probe, response.status_code)
    assert client.get("/api/stories/" + story[:8], follow_redirects=False).status_code == 200


def test_a_500_carries_the_security_headers(db, tmp_path):
    broken = tmp_path / "broken.db"
    shutil.copy(db, broken)
    app = create_app(broken)
    with sqlite3.connect(broken) as conn:  # the database changes under the server (a foreign tool, a bad disk)
        conn.execute("DROP TABLE stories")
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as client:
        for path in ("/", "/api/stories"):
            response = client.get(path)
            assert response.status_code == 500, path
            assert_headers(response)
            assert "Traceback" not in response.text and "stories" not in response.text
        assert client.get("/api/stories").json() == {"status": 500, "message": "internal error"}


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True), ("192.0.2.7", True),
    ("LOCALHOST", True), ("app.localhost", True),
    ("attacker.example", False), ("attacker.example:8000", False), ("127.0.0.1.nip.io", False), ("", False),
    ("news.example", False),
])
def test_only_hosts_it_serves_are_answered(client, host, allowed):
    response = client.get("/api/stories", headers={"host": host})
    assert response.status_code == (200 if allowed else 400), host
    assert_headers(response)


def test_allowed_host_names_are_configurable(db):
    with TestClient(create_app(db, allowed_hosts=["news.example"]), base_url=LOCAL) as client:
        assert client.get("/", headers={"host": "news.example:8080"}).status_code == 200
        assert client.get("/", headers={"host": "other.example"}).status_code == 400
    with TestClient(create_app(db, allowed_hosts=["*"]), base_url=LOCAL) as client:
        assert client.get("/", headers={"host": "anything.example"}).status_code == 200


def test_readers_do_not_wait_on_a_writer(db, tmp_path):
    copy = tmp_path / "busy.db"
    shutil.copy(db, copy)
    app = create_app(copy)
    held = threading.Event()
    release = threading.Event()

    def writer():  # an ingest in the middle of a batch: the write lock held for 15 s
        conn = sqlite3.connect(copy, timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        held.set()
        release.wait(15)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(10)
        with TestClient(app, base_url=LOCAL) as client:
            started = time.monotonic()
            assert client.get("/api/stories").status_code == 200
            assert client.get("/").status_code == 200
            assert time.monotonic() - started < 3.0  # reads never wait (the writer holds it for 15 s)
        # The page's own write (its sentence-vector cache) gives up within a second. (The
        # cache's table comes with the schema, store/migrations.py: nothing to create first.)
        from couverture.store.schema import coverage_cache

        started = time.monotonic()
        with pytest.raises(Exception, match="locked"):
            with app.state.store.engine.begin() as conn:
                conn.execute(coverage_cache.insert(), [{"key": "k", "model": "m", "vector": b"v"}])
        assert time.monotonic() - started < 2.5
    finally:
        release.set()
        thread.join()
