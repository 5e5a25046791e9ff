"""What the command line says when something is wrong: one line, naming what to do next."""
from __future__ import annotations

import json
import socket

import pytest

from cli_runner import one_line_error, run
from conftest import FIXTURES, SEEDS
from feeds_http import Reply, article_page, article_text, server  # noqa: F401  (the server fixture)


@pytest.fixture(scope="module")
def two_stories(tmp_path_factory):
    db = tmp_path_factory.mktemp("messages") / "two.db"
    assert run("ingest", SEEDS, FIXTURES / "unrelated_fr.txt", "--db", db).exit_code == 0
    ids = sorted(json.loads(line)["id"] for line in run("stories", "--json", "--db", db).stdout.splitlines())
    assert len(ids) == 2
    return db, ids


def test_an_ambiguous_id_prefix_lists_the_stories_it_matches(two_stories):
    db, ids = two_stories
    line = one_line_error(run("show", "s-", "--db", db))
    assert "'s-' is ambiguous: 2 stories begin with it" in line
    assert all(story_id in line for story_id in ids) and "give more of the id" in line


def test_a_prefix_that_matches_one_story_shows_it(two_stories):
    db, ids = two_stories
    # The shortest prefix that tells this story from the other one, however short.
    prefix = next(ids[0][:n] for n in range(3, len(ids[0]) + 1) if not ids[1].startswith(ids[0][:n]))
    shown = run("show", prefix, "--db", db)
    assert shown.exit_code == 0, shown.output
    assert ids[0] in shown.stdout


def test_an_unknown_story_says_where_the_ids_are(two_stories):
    db, _ = two_stories
    line = one_line_error(run("show", "s-zzzz", "--db", db))
    assert "no story 's-zzzz'" in line and "couverture stories" in line


@pytest.fixture
def busy_port():
    """A port something else is already listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_port_in_use_says_so_before_announcing_anything(two_stories, busy_port):
    db, _ = two_stories
    result = run("serve", "--db", db, "--port", busy_port)
    line = one_line_error(result)
    assert f"port {busy_port} on 127.0.0.1 is already in use" in line and "--port" in line
    assert "serving" not in result.stdout


def test_demo_on_a_port_in_use_fails_before_ingesting(tmp_path, busy_port):
    result = run("demo", "--db", tmp_path / "demo.db", "--port", busy_port)
    assert "already in use" in one_line_error(result)
    assert "serving" not in result.stdout and not (tmp_path / "demo.db").exists()


def test_a_failed_one_shot_ingest_promises_no_retry(server, tmp_path):  # noqa: F811
    """A one-shot `ingest URL` is not retried later: its message must not say it will be."""
    title, text = article_text(1)
    server.route("/robots.txt", Reply("down for maintenance", status=503, headers={"Retry-After": "0"}))
    server.route("/2024/06/18/page", Reply(article_page(title, text)))
    result = run("ingest", server.url("/2024/06/18/page"), "--allow-private", "--db", tmp_path / "one.db")
    assert result.exit_code == 1
    assert "robots.txt of 127.0.0.1 is unavailable" in result.stderr
    assert "try again" not in result.output and "later" not in result.output
    assert server.hits("/2024/06/18/page") == []  # robots.txt unavailable: the page is not fetched
