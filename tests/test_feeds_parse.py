"""Canonical URLs, URL dates, feed parsing (RSS 0.91/1.0/2.0, Atom), OPML, entry HTML."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from couverture.feeds import FeedError, canonicalize, is_url, parse_feed, read_opml, url_date
from couverture.feeds.parse import html_to_text
from couverture.feeds.urls import accept_canonical, canonical_url
from feeds_http import article_text, atom, paragraphs_html, rss2


# --- URLs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("https://www.Example.org/a/b?utm_source=rss&utm_medium=feed&id=42#comments", "https://www.example.org/a/b?id=42"),
    ("HTTP://example.org:80", "http://example.org/"),
    ("https://example.org:443/x?fbclid=abc", "https://example.org/x"),
    ("https://example.org/x?gclid=1&page=2&mc_cid=9&q=a%20b", "https://example.org/x?page=2&q=a%20b"),
    ("https://example.org:8443/x?UTM_Campaign=y", "https://example.org:8443/x"),
    ("https://user:secret@example.org/x", "https://example.org/x"),
    ("https://example.org/x?b=2&a=1", "https://example.org/x?b=2&a=1"),  # order kept: it may matter
])
def test_canonicalize(raw, expected):
    assert canonicalize(raw) == expected


def test_declared_canonical_is_followed_on_the_same_site_only():
    page = "https://www.example.org/news/123?utm_source=tw"
    assert accept_canonical(page, "/news/123-storm?ref_src=x") == "https://www.example.org/news/123-storm"
    assert accept_canonical(page, "https://example.org/news/123") == "https://example.org/news/123"
    assert accept_canonical(page, "https://amp.example.org/news/123") == "https://amp.example.org/news/123"
    # another site, the home page, another scheme: the fetched URL is kept (tracking removed)
    for claim in ("https://victim.example.com/news/123", "https://www.example.org/", "javascript:alert(1)", ""):
        assert accept_canonical(page, claim) == "https://www.example.org/news/123"


def test_canonical_link_read_from_html():
    html = ('<html><head><meta charset="utf-8"><LINK REL="canonical" HREF="https://example.org/a?id=1&amp;utm_medium=x">'
            "</head><body>x</body></html>")
    assert canonical_url(html, "https://example.org/a?id=1&fbclid=z") == "https://example.org/a?id=1"


def test_url_dates():
    assert url_date("https://example.org/2024/06/20/storm") == datetime(2024, 6, 20, tzinfo=timezone.utc)
    assert url_date("https://example.org/news/2023-11-02-flood.html") == datetime(2023, 11, 2, tzinfo=timezone.utc)
    assert url_date("https://example.org/1989/06/20/old") is None  # before 1990: unknown
    future = datetime.now(timezone.utc) + timedelta(days=40)
    assert url_date(f"https://example.org/{future:%Y/%m/%d}/x") is None
    assert url_date("https://example.org/2024/13/40/x") is None
    assert url_date("https://example.org/story/12345") is None
    assert url_date("https://example.org/search?from=/2024/06/20/") is None  # a filter, not the page's day


@pytest.mark.parametrize("value, expected", [
    ("https://example.org/feed", True), ("HTTP://x.org", True), ("ftp://x.org/f", True),
    ("./feeds/page.html", False), ("C:\\news\\a.txt", False), ("example.org/feed", False), ("", False),
])
def test_is_url(value, expected):
    assert is_url(value) is expected


# --- feeds ---------------------------------------------------------------------------------------

def test_rss2_entries_with_full_text_and_utc_dates():
    title, text = article_text(0)
    body = rss2("Example News", [
        {"title": title, "link": "https://example.org/a?utm_source=rss", "guid": "a-1",
         "pubDate": "Thu, 20 Jun 2024 10:00:00 +0200", "description": "short", "content": paragraphs_html(text)},
        {"title": "Second", "link": "https://example.org/b", "pubDate": "Sat, 01 Jan 2150 00:00:00 GMT",
         "description": "teaser only"},
    ])
    feed = parse_feed(body, "https://example.org/feed")
    assert feed.title == "Example News" and feed.version == "rss20" and feed.warning is None
    first, second = feed.entries
    assert first.published == datetime(2024, 6, 20, 8, 0, tzinfo=timezone.utc)
    assert first.text.split("\n") == text.split("\n")  # one paragraph per line
    assert first.entry_id.endswith("a-1") and first.link == "https://example.org/a?utm_source=rss"
    assert second.published is None  # in the future: unknown
    assert second.text == "teaser only"


def test_atom_entries():
    title, text = article_text(1)
    body = atom("Atom News", [
        {"title": title, "id": "urn:1", "link": "https://example.org/atom/1", "updated": "2024-06-20T10:00:00+02:00",
         "content": paragraphs_html(text)},
        {"title": "Teaser", "id": "urn:2", "link": "https://example.org/atom/2", "updated": "2024-06-21T00:00:00Z",
         "summary": "A short summary."},
    ])
    feed = parse_feed(body, "https://example.org/atom")
    assert feed.version.startswith("atom") and feed.title == "Atom News"
    assert [e.link for e in feed.entries] == ["https://example.org/atom/1", "https://example.org/atom/2"]
    assert feed.entries[0].published == datetime(2024, 6, 20, 8, 0, tzinfo=timezone.utc)
    assert "Lyon" in feed.entries[0].text and feed.entries[1].text == "A short summary."


def test_rss1_rdf_and_rss091():
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>RDF News</title><link>https://example.org/</link>
    <description>d</description></channel>
  <item rdf:about="https://example.org/2024/06/19/x"><title>One</title><link>https://example.org/2024/06/19/x</link>
    <description>Teaser.</description><dc:date>2024-06-19T12:00:00Z</dc:date></item>
</rdf:RDF>"""
    feed = parse_feed(rdf, "https://example.org/rdf")
    assert feed.version == "rss10" and feed.entries[0].link == "https://example.org/2024/06/19/x"
    assert feed.entries[0].published == datetime(2024, 6, 19, 12, 0, tzinfo=timezone.utc)
    rss091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>https://example.org/</link>
