"""Feeds and OPML files -> plain dataclasses.

feedparser reads RSS 0.9x/1.0/2.0 and Atom and is lenient with broken XML; this
module decides what counts as a feed, what is an error worth reporting, and turns
entry HTML into the line-per-paragraph text the cleaner expects.
"""
from __future__ import annotations

import calendar
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import unescape
from pathlib import Path
from xml.sax import SAXException

from ..extract.dates import plausible
from ..ingest.scrub import scrub
from .urls import link_tags

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
               "text/xml", "application/x-rss+xml", "application/feed+json"}
_FEED_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*|<\?[^>]*>\s*)*<(?:[\w.-]+:)?(?:rss|feed|RDF)\b",
                        re.S | re.I)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.S | re.I)


class FeedError(Exception):
    """The document is not a feed we can read; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FeedEntry:
    title: str | None
    link: str | None
    entry_id: str | None
    published: datetime | None  # UTC, plausible, or None
    text: str  # the longest of content and summary, as plain text
    author: str | None = None


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None
    version: str
    entries: list[FeedEntry] = field(default_factory=list)
    ttl_minutes: int | None = None
    warning: str | None = None  # the XML was broken but entries could be recovered


def _strip_bom(body: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            return body[len(bom):] if bom == b"\xef\xbb\xbf" else body
    return body


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Cheap sniff: an RSS/Atom/RDF root element, or a feed media type."""
    head = _strip_bom(body[:4096])
    if _FEED_ROOT.match(head):
        return True
    return content_type in _FEED_TYPES and not _HTML_START.match(head)


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    head = _strip_bom(body[:4096])
    return content_type in ("text/html", "application/xhtml+xml") or bool(_HTML_START.match(head))


def discovered_feeds(html: str, base_url: str) -> list[str]:
    """Feeds a page advertises with ``<link rel=alternate type=application/rss+xml>``."""
    from urllib.parse import urljoin

    out = []
    for attributes in link_tags(html):
        rels = attributes.get("rel", "").lower().split()
        kind = attributes.get("type", "").lower()
        if "alternate" in rels and kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml") \
                and attributes.get("href"):
            out.append(urljoin(base_url, attributes["href"]))
    return out


# --- HTML fragments -> text ---------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "table", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "hr", "aside",
}
_DROP_TAGS = {"script", "style", "noscript", "iframe", "object", "embed", "svg", "button", "form", "template"}


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph per line."""
    if not fragment or "<" not in fragment:
        return _tidy(unescape(fragment or ""))
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]+>", " ", unescape(fragment)))
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.getparent() is not None:
                element.drop_tree()
            continue
        tag = element.tag.lower()
        if tag in _DROP_TAGS and element is not root:
            element.drop_tree()
        elif tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \t\u00a0\u200b]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --- feeds ----------------------------------------------------------------------------------

def _utc(parsed) -> datetime | None:
    if not parsed:
        return None
    try:
        return plausible(datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc))
    except (OverflowError, ValueError, TypeError):
        return None


def _entry(raw) -> FeedEntry:
    texts = []
    for content in raw.get("content") or []:
        value = content.get("value") or ""
        texts.append(html_to_text(value) if "html" in (content.get("type") or "html") else _tidy(value))
    summary = raw.get("summary") or ""
    if summary:
        texts.append(html_to_text(summary))
    text = max(texts, key=len) if texts else ""
    link = raw.get("link")
    if not link:
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    title = raw.get("title") or ""
    if "html" in ((raw.get("title_detail") or {}).get("type") or ""):
        title = html_to_text(title)
    title = " ".join(title.split())
    # dict.get: feedparser's own get() maps missing keys onto others, with a warning.
    published = next((d for d in (_utc(dict.get(raw, k)) for k in ("published_parsed", "updated_parsed", "created_parsed"))
                      if d), None)
    entry_id, author = raw.get("id"), raw.get("author")
    return FeedEntry(title=scrub(title) or None, link=scrub(link if isinstance(link, str) else "").strip() or None,
                     entry_id=scrub(entry_id if isinstance(entry_id, str) else "").strip() or None,
                     published=published, text=scrub(text), author=scrub(author) if isinstance(author, str) and author else None)


_CHARACTER_REFERENCE = re.compile(rb"&#(?:([0-9]{1,12})|[xX]([0-9a-fA-F]{1,12}));")


def _no_impossible_characters(body: bytes) -> bytes:
    """Character references to what is not a character (a lone surrogate ``&#55296;``,
    NUL, beyond U+10FFFF) become U+FFFD: feedparser would fail on the whole feed."""
    def replace(match: re.Match) -> bytes:
        code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
        return b"&#xFFFD;" if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group()

    return _CHARACTER_REFERENCE.sub(replace, body) if b"&#" in body else body


def _broken_xml(exception) -> bool:
    return isinstance(exception, SAXException)


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse an RSS or Atom document, or raise :class:`FeedError` saying what it is instead."""
    import feedparser

    if not body.strip():
        raise FeedError("empty response: no feed")
    if looks_like_html(body, content_type) and not looks_like_feed(body, content_type):
        text = body[:300_000].decode("utf-8", errors="replace")
        hint = discovered_feeds(text, url)
        advice = f"; the page advertises a feed: {hint[0]}" if hint else ""
        raise FeedError(f"not a feed: the server sent an HTML page{advice}")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes: feedparser opens a bytes argument as a *file name*.
    body = _no_impossible_characters(body)
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, resolve_relative_uris=True,
                              sanitize_html=True)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    broken = problem is not None and _broken_xml(problem)
    if not parsed.get("version"):
        if broken:
            raise FeedError(f"malformed feed XML: {_describe(problem)}")
        raise FeedError("not a feed: no RSS or Atom root element")
    entries = [_entry(raw) for raw in parsed.entries]
    entries = [e for e in entries if e.link or e.text]
    warning = None
    if broken:
        if not entries:
            raise FeedError(f"malformed feed XML: {_describe(problem)}")
        warning = f"malformed feed XML ({_describe(problem)}); {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} recovered"
    channel = parsed.get("feed", {})
    ttl = channel.get("ttl")
    return ParsedFeed(
        title=scrub(_tidy(channel.get("title") or "")) or None,
        link=channel.get("link"),
        version=parsed.version,
        entries=entries,
        ttl_minutes=int(ttl) if isinstance(ttl, str) and ttl.strip().isdigit() else None,
        warning=warning,
    )


def _describe(problem) -> str:
    message = getattr(problem, "getMessage", lambda: str(problem))()
    line = getattr(problem, "getLineNumber", lambda: None)()
    return f"{message} at line {line}" if line else str(message)


# --- OPML -------------------------------------------------------------------------------------

@dataclass
class OutlineFeed:
    url: str
    title: str | None


def read_opml(path: str | Path) -> list[OutlineFeed]:
    """The feeds of an OPML subscription list (nested outlines included), in file order."""
    data = Path(path).read_bytes()
    if b"<!ENTITY" in data.upper():
        raise FeedError("OPML file declares XML entities; refusing to expand them")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"not a valid OPML file: {exc}") from exc
    if root.tag.lower().rsplit("}", 1)[-1] != "opml":
        raise FeedError(f"not an OPML file: the root element is <{root.tag}>")
    out, seen = [], set()
    for outline in root.iter():
        if not isinstance(outline.tag, str) or outline.tag.rsplit("}", 1)[-1].lower() != "outline":
            continue
        attributes = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attributes.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen.add(url)
            out.append(OutlineFeed(url, attributes.get("title") or attributes.get("text") or None))
    return out
