"""A real HTTP server on 127.0.0.1 for the feed tests, and builders of feeds and pages.

Routes map a path to a :class:`Reply`, a list of replies (served in order, the last
one repeats) or a function of the request. Every request is recorded with its
headers, so tests can check what the client sent (conditional headers, User-Agent)
and what it did not request at all.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from couverture.feeds import FetchPolicy


@dataclass
class Reply:
    body: bytes | Iterable[bytes] | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    etag: str | None = None  # when set, a matching If-None-Match gets a 304
    raw: Iterable[bytes] | None = None  # when set, written as is instead of a response (status line included)


@dataclass
class Seen:
    path: str  # with the query string
    headers: dict[str, str]
    at: float


class LocalServer:
    def __init__(self, ssl_context=None) -> None:
        self.routes: dict[str, Reply | list[Reply] | Callable] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "https" if ssl_context else "http"
        if ssl_context:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply) -> None:
        self.routes[path] = reply

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path or urlsplit(r.path).path == path]

    def _reply_for(self, handler) -> Reply:
        path = urlsplit(handler.path).path
        route = self.routes.get(handler.path, self.routes.get(path))
        if route is None:
            return Reply(b"not found", status=404, content_type="text/plain")
        if callable(route):
            return route(handler)
        if isinstance(route, list):
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        return route

    def _serve(self, handler) -> None:
        with self._lock:
            self.requests.append(Seen(handler.path, {k.lower(): v for k, v in handler.headers.items()}, time.monotonic()))
        reply = self._reply_for(handler)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:  # a hostile server: whatever bytes, at whatever pace
            try:
                for chunk in reply.raw:
                    handler.wfile.write(chunk)
                    handler.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        status = reply.status
        if reply.etag and handler.headers.get("If-None-Match") == reply.etag:
            status = 304
        try:
            handler.send_response(status)
            if reply.content_type and status != 304:
                handler.send_header("Content-Type", reply.content_type)
            if reply.etag:
                handler.send_header("ETag", reply.etag)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
            if isinstance(body, bytes) and status != 304:
                if "Content-Length" not in reply.headers:
                    handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
            elif status == 304:
                handler.end_headers()
            else:  # a stream without Content-Length: read until the connection closes
                handler.end_headers()
                for chunk in body:
                    handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should for oversized bodies

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()


def fast_policy(**overrides) -> FetchPolicy:
    """The default rules with tiny delays; only 127.0.0.1 itself is reachable (not all of
    loopback, nor private networks), so the address guard stays under test."""
    settings = dict(
        trusted_networks=("127.0.0.1/32",), host_delay=0.0, backoff=0.01, max_backoff=0.05, retries=2,
        connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0,
    )
    settings.update(overrides)
    return FetchPolicy(**settings)


# --- content --------------------------------------------------------------------------------

EVENTS = [
    ("Storm Ciarán floods the port of Brest", "Brest", "Ciarán", "The storm brought gusts of 180 km/h and flooded 42 streets near the harbour; 3,200 homes lost power overnight."),
    ("Lyon opens its new tramway line T10", "Lyon", "Sytral", "The 8.5 km line links Gerland to Vénissieux with 14 stations and is expected to carry 40,000 passengers a day."),
    ("Volcano erupts near Grindavík in Iceland", "Grindavík", "Reykjanes", "Lava fountains reached 50 metres and the 3,700 residents of the fishing town were evacuated by road."),
    ("Dutch farmers block motorways near Utrecht", "Utrecht", "BBB", "More than 1,500 tractors blocked the A12 and A27 to protest a nitrogen plan that would close 3,000 farms."),
    ("Naples bans cars from its seafront for the summer", "Naples", "Manfredi", "Mayor Gaetano Manfredi said the 2.4 km Via Caracciolo would stay pedestrian from June to September."),
    ("Bavaria records its hottest June day at 38.9 degrees", "Bavaria", "DWD", "The weather service DWD measured 38.9 °C at Kitzingen, beating the 1947 record by 0.7 degrees."),
    ("Madrid metro strike halts 12 lines", "Madrid", "CCOO", "Unions CCOO and UGT called the 24-hour strike over pay; only 30 percent of trains ran at rush hour."),
    ("Lisbon approves a tax on short-term rentals", "Lisbon", "Moedas", "The council led by Carlos Moedas voted 9 to 8 for a 2 euro nightly levy on 19,000 registered flats."),
]


def article_text(index: int) -> tuple[str, str]:
    """(title, several paragraphs) about one distinct event."""
    title, place, name, detail = EVENTS[index % len(EVENTS)]
    paragraphs = [
        f"{detail}",
        f"Officials in {place} said on Thursday that the situation was being monitored closely, and that "
        f"further updates on {name} would follow in the evening.",
        f"Residents of {place} interviewed by reporters described a day unlike any other in recent memory; "
        f"several said they had never seen {name} so present in local conversations.",
        f"Analysts noted that the figures released for {place} remain provisional and may be revised "
        f"once the regional authorities complete their count next week (report {index}).",
    ]
    return title, "\n".join(paragraphs)


def rss2(title: str, items: list[dict], *, extra: str = "") -> bytes:
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
           f"<channel><title>{escape(title)}</title><link>http://example.org/</link><description>d</description>{extra}"]
    for item in items:
        out.append("<item>")
        for key in ("title", "link", "guid", "pubDate", "description"):
            if item.get(key) is not None:
                out.append(f"<{key}>{escape(item[key])}</{key}>")
        if item.get("content"):
            out.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def atom(title: str, entries: list[dict]) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(title)}</title><id>urn:test:feed</id><updated>2024-06-20T10:00:00Z</updated>"]
    for entry in entries:
        out.append(f"<entry><title>{escape(entry['title'])}</title><id>{escape(entry['id'])}</id>")
        if entry.get("link"):
            out.append(f'<link rel="alternate" href="{escape(entry["link"])}"/>')
        out.append(f"<updated>{entry['updated']}</updated>")
        if entry.get("content"):
            out.append(f'<content type="html">{escape(entry["content"])}</content>')
        if entry.get("summary"):
            out.append(f"<summary>{escape(entry['summary'])}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "".join(out).encode("utf-8")


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n"))


def article_page(title: str, text: str, *, canonical: str | None = None, nav: str = "Home World Sport",
                 share: str = "Share on Facebook", published: str | None = None, footer: str = "© Example") -> str:
    head = f"<title>{escape(title)}</title>"
    if canonical:
        head += f'<link rel="canonical" href="{escape(canonical)}">'
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    links = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in nav.split())
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{head}</head><body>"
            f"<header><nav><ul>{links}</ul></nav></header>"
            f"<main><article><h1>{escape(title)}</h1>{paragraphs_html(text)}"
            f"<p class=\"share\">{escape(share)}</p></article></main>"
            f"<footer><p>{escape(footer)}</p></footer></body></html>")


def rfc2822(when) -> str:
    return format_datetime(when)
