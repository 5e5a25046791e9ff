"""Polling feeds into a real store through a real local HTTP server."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from couverture.engine import ingest_documents
from couverture.errors import InputError
from couverture.feeds import FetchPolicy, Watcher, documents_from_sources
from feeds_http import Reply, article_page, article_text, atom, fast_policy, paragraphs_html, rss2, server  # noqa: F401

NAV_WORDS = ("Home", "World", "Sport")


def watcher(store, analyzer, **kwargs) -> Watcher:
    kwargs.setdefault("policy", fast_policy())
    return Watcher(store, analyzer=analyzer, **kwargs)


def full_item(server, i: int, **extra) -> dict:
    title, text = article_text(i)
    item = {"title": title, "link": server.url(f"/news/{i}?utm_source=rss&utm_medium=feed"), "guid": f"item-{i}",
            "pubDate": "Thu, 20 Jun 2024 10:00:00 +0200", "description": "Teaser.", "content": paragraphs_html(text)}
    item.update(extra)
    return item


def full_entry(server, i: int) -> dict:
    title, text = article_text(i)
    return {"title": title, "id": f"urn:entry:{i}", "link": server.url(f"/news/{i}"),
            "updated": "2024-06-20T10:00:00+02:00", "content": paragraphs_html(text)}


def serve_feed(server, path: str, fmt: str, count: int, version: int) -> None:
    body = rss2("Full RSS", [full_item(server, i) for i in range(count)]) if fmt == "rss" else \
        atom("Full Atom", [full_entry(server, i) for i in range(count)])
    server.route(path, Reply(body, content_type=f"application/{fmt}+xml", etag=f'"v{version}"',
                             headers={"Last-Modified": f"Thu, 20 Jun 2024 1{version}:00:00 GMT"}))


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_poll_ingests_then_304_then_only_the_new_entry(server, store, analyzer, fmt):
    serve_feed(server, "/feed", fmt, count=4, version=1)
    with watcher(store, analyzer) as w:
        feed, _ = w.registry.add(server.url("/feed"))
        first = w.poll(feed)
        assert first.status == "ingested" and first.added == 4
        assert store.count_articles() == 4
        stored = {a.url for a in store.iter_articles()}
        assert stored == {server.url(f"/news/{i}") for i in range(4)}  # tracking parameters gone
        assert all(a.published == datetime(2024, 6, 20, 8, 0, tzinfo=timezone.utc) for a in store.iter_articles())

        second = w.poll(w.registry.get(feed.id))
        sent = server.hits("/feed")[-1].headers
        assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Thu, 20 Jun 2024 11:00:00 GMT"
        assert second.status == "not-modified" and second.added == 0
        assert store.count_articles() == 4

        serve_feed(server, "/feed", fmt, count=5, version=2)
        third = w.poll(w.registry.get(feed.id))
        assert third.status == "ingested" and third.added == 1 and third.duplicates == 0
        assert store.count_articles() == 5
        state = w.registry.get(feed.id)
        assert state.etag == '"v2"' and state.articles_added == 5 and state.last_error is None
        assert state.title == ("Full RSS" if fmt == "rss" else "Full Atom")


def test_teaser_feed_fetches_pages_and_keeps_only_the_article(server, store, analyzer):
    items = []
    for i in range(3):
        title, text = article_text(i)
        path = f"/2024/06/1{i}/story-{i}"
        server.route(path, Reply(article_page(title, text, canonical=f"{path}?utm_campaign=c",
                                              share="Share on Facebook")))
        items.append({"title": title, "link": server.url(f"{path}?utm_source=rss"), "guid": f"t{i}",
                      "pubDate": "Wed, 19 Jun 2024 23:30:00 -0400", "description": "A short teaser."})
    items[2]["pubDate"] = None  # no date in the feed: the page or the URL gives it
    server.route("/teasers", Reply(rss2("Teasers", items), content_type="application/rss+xml"))
    with watcher(store, analyzer) as w:
        feed, _ = w.registry.add(server.url("/teasers"))
        result = w.poll(feed)
        assert result.added == 3 and not result.entry_errors
        articles = {a.url: a for a in store.iter_articles()}
        assert set(articles) == {server.url(f"/2024/06/1{i}/story-{i}") for i in range(3)}
        for i in range(3):
            article = articles[server.url(f"/2024/06/1{i}/story-{i}")]
            assert article.title == article_text(i)[0]
            assert "Officials in" in article.text
            assert "Share on Facebook" not in article.text and "© Example" not in article.text
            assert not any(word in article.text.split() for word in NAV_WORDS)
            assert article.extra.get("feed") == server.url("/teasers")
        # the feed's date (normalised to UTC) wins; without it, the URL's date
        assert articles[server.url("/2024/06/10/story-0")].published == datetime(2024, 6, 20, 3, 30, tzinfo=timezone.utc)
        assert articles[server.url("/2024/06/12/story-2")].published == datetime(2024, 6, 12, tzinfo=timezone.utc)

        # The feed has no validators: it is fetched again, but known entries' pages are not.
        again = w.poll(w.registry.get(feed.id))
        assert again.added == 0
        assert all(len(server.hits(f"/2024/06/1{i}/story-{i}")) == 1 for i in range(3))
        assert len(server.hits("/teasers")) == 2


def test_same_article_from_two_feeds_is_stored_once(server, store, analyzer):
    title, text = article_text(3)
    server.route("/news/3", Reply(article_page(title, text)))
    full = rss2("Full", [full_item(server, 3, link=server.url("/news/3?utm_source=full"), guid="full-3")])
    teaser = rss2("Teaser", [{"title": title, "link": server.url("/news/3?fbclid=xyz"), "guid": "teaser-3",
                              "description": "Short."}])
    server.route("/full", Reply(full, content_type="application/rss+xml"))
    server.route("/teaser", Reply(teaser, content_type="application/rss+xml"))
    with watcher(store, analyzer) as w:
        w.registry.add(server.url("/full"))
        w.registry.add(server.url("/teaser"))
        results = w.run(once=True)
    assert [r.added for r in results] == [1, 0]
    assert store.count_articles() == 1
    assert [a.url for a in store.iter_articles()] == [server.url("/news/3")]
    assert not server.hits("/news/3")  # the teaser's page was already stored under its canonical URL


def test_refetch_with_only_boilerplate_changed_adds_nothing(server, store, analyzer):
    title, text = article_text(4)
    server.route("/a/4", Reply(article_page(title, text, nav="Home World", share="Share on Facebook",
                                            footer="© 2024 Example")))
    server.route("/b/4", Reply(article_page(title, text, nav="Accueil Monde Sport Culture Live",
                                            share="Partager sur X", footer="© 2025 Example SA — all rights reserved")))
    policy = fast_policy()
    report = ingest_documents(store, documents_from_sources([server.url("/a/4")], policy=policy), analyzer=analyzer)
    assert report.added == 1
    # same URL with tracking parameters: canonical URL already stored
    report = ingest_documents(store, documents_from_sources([server.url("/a/4?utm_source=x&fbclid=y")], policy=policy),
                              analyzer=analyzer)
    assert report.added == 0 and report.duplicates == 1
    # another URL, different page furniture, same article: same content hash
    report = ingest_documents(store, documents_from_sources([server.url("/b/4")], policy=policy), analyzer=analyzer)
    assert report.added == 0 and report.duplicates == 1
    assert store.count_articles() == 1


def test_each_bad_feed_gets_its_own_error_and_the_others_are_ingested(server, store, analyzer):
    server.route("/robots.txt", Reply("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))

    def good(path, i):
        server.route(path, Reply(rss2(path, [full_item(server, i)]), content_type="application/rss+xml"))

    good("/good", 0)
    server.route("/flaky", [Reply("boom", status=500), Reply(rss2("flaky", [full_item(server, 1)]),
                                                             content_type="application/rss+xml")])
    server.route("/busy", [Reply("slow down", status=429, headers={"Retry-After": "1"}),
                           Reply(rss2("busy", [full_item(server, 2)]), content_type="application/rss+xml")])
    server.route("/malformed", Reply(b"<rss version='2.0'><channel><title>x &nope; <<<", content_type="application/rss+xml"))
    server.route("/html", Reply('<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
                                'href="/good"></head><body><p>Home page</p></body></html>'))
    server.route("/huge", Reply(rss2("huge", [full_item(server, 5)]) + b"<!--" + b"x" * 200_000 + b"-->",
                                content_type="application/rss+xml"))
    server.route("/loop", Reply(status=302, headers={"Location": "/loop2"}))
    server.route("/loop2", Reply(status=302, headers={"Location": "/loop"}))
    server.route("/to-private", Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    server.route("/private/feed", Reply(rss2("private", [full_item(server, 6)]), content_type="application/rss+xml"))
    expected = {
        "/malformed": "malformed feed XML",
        "/html": "not a feed: the server sent an HTML page; the page advertises a feed: " + server.url("/good"),
        "/huge": "response too large",
        "/loop": "redirect loop",
        "/to-private": "refused to connect to 169.254.169.254: a link-local address",
        "/private/feed": "robots.txt of 127.0.0.1 disallows /private/feed",
    }
    with watcher(store, analyzer, policy=fast_policy(max_bytes=100_000)) as w:
        for path in ["/malformed", "/good", "/html", "/flaky", "/huge", "/loop", "/busy", "/to-private", "/private/feed"]:
            w.registry.add(server.url(path))
        results = {r.feed.url: r for r in w.run(once=True)}
        for path, message in expected.items():
            result = results[server.url(path)]
            assert result.status == "error" and message in result.error, (path, result.error)
            state = w.registry.get(server.url(path))
            assert state.last_error == result.error and state.error_count == 1 and state.last_success_at is None
            assert state.next_poll_at > datetime.now(timezone.utc)
        for path in ("/good", "/flaky", "/busy"):
            state = w.registry.get(server.url(path))
            assert results[server.url(path)].added == 1 and state.last_error is None and state.last_success_at
    assert store.count_articles() == 3
    assert not server.hits("/private/feed")
    logged = {origin for origin, _reason, _at in store.recent_errors()}
    assert {server.url(p) for p in expected} <= logged


def test_a_failing_entry_page_is_retried_only_when_the_failure_may_pass(server, store, analyzer):
    items = []
    for i, path in ((0, "/p/flaky"), (1, "/p/gone")):
        items.append({"title": article_text(i)[0], "link": server.url(path), "guid": path, "description": "Short."})
    server.route("/f", Reply(rss2("f", items), content_type="application/rss+xml", etag='"same"'))
    server.route("/p/flaky", Reply("down", status=503))
    with watcher(store, analyzer, policy=fast_policy(retries=0)) as w:
        feed, _ = w.registry.add(server.url("/f"))
        first = w.poll(feed)
        assert first.added == 0 and len(first.entry_errors) == 2
        reasons = sorted(e.reason for e in first.entry_errors)
        assert reasons[0].startswith("HTTP 404") and reasons[1].startswith("HTTP 503")
        state = w.registry.get(feed.id)
        assert state.etag is None  # an entry is left over: the next poll must not get a 304
        assert "2 entries failed" in state.last_error and state.error_count == 0

        title, text = article_text(0)
        server.route("/p/flaky", Reply(article_page(title, text)))
        second = w.poll(w.registry.get(feed.id))
        assert second.added == 1 and not second.entry_errors
        assert len(server.hits("/p/gone")) == 1  # a 404 is not asked again
        assert w.registry.get(feed.id).etag == '"same"'


def test_page_fetches_per_poll_are_capped_and_the_rest_wait(server, store, analyzer):
    items = []
    for i in range(3):
        title, text = article_text(i)
        server.route(f"/s/{i}", Reply(article_page(title, text)))
        items.append({"title": title, "link": server.url(f"/s/{i}"), "guid": f"s{i}", "description": "Short."})
    server.route("/f", Reply(rss2("f", items), content_type="application/rss+xml", etag='"e"'))
    with watcher(store, analyzer, max_pages=2) as w:
        feed, _ = w.registry.add(server.url("/f"))
        assert w.poll(feed).added == 2
        assert w.registry.get(feed.id).etag is None
        assert w.poll(w.registry.get(feed.id)).added == 1
        assert w.registry.get(feed.id).etag == '"e"'
        assert w.poll(w.registry.get(feed.id)).status == "not-modified"
    assert store.count_articles() == 3


def test_stop_during_a_poll_stores_what_was_fetched(server, store, analyzer):
    stop = threading.Event()
    items = []
    for i in range(4):
        title, text = article_text(i)

        def page(handler, title=title, text=text, i=i):
            if i == 1:
                stop.set()  # as a SIGTERM would, while the second page is being served
            return Reply(article_page(title, text))

        server.route(f"/s/{i}", page)
        items.append({"title": title, "link": server.url(f"/s/{i}"), "guid": f"s{i}", "description": "Short."})
    server.route("/f", Reply(rss2("f", items), content_type="application/rss+xml", etag='"e"'))
    with watcher(store, analyzer, stop=stop) as w:
        feed, _ = w.registry.add(server.url("/f"))
        result = w.poll(feed)
        assert result.added == 2 and store.count_articles() == 2
        assert not server.hits("/s/2") and not server.hits("/s/3")
        assert w.registry.get(feed.id).etag is None
        stop.clear()
        assert w.poll(w.registry.get(feed.id)).added == 2
    assert store.count_articles() == 4


# --- URLs given directly (what `couverture ingest URL` uses) ------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_local_urls_are_refused_without_allow_private(server, host):
    title, text = article_text(0)
    server.route("/page", Reply(article_page(title, text)))
    items = list(documents_from_sources([f"http://{host}:{server.port}/page"], policy=FetchPolicy(host_delay=0)))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert "loopback" in items[0].reason and "--allow-private" in items[0].reason
    assert server.requests == []


def test_allow_private_ingests_a_page_and_a_feed_by_url(server, store, analyzer, tmp_path):
    title, text = article_text(5)
    server.route("/2024/06/18/page", Reply(article_page(title, text)))
    server.route("/feed.xml", Reply(rss2("Direct", [full_item(server, 6), full_item(server, 7)]),
                                    content_type="text/xml"))
    local = tmp_path / "note.txt"
    local.write_text("not a URL: skipped by this function")
    sources = [str(local), server.url("/2024/06/18/page"), server.url("/feed.xml")]
    report = ingest_documents(store, documents_from_sources(sources, allow_private=True,
                                                            policy=FetchPolicy(host_delay=0)), analyzer=analyzer)
    assert report.added == 3 and not report.errors
    urls = {a.url: a for a in store.iter_articles()}
    assert urls[server.url("/2024/06/18/page")].published == datetime(2024, 6, 18, tzinfo=timezone.utc)
    assert {server.url("/news/6"), server.url("/news/7")} <= set(urls)


def test_a_url_that_is_neither_page_nor_feed(server):
    server.route("/logo.png", Reply(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png"))
    items = list(documents_from_sources([server.url("/logo.png")], policy=fast_policy()))
    assert len(items) == 1 and isinstance(items[0], InputError) and "not a web page" in items[0].reason


def test_ingesting_a_teaser_feed_by_url_twice_fetches_its_pages_once(server, store, analyzer):
    title, text = article_text(2)
    server.route("/p/2", Reply(article_page(title, text)))
    server.route("/t.xml", Reply(rss2("t", [{"title": title, "link": server.url("/p/2"), "description": "Short."}]),
                                 content_type="application/rss+xml"))
    for _ in range(2):
        items = documents_from_sources([server.url("/t.xml")], policy=fast_policy(), store=store)
        ingest_documents(store, items, analyzer=analyzer)
    assert store.count_articles() == 1 and len(server.hits("/p/2")) == 1
