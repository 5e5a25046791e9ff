"""A hostile server on 127.0.0.1: fetches always end, one bad answer costs only itself.

Reproductions from issue 21, each against a real local HTTP server (tests/feeds_http.py).
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from couverture.cli import main
from couverture.engine import ingest_documents
from couverture.errors import InputError
from couverture.feeds import FetchError, Fetcher, documents_from_sources
from couverture.store.feeds import FeedRegistry
from couverture.feeds.watch import Watcher
from couverture.models import Notice
from feeds_http import EVENTS, Reply, article_page, article_text, fast_policy, rss2, server  # noqa: F401


def drip(prefix: bytes, seconds: float, count: int = 400):
    """``prefix`` at once, then one byte every ``seconds``: a server that never quite stops."""
    yield prefix
    for _ in range(count):
        time.sleep(seconds)
        yield b"x"


@pytest.mark.parametrize("location", ["javascript:alert(1)", "mailto:editor@example.org", "data:text/html,<b>hi</b>"])
def test_redirect_to_a_non_http_scheme_is_a_fetch_error(server, location):
    server.route("/go", Reply(b"", status=302, headers={"Location": location}))
    with Fetcher(fast_policy(robots=False)) as fetcher:
        with pytest.raises(FetchError, match="only http and https"):
            fetcher.get(server.url("/go"))
    assert len(server.hits("/go")) == 1
    items = list(documents_from_sources([server.url("/go")], policy=fast_policy(robots=False)))
    assert len(items) == 1 and isinstance(items[0], InputError)


@pytest.mark.parametrize("location", ["http://[::1", "http://exa\x01mple.org/"])
def test_a_bad_location_is_not_retried(server, location):
    server.route("/bad", Reply(b"", status=301, headers={"Location": location}))
    with Fetcher(fast_policy(robots=False, retries=3)) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(server.url("/bad"))
    assert len(server.hits("/bad")) == 1
    assert "\x01" not in caught.value.reason


def test_a_dripped_body_ends_at_the_total_deadline(server):
    server.route("/slow", Reply(raw=drip(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>", 0.3)))
    started = time.monotonic()
    with Fetcher(fast_policy(robots=False, total_timeout=3.0, read_timeout=2.0)) as fetcher:
        with pytest.raises(FetchError, match="more than 3 s to send the body"):
            fetcher.get(server.url("/slow"))
    assert time.monotonic() - started < 5.0
    assert len(server.hits("/slow")) == 1  # not tried again: a dripping server will not do better


def test_dripped_headers_end_at_the_header_deadline(server):
    server.route("/slow", Reply(raw=drip(b"HTTP/1.0 200 OK\r\nX-Pad: ", 0.3)))
    started = time.monotonic()
    with Fetcher(fast_policy(robots=False, header_timeout=2.0, total_timeout=30.0, read_timeout=2.0)) as fetcher:
        with pytest.raises(FetchError, match="more than 2 s to send its headers"):
            fetcher.get(server.url("/slow"))
    assert time.monotonic() - started < 4.0
    assert len(server.hits("/slow")) == 1


def test_watch_once_stops_within_5_s_of_sigterm(server, tmp_path):
    db = tmp_path / "watch.db"
    server.route("/feed.xml", Reply(raw=drip(b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n<rss>", 0.5)))
    done = subprocess.run([sys.executable, "-m", "couverture.cli", "feeds", "add", server.url("/feed.xml"),
                           "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    watch = subprocess.Popen([sys.executable, "-m", "couverture.cli", "watch", "--once", "--allow-private",
                              "--host-delay", "0", "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.monotonic() + 120
    while not server.hits("/feed.xml"):
        assert time.monotonic() < deadline and watch.poll() is None, watch.stderr.read()[-2000:]
        time.sleep(0.05)
    time.sleep(1.0)  # well into the dripping body
    sent = time.monotonic()
    watch.send_signal(signal.SIGTERM)
    try:
        watch.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        watch.kill()
        pytest.fail("watch --once was still running 5 s after SIGTERM")
    assert time.monotonic() - sent < 5.0
    assert "Traceback" not in watch.stderr.read()


def test_a_feed_of_many_teasers_fetches_at_most_max_pages(server):
    items = [{"title": f"Teaser {n}", "link": server.url(f"/a/{n}"), "guid": f"t{n}", "description": "Short."}
             for n in range(30)]
    server.route("/feed.xml", Reply(rss2("Many teasers", items), content_type="application/rss+xml"))
    for n in range(30):
        title, text = article_text(n)
        server.route(f"/a/{n}", Reply(article_page(f"{title} ({n})", text)))
    documents = list(documents_from_sources([server.url("/feed.xml")], policy=fast_policy(), max_pages=5))
    fetched = sum(len(server.hits(f"/a/{n}")) for n in range(30))
    assert fetched == 5
    notices = [d for d in documents if isinstance(d, Notice)]
    assert len(notices) == 1 and "25 teaser entries not fetched" in notices[0].message


def test_the_page_cap_is_on_by_default(server):
    items = [{"title": f"Teaser {n}", "link": server.url(f"/a/{n}"), "guid": f"t{n}", "description": "Short."}
             for n in range(60)]
    server.route("/feed.xml", Reply(rss2("Many teasers", items), content_type="application/rss+xml"))
    # Pages that are not there (404) fail fast; what counts is how many were asked for.
    documents = list(documents_from_sources([server.url("/feed.xml")], policy=fast_policy()))
    assert sum(len(server.hits(f"/a/{n}")) for n in range(60)) == 50
    assert "10 teaser entries not fetched" in [d for d in documents if isinstance(d, Notice)][0].message


def test_ingest_options_max_pages_and_max_bytes_apply_to_urls(server, tmp_path):
    items = [{"title": f"Teaser {n}", "link": server.url(f"/a/{n}"), "guid": f"t{n}", "description": "Short."}
             for n in range(20)]
    server.route("/feed.xml", Reply(rss2("Many teasers", items), content_type="application/rss+xml"))
    server.route("/big.html", Reply(article_page("Big page", "word " * 20_000)))
    result = CliRunner().invoke(main, ["ingest", server.url("/feed.xml"), server.url("/big.html"), "--allow-private",
                                       "--max-pages", "3", "--max-bytes", "20000", "--db", str(tmp_path / "u.db"),
                                       "--no-progress"])
    assert sum(len(server.hits(f"/a/{n}")) for n in range(20)) == 3
    assert "17 teaser entries not fetched" in result.stderr
    assert f"error: {server.url('/big.html')}: response too large" in result.stderr


def test_dns_failure_is_not_reported_as_robots_txt():
    items = list(documents_from_sources(["http://nonexistent.invalid/feed.xml"], policy=fast_policy()))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert "cannot resolve host" in items[0].reason
    assert "robots.txt" not in items[0].reason and "try again later" not in items[0].reason


SURROGATE_FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Odd &#55296; feed</title>'
    "<link>http://example.org/</link><description>d</description>"
    "<item><title>Bad &#55296; entry &#xDFFF;</title><guid>bad</guid><description>{bad}</description></item>"
    "<item><title>{title}</title><guid>good</guid><description>{good}</description></item>"
    "</channel></rss>"
)


def surrogate_feed() -> bytes:
    title, text = article_text(2)
    body = (text + " ") * 3
    return SURROGATE_FEED.format(bad=body.replace("Officials", "Officials &#55296;"), title=title, good=body).encode()


def test_a_feed_with_a_surrogate_reference_keeps_its_good_entries(server, store, analyzer):
    server.route("/feed.xml", Reply(surrogate_feed(), content_type="application/rss+xml"))
    report = ingest_documents(store, documents_from_sources([server.url("/feed.xml")], policy=fast_policy()),
                              analyzer=analyzer)
    assert not report.errors
    titles = {a.title for a in store.iter_articles()}
    assert titles == {"Bad \ufffd entry \ufffd", EVENTS[2][0]}


def test_watch_stores_the_good_entries_of_a_feed_with_a_surrogate(server, store, analyzer):
    server.route("/feed.xml", Reply(surrogate_feed(), content_type="application/rss+xml"))
    FeedRegistry(store).add(server.url("/feed.xml"))
    with Watcher(store, policy=fast_policy(), analyzer=analyzer) as watcher:
        (result,) = watcher.run(once=True)
    assert result.status == "ingested" and result.added == 2
    assert store.count_articles() == 2


def test_feeds_add_reports_a_broken_url_and_keeps_the_others(tmp_path):
    db = str(tmp_path / "f.db")
    result = CliRunner().invoke(main, ["feeds", "add", "http://[::1/", "http://example.org/a\nb",
                                       "https://example.org/feed.xml", "--db", db])
    assert result.exit_code == 1
    assert "error: http://[::1/: not a valid URL" in result.stderr
    assert "error: http://example.org/a\\x0ab: a URL cannot contain" in result.stderr
    assert "added #1 https://example.org/feed.xml" in result.stdout
    listed = CliRunner().invoke(main, ["feeds", "list", "--json", "--db", db])
    assert [json.loads(line)["url"] for line in listed.stdout.splitlines()] == ["https://example.org/feed.xml"]


def test_a_changed_page_fetched_again_is_stored_as_a_new_version(server, store, analyzer):
    title, text = article_text(5)
    server.route("/2024/06/20/naples.html", Reply(article_page(title, text)))
    url = server.url("/2024/06/20/naples.html")
    first = ingest_documents(store, documents_from_sources([url], policy=fast_policy()), analyzer=analyzer)
    assert first.added == 1
    server.route("/2024/06/20/naples.html", Reply(article_page(title, text + "\nUpdate: the council confirmed the ban "
                                                                              "will start on 1 June, at 7 a.m.")))
    again = ingest_documents(store, documents_from_sources([url], policy=fast_policy()), analyzer=analyzer)
    assert (again.added, again.updated_articles, again.duplicates) == (0, 1, 0)
    (article,) = list(store.iter_articles())
    assert "the council confirmed the ban" in article.text
    assert len(store.article_history(article.id)) == 1
    assert article.fetched_at > datetime(2024, 1, 1, tzinfo=timezone.utc)
