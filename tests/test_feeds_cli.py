"""`couverture feeds ...` with click's CliRunner, and `couverture watch` in a real subprocess."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from couverture.cli import main
from couverture.feeds import FeedRegistry
from couverture.store import Store
from feeds_http import Reply, article_page, article_text, paragraphs_html, rss2, server  # noqa: F401


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_feeds_add_list_remove(db_path):
    added = run("feeds", "add", "https://example.org/rss.xml", "http://news.example.com/atom#top", "--db", db_path)
    assert added.exit_code == 0, added.output
    assert "added #1 https://example.org/rss.xml" in added.stdout
    assert "added #2 http://news.example.com/atom" in added.stdout  # fragment dropped
    again = run("feeds", "add", "https://example.org/rss.xml", "ftp://example.org/feed", "not-a-url", "--db", db_path)
    assert again.exit_code == 1
    assert "already registered #1" in again.stdout
    assert "error: ftp://example.org/feed: a feed URL starts with http:// or https://" in again.stderr
    assert "error: not-a-url:" in again.stderr

    listed = run("feeds", "list", "--db", db_path)
    assert listed.exit_code == 0
    assert "#1  https://example.org/rss.xml" in listed.stdout and "#2  http://news.example.com/atom" in listed.stdout
    assert "last success never" in listed.stdout and "next poll at the next watch" in listed.stdout
    as_json = [json.loads(line) for line in run("feeds", "list", "--json", "--db", db_path).stdout.splitlines()]
    assert [f["url"] for f in as_json] == ["https://example.org/rss.xml", "http://news.example.com/atom"]

    removed = run("feeds", "remove", "#1", "http://news.example.com/atom", "--db", db_path)
    assert removed.exit_code == 0 and removed.stdout.count("removed") == 2
    missing = run("feeds", "remove", "7", "--db", db_path)
    assert missing.exit_code == 1 and "no feed '7'" in missing.stderr
    assert "no feeds registered" in run("feeds", "list", "--db", db_path).stderr


def test_feeds_add_with_its_own_interval(db_path):
    assert run("feeds", "add", "https://example.org/a", "--interval", "2h", "--db", db_path).exit_code == 0
    assert FeedRegistry(Store(db_path)).get(1).interval_seconds == 7200
    bad = run("feeds", "add", "https://example.org/b", "--interval", "soon", "--db", db_path)
    assert bad.exit_code == 2 and "cannot read the interval" in bad.output


def test_feeds_import_opml(db_path, tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text("""<opml version="1.0"><body><outline text="Tech">
      <outline text="A" type="rss" xmlUrl="https://a.example/feed"/><outline text="B" type="rss" xmlUrl="https://b.example/rss"/>
      <outline text="bad" type="rss" xmlUrl="javascript:alert(1)"/></outline></body></opml>""", encoding="utf-8")
    run("feeds", "add", "https://a.example/feed", "--db", db_path)
    result = run("feeds", "import", opml, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "1 feed(s) added, 1 already registered, from 3" in result.stdout
    assert "error: javascript:alert(1)" in result.stderr
    feeds = FeedRegistry(Store(db_path)).all()
    assert [(f.url, f.title) for f in feeds] == [("https://a.example/feed", None), ("https://b.example/rss", "B")]
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body>", encoding="utf-8")
    failed = run("feeds", "import", broken, "--db", db_path)
    assert failed.exit_code == 1 and "not a valid OPML file" in failed.output


def _full_feed(server, path, indexes):
    items = []
    for i in indexes:
        title, text = article_text(i)
        items.append({"title": title, "link": server.url(f"/news/{i}"), "guid": f"g{i}",
                      "pubDate": "Thu, 20 Jun 2024 10:00:00 GMT", "content": paragraphs_html(text)})
    server.route(path, Reply(rss2(path.strip("/"), items), content_type="application/rss+xml"))


def test_watch_once_ingests_and_feeds_list_shows_the_state(server, db_path):
    _full_feed(server, "/good", [0, 1])
    server.route("/broken", Reply("gone", status=410))  # not retried: keeps the test fast
    run("feeds", "add", server.url("/good"), server.url("/broken"), "--db", db_path)
    result = run("watch", "--once", "--allow-private", "--host-delay", "0", "--db", db_path)
    assert result.exit_code == 1  # a feed failed
    assert "good: 2 new article(s), 0 already stored" in result.stdout
    assert f"error: {server.url('/broken')}: HTTP 410 Gone" in result.stderr
    assert "done: 2 article(s) added in 2 poll(s)" in result.stdout
    assert len(server.hits("/broken")) == 1
    assert Store(db_path).count_articles() == 2

    listed = run("feeds", "list", "--db", db_path).stdout
    good, broken = listed.split(f"#2  {server.url('/broken')}")
    assert "ok · last success 20" in good and "2 article(s) added" in good and "last error" not in good
    assert "FAILING · last success never · next poll 20" in broken
    assert "last error 20" in broken and "HTTP 410 Gone" in broken


def test_watch_without_allow_private_explains_the_refusal(server, db_path):
    _full_feed(server, "/good", [0])
    run("feeds", "add", server.url("/good"), "--db", db_path)
    result = run("watch", "--once", "--db", db_path)
    assert result.exit_code == 1
    assert "127.0.0.1: a loopback address" in result.stderr and "pass --allow-private" in result.stderr
    assert server.requests == []


def test_watch_rejects_a_bad_interval(db_path):
    result = run("watch", "--interval", "0s", "--db", db_path)
    assert result.exit_code == 2 and "positive" in result.output


# --- SIGTERM ------------------------------------------------------------------------------------

def _start_watch(db_path):
    command = [sys.executable, "-c", "from couverture.cli import main; main()", "watch", "--db", str(db_path),
               "--allow-private", "--host-delay", "0", "--interval", "1h"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_sigterm_during_a_poll_stores_what_was_fetched_and_exits_0(server, db_path):
    items = []
    for i in range(3):
        title, text = article_text(i)
        server.route(f"/s/{i}", Reply(article_page(title, text), delay=1.0))
        items.append({"title": title, "link": server.url(f"/s/{i}"), "guid": f"s{i}", "description": "Short."})
    server.route("/teasers", Reply(rss2("Teasers", items), content_type="application/rss+xml"))
    FeedRegistry(Store(db_path)).add(server.url("/teasers"))
    process = _start_watch(db_path)
    try:
        assert _wait_for(lambda: server.hits("/s/0") or process.poll() is not None), "the watcher never fetched a page"
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        out, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert elapsed < 15
    assert "stopped: 1 article(s) added" in out
    assert not server.hits("/s/2")  # no new request after the signal
    store = Store(db_path)
    assert [a.url for a in store.iter_articles()] == [server.url("/s/0")]
    state = FeedRegistry(store).get(1)
    assert state.last_success_at is not None and state.etag is None and state.articles_added == 1


def test_sigterm_while_idle_exits_0_promptly(server, db_path):
    _full_feed(server, "/full", [3])
    registry = FeedRegistry(Store(db_path))
    registry.add(server.url("/full"))
    process = _start_watch(db_path)
    try:
        assert _wait_for(lambda: registry.get(1).last_success_at is not None or process.poll() is not None)
        assert process.poll() is None, process.communicate()
        time.sleep(0.3)  # now waiting for the next poll, an hour away
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        out, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert elapsed < 5
    assert "watching 1 feed(s), every 1h" in out and "stopped: 1 article(s) added in 1 poll(s)" in out
    assert Store(db_path).count_articles() == 1