<description>d</description><language>en</language><item><title>Item</title><link>https://example.org/old/1</link>
<description>Something happened.</description></item></channel></rss>"""
    feed = parse_feed(rss091, "https://example.org/091")
    assert feed.version.startswith("rss09") and feed.entries[0].link == "https://example.org/old/1"


def test_html_page_is_not_a_feed_and_its_advertised_feed_is_named():
    page = (b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            b"</head><body><p>Welcome</p></body></html>")
    with pytest.raises(FeedError) as caught:
        parse_feed(page, "https://example.org/news", "text/html")
    assert "not a feed: the server sent an HTML page" in caught.value.reason
    assert "https://example.org/rss.xml" in caught.value.reason


@pytest.mark.parametrize("body", [
    b"<rss version='2.0'><channel><title>Broken &bogus; <<<",
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a</title></chan",
    b"\x00\x01\x02 binary garbage",
])
def test_malformed_feed_is_a_clear_error(body):
    with pytest.raises(FeedError) as caught:
        parse_feed(body, "https://example.org/feed", "application/rss+xml")
    assert "malformed feed XML" in caught.value.reason or "not a feed" in caught.value.reason


def test_truncated_feed_keeps_recovered_entries_with_a_warning():
    body = rss2("T", [{"title": "a", "link": "https://example.org/1"}, {"title": "b", "link": "https://example.org/2"}])
    feed = parse_feed(body[: body.index(b"</channel>")], "https://example.org/feed")
    assert len(feed.entries) == 2 and "malformed feed XML" in feed.warning and "2 entries recovered" in feed.warning


def test_feed_body_is_never_taken_for_a_file_name(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss2("SECRET", [{"title": "s", "link": "https://example.org/s", "description": "x"}]))
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), "https://example.org/feed", "application/rss+xml")


def test_entry_html_becomes_paragraph_lines():
    html = ("<div><p>First <b>bold</b> paragraph.</p><script>alert(1)</script><p>Second&nbsp;one<br>with a break.</p>"
            "<ul><li>item one</li><li>item two</li></ul><style>p{}</style></div>")
    assert html_to_text(html).split("\n") == ["First bold paragraph.", "Second one", "with a break.", "item one", "item two"]


# --- OPML ------------------------------------------------------------------------------------------

def test_opml_nested_outlines(tmp_path):
    path = tmp_path / "subs.opml"
    path.write_text("""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News"><outline type="rss" text="One" xmlUrl="https://example.org/one.xml"/>
    <outline text="Inner"><outline type="rss" title="Two" xmlurl="https://example.org/two.xml"/></outline></outline>
  <outline type="rss" text="One again" xmlUrl="https://example.org/one.xml"/>
  <outline text="a folder without feed"/></body></opml>""", encoding="utf-8")
    feeds = read_opml(path)
    assert [(f.url, f.title) for f in feeds] == [("https://example.org/one.xml", "One"),
                                                 ("https://example.org/two.xml", "Two")]


def test_opml_errors(tmp_path):
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline", encoding="utf-8")
    with pytest.raises(FeedError, match="not a valid OPML"):
        read_opml(broken)
    other = tmp_path / "rss.opml"
    other.write_text("<rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(FeedError, match="not an OPML file"):
        read_opml(other)
    entities = tmp_path / "laughs.opml"
    entities.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body>'
                        '<outline xmlUrl="https://x/&a;"/></body></opml>', encoding="utf-8")
    with pytest.raises(FeedError, match="entities"):
        read_opml(entities)
