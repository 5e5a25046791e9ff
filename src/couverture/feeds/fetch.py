"""A careful HTTP client for feeds and article pages.

What comes from the web is hostile, and the hosts we read are not ours to overload:

* only http and https; every connection is checked *after* DNS resolution, on the
  address actually dialled, so neither a name resolving to 127.0.0.1 nor a redirect
  nor a DNS answer that changes between two lookups reaches a loopback, private,
  link-local, multicast, reserved or unspecified address (unless the policy allows it);
* redirects are followed here, one hop at a time, each hop checked (scheme, address,
  robots.txt), with a hop limit and loop detection;
* bodies are streamed and decompressed under a byte cap, so a 200 MB page or a gzip
  bomb costs a few MB at most; deadlines hold at the socket: each read waits at most
  what is left of the header phase (``header_timeout``) and of the whole request
  (``total_timeout``), so a server dripping one byte at a time is cut off on time,
  and a stop request (SIGTERM) cuts a request in flight after a short grace;
* robots.txt is honoured (cached per host), requests to one host are spaced, and
  429/5xx/network errors are retried with exponential backoff, respecting Retry-After;
* conditional GET: ETag and Last-Modified go out as If-None-Match/If-Modified-Since.
"""
from __future__ import annotations

import random
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .._version import __version__
from ..errors import printable
from .guard import (AddressGuard, BlockedAddress, FetchError, Interrupted, RobotsDisallowed, TooLarge,
                    _Clock, _GuardedTransport, address_problem)  # address_problem: read from here too

USER_AGENT = f"couverture/{__version__} (+https://github.com/couverture; news clustering)"
ROBOTS_AGENT = "couverture"  # the token matched against robots.txt User-agent lines

ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


@dataclass
class FetchPolicy:
    """Every limit of the client in one place; tests shrink the delays, not the rules."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    header_timeout: float = 30.0  # from sending the request to the end of the response headers
    total_timeout: float = 60.0  # for the whole request, headers and body: a server dripping bytes is cut off
    stop_grace: float = 2.0  # once stopped, a request in flight may go on this long
    max_bytes: int = 5_000_000  # after decompression
    max_redirects: int = 5
    retries: int = 3  # after the first attempt, on 408/425/429/5xx and network errors
    backoff: float = 1.0  # first retry delay in seconds, doubled at each retry
    max_backoff: float = 60.0
    max_retry_wait: float = 120.0  # a longer Retry-After is not waited for: the caller tries later
    host_delay: float = 1.0  # minimum seconds between two requests to one host
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is honoured up to this
    robots: bool = True
    robots_ttl: float = 24 * 3600.0
    robots_max_bytes: int = 500_000
    allow_private: bool = False
    # Networks reachable even without allow_private, e.g. ("192.168.1.0/24",) for an intranet feed.
    trusted_networks: tuple[str, ...] = ()
    ca_bundle: str | None = None  # PEM file of extra certificate authorities, instead of the usual ones


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes = b""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


# --- bodies ----------------------------------------------------------------------------

class _Decoder:
    """Content-Encoding undone under a cap: at most ``room + 1`` bytes come out per call."""

    def __init__(self, encoding: str | None):
        encoding = (encoding or "identity").strip().lower()
        self.encoding = encoding
        if encoding in ("identity", ""):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r} (we ask for gzip or deflate)")
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        if self._z is None:
            return data[: room + 1]
        try:
            out = self._z.decompress(data, room + 1)
        except zlib.error as exc:
            if self.encoding == "deflate" and not self._started:
                # Some servers send raw deflate without the zlib header.
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self.encoding = "raw-deflate"
                return self.feed(data, room)
            raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc
        self._started = True
        return out


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _retryable(status: int) -> bool:
    return status in (408, 425, 429) or (status >= 500 and status not in (501, 505))


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the server"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the HTTP protocol ({exc})"
    return f"{type(exc).__name__}: {exc}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shown(text: str, limit: int = 200) -> str:
    """A server-given string quoted in a message: bounded, control characters escaped."""
    text = printable(text)
    return text if len(text) <= limit else text[:limit] + "..."


def check_url(url: str) -> httpx.URL:
    """``url`` as an httpx URL, or :class:`FetchError` when it is not an http(s) URL."""
    if len(url) > 8192:
        raise FetchError("URL too long")
    if _CONTROL.search(url):
        raise FetchError("invalid URL: it contains a control character (a line break?)")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as exc:  # "http://[::1/": a broken IPv6 literal
        raise FetchError(f"invalid URL: {exc}") from exc
    if scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {scheme or 'a URL without scheme'}")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    if not parsed.host:
        raise FetchError("invalid URL: no host")
    return parsed


# --- robots.txt ------------------------------------------------------------------------

@dataclass
class _Robots:
    parser: object | None  # urllib.robotparser.RobotFileParser; None means everything allowed
    expires: float

    def allowed(self, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(ROBOTS_AGENT, url)

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(ROBOTS_AGENT)
        return float(delay) if delay is not None else None


# --- the client ---------------------------------------------------------------------------

class Fetcher:
    """Fetch URLs under a :class:`FetchPolicy`. Not thread-safe; one per worker.

    ``stop`` is an event that, once set, interrupts every wait (backoff, Retry-After,
    rate limit) so a watcher stops promptly.
    """

    def __init__(self, policy: FetchPolicy | None = None, stop: threading.Event | None = None):
        self.policy = policy or FetchPolicy()
        self.stop = stop or threading.Event()
        self.guard = AddressGuard(self.policy.allow_private, self.policy.trusted_networks)
        self._clock = _Clock(self.stop, self.policy.stop_grace)
        # Requests go to the transport itself: redirects are ours to follow (and check),
        # and httpx would otherwise parse each Location header first, and fail on a bad one.
        self._transport = _GuardedTransport(self.guard, self._clock, self.policy.ca_bundle)
        self._client = httpx.Client(
            transport=self._transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._next_slot: dict[str, float] = {}
        self._robots: dict[tuple[str, str, int], _Robots] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- waiting ---
    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Interrupted()
        if self.stop.is_set():
            raise Interrupted()

    def _backoff(self, attempt: int) -> float:
        delay = min(self.policy.max_backoff, self.policy.backoff * (2 ** attempt))
        return delay * random.uniform(0.75, 1.0)  # jitter, so many feeds do not retry in step

    def _wait_turn(self, url: httpx.URL, crawl_delay: float | None) -> None:
        host = url.host.lower()
        spacing = self.policy.host_delay
        if crawl_delay:
            spacing = max(spacing, min(crawl_delay, self.policy.max_crawl_delay))
        now = time.monotonic()
        slot = self._next_slot.get(host, now)
        if slot > now:
            self._sleep(slot - now)
        self._next_slot[host] = max(now, slot) + spacing

    # --- robots.txt ---
    def _robots_for(self, url: httpx.URL) -> _Robots:
        key = (url.scheme, url.host.lower(), url.port or (443 if url.scheme == "https" else 80))
        cached = self._robots.get(key)
        if cached is not None and cached.expires > time.monotonic():
            return cached
        from urllib.robotparser import RobotFileParser

        robots_url = str(url.copy_with(path="/robots.txt", query=None, fragment=None))
        try:
            result = self._get(robots_url, accept="text/plain, */*;q=0.5", robots=False,
                               max_bytes=self.policy.robots_max_bytes, truncate=True)
        except (BlockedAddress, Interrupted):
            raise
        except FetchError as exc:
            if exc.status is None:
                raise  # the host itself cannot be reached (DNS, refused, timed out): say that, not "robots.txt"
            if exc.status >= 500 or exc.status == 429:
                # RFC 9309: an unreachable robots.txt means "do not crawl" for now.
                # No promise of a retry here: a one-shot `ingest URL` makes none (the watcher's
                # schedule, shown by `feeds list`, says when it tries again).
                raise FetchError(f"robots.txt of {url.host} is unavailable ({exc.reason}), so its pages are not fetched",
                                 transient=True, retry_after=exc.retry_after, status=exc.status) from exc
            parser = None  # 4xx: no rules, everything allowed
        else:
            parser = RobotFileParser()
            parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
        robots = _Robots(parser, time.monotonic() + self.policy.robots_ttl)
        self._robots[key] = robots
        return robots

    # --- requests ---
    def _send(self, url: httpx.URL, headers: dict[str, str], crawl_delay: float | None) -> httpx.Response:
        """One URL, retried on 408/425/429/5xx and network errors; the response is open (streamed),
        with the clock running until :meth:`_read` ends it."""
        attempt = 0
        while True:
            self._wait_turn(url, crawl_delay)
            started = time.monotonic()
            policy = self.policy
            self._clock.start(started + min(policy.header_timeout, policy.total_timeout))
            try:
                request = self._client.build_request("GET", url, headers=headers)
                response = self._transport.handle_request(request)
            except FetchError:
                self._clock.end()
                raise
            except httpx.HTTPError as exc:
                self._clock.end()
                if self._clock.cut == "stopped":
                    raise Interrupted() from exc
                if self._clock.cut == "deadline":  # a server that drips its headers will not do better
                    raise FetchError(f"the server took more than {min(policy.header_timeout, policy.total_timeout):.0f} s "
                                     "to send its headers", transient=True) from exc
                if attempt >= policy.retries:
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise FetchError(f"network error: {_describe(exc)}{tries}", transient=True) from exc
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            self._clock.start(started + policy.total_timeout)  # the body, within the whole request's time
            if not _retryable(response.status_code):
                return response
            status = response.status_code
            asked = _retry_after(response.headers.get("retry-after"))
            response.close()
            self._clock.end()
            what = f"HTTP {status}" + (" (too many requests)" if status == 429 else "")
            if asked is not None and asked > policy.max_retry_wait:
                raise FetchError(f"{what}; the server asks to retry after {asked:.0f} s, so we will try later",
                                 transient=True, retry_after=asked, status=status)
            if attempt >= policy.retries:
                raise FetchError(f"{what} after {attempt + 1} attempts", transient=True, retry_after=asked, status=status)
            self._sleep(asked if asked is not None else self._backoff(attempt))
            attempt += 1

    def _read(self, response: httpx.Response, limit: int, truncate: bool) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.strip().isdigit() and int(declared) > limit and not truncate:
            raise TooLarge(f"response too large: {int(declared) / 1e6:.1f} MB announced, limit {limit / 1e6:.1f} MB")
        decoder = _Decoder(response.headers.get("content-encoding"))
        chunks: list[bytes] = []
        size = 0
        try:
            for raw in response.iter_raw():  # as the bytes come: the clock bounds each read
                data = decoder.feed(raw, limit - size)
                size += len(data)
                chunks.append(data)
                if size > limit:
                    if truncate:
                        return b"".join(chunks)[:limit]
                    raise TooLarge(f"response too large: more than {limit / 1e6:.1f} MB")
        except httpx.HTTPError as exc:
            if self._clock.cut == "stopped":
                raise Interrupted("stopped while the body was being received") from exc
            if self._clock.cut == "deadline":
                raise FetchError(f"the server took more than {self.policy.total_timeout:.0f} s to send the body",
                                 transient=True) from exc
            raise FetchError(f"network error while reading the body: {_describe(exc)}", transient=True) from exc
        finally:
            self._clock.end()
        return b"".join(chunks)

    def _get(self, url: str, *, etag: str | None = None, last_modified: str | None = None, accept: str = ACCEPT_PAGE,
             robots: bool = True, max_bytes: int | None = None, truncate: bool = False) -> FetchResult:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.policy.max_bytes
        current = url
        visited = [url]
        for _hop in range(self.policy.max_redirects + 1):
            try:
                parsed = check_url(current)
                crawl_delay = None
                if robots and self.policy.robots:
                    rules = self._robots_for(parsed)
                    if not rules.allowed(current):
                        raise RobotsDisallowed(f"robots.txt of {parsed.host} disallows {parsed.raw_path.decode('ascii', 'replace')}")
                    crawl_delay = rules.crawl_delay()
                response = self._send(parsed, headers, crawl_delay)
            except FetchError as exc:
                if len(visited) > 1:
                    exc.reason = f"redirected to {_shown(current)}, then: {exc.reason}"
                    exc.args = (exc.reason,)
                raise
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location header", status=status)
                    try:
                        target = urljoin(current, location.strip())
                    except ValueError as exc:  # "http://[::1": not a URL; asking again will not fix it
                        raise FetchError(f"HTTP {status} redirect to an invalid URL ({_shown(location)}): {exc}",
                                         status=status) from exc
                    if target in visited:
                        chain = " -> ".join(_shown(u) for u in visited + [target])
                        raise FetchError(f"redirect loop: {chain}", status=status)
                    visited.append(target)
                    current = target
                    continue
                result = FetchResult(url=url, final_url=current, status=status, headers=response.headers,
                                     redirects=visited[1:])
                if status == 304:
                    return result
                if not 200 <= status < 300:
                    raise FetchError(f"HTTP {status} {response.reason_phrase}".strip(), status=status)
                result.body = self._read(response, limit, truncate)
                return result
            finally:
                response.close()
                self._clock.end()
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects}): {' -> '.join(visited)}")

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = ACCEPT_PAGE, max_bytes: int | None = None) -> FetchResult:
        """Fetch ``url`` (a 304 is returned, not raised); every failure is a :class:`FetchError`."""
        if self.stop.is_set():
            raise Interrupted()
        return self._get(url, etag=etag, last_modified=last_modified, accept=accept, max_bytes=max_bytes)
