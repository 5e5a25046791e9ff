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

import ipaddress
import random
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .._version import __version__
from ..errors import printable

USER_AGENT = f"couverture/{__version__} (+https://github.com/couverture; news clustering)"
ROBOTS_AGENT = "couverture"  # the token matched against robots.txt User-agent lines

ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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


class FetchError(Exception):
    """A URL could not be fetched; ``reason`` says why in words a user can act on.

    ``transient`` errors (network, 5xx, 429) may succeed later; ``retry_after`` is the
    delay a server asked for, in seconds, when it gave one.
    """

    def __init__(self, reason: str, *, transient: bool = False, retry_after: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


class BlockedAddress(FetchError):
    """The URL leads to an address the policy forbids (loopback, private, ...)."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host asks us not to fetch this path."""


class TooLarge(FetchError):
    """The body is over the byte cap."""


class Interrupted(FetchError):
    """The fetcher was asked to stop (Ctrl-C, SIGTERM) while waiting."""

    def __init__(self, reason: str = "stopped before the request completed"):
        super().__init__(reason, transient=True)


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


# --- address policy ------------------------------------------------------------------

def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` must not be dialled without permission, or ``None`` when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            problem = address_problem(embedded)
            if problem:
                return problem
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


class AddressGuard:
    """Decides which resolved addresses may be dialled."""

    def __init__(self, allow_private: bool = False, trusted_networks: tuple[str, ...] = ()):
        self.allow_private = allow_private
        self.trusted = [ipaddress.ip_network(n, strict=False) for n in trusted_networks]

    def problem(self, address: str) -> str | None:
        if self.allow_private:
            return None
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == net.version and ip in net for net in self.trusted):
            return None
        return address_problem(ip)

    def refusal(self, host: str, address: str, problem: str) -> BlockedAddress:
        shown = host if host == address else f"{host} ({address})"
        return BlockedAddress(
            f"refused to connect to {shown}: {problem}. couverture does not fetch from loopback, private, "
            "link-local or reserved networks, to keep web content from reaching your own machines; "
            "pass --allow-private to allow it (only for servers you trust)"
        )

    def resolve(self, host: str, port: int) -> list[tuple]:
        """The addresses of ``host``, all of them allowed, or :class:`BlockedAddress`."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc.strerror or exc}", transient=True) from exc
        for info in infos:
            address = info[4][0]
            problem = self.problem(address)
            if problem:
                raise self.refusal(host, address, problem)
        return infos


_STOP_POLL = 0.25  # a blocked read looks at the stop flag this often


class _Clock:
    """The deadline of the request in flight (a Fetcher sends one at a time) and the stop
    flag: every socket operation of that request waits at most what is left."""

    def __init__(self, stop: threading.Event, grace: float):
        self.stop = stop
        self.grace = grace
        self.deadline: float | None = None
        self.cut: str | None = None  # "deadline" or "stopped" once the clock cut the request
        self._stopped_at: float | None = None

    def start(self, deadline: float) -> None:
        self.deadline, self.cut = deadline, None

    def end(self) -> None:
        self.deadline = None

    def _limit(self) -> float | None:
        limits = [self.deadline] if self.deadline is not None else []
        if self.stop.is_set():
            if self._stopped_at is None:
                self._stopped_at = time.monotonic()
            limits.append(self._stopped_at + self.grace)
        return min(limits) if limits else None

    def budget(self, timeout: float | None, error, sliced: bool = False) -> float | None:
        """Seconds one operation may wait now: ``timeout`` capped by the deadline and the
        stop grace (``sliced``: at most ``_STOP_POLL``, so a blocked read notices a stop);
        ``error`` when no time is left."""
        limit = self._limit()
        now = time.monotonic()
        if limit is not None and now >= limit:
            self.cut = "stopped" if self.stop.is_set() else "deadline"
            raise error("deadline reached")
        waits = [w for w in (timeout, None if limit is None else limit - now, _STOP_POLL if sliced else None)
                 if w is not None]
        return min(waits) if waits else None


class _TimedStream(httpcore.NetworkStream):
    """A connection whose reads and writes keep to the request's :class:`_Clock`."""

    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock):
        self.inner = inner
        self.clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        give_up = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if give_up is None else give_up - time.monotonic()
            budget = self.clock.budget(left, httpcore.ReadTimeout, sliced=True)  # raises when time is up
            try:
                return self.inner.read(max_bytes, budget)
            except httpcore.ReadTimeout:
                if give_up is not None and time.monotonic() >= give_up:
                    raise
                # A slice ended without data: look at the deadline and the stop flag again.

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.clock.budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        budget = self.clock.budget(timeout, httpcore.ConnectTimeout)
        return _TimedStream(self.inner.start_tls(ssl_context, server_hostname, budget), self.clock)

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Dials only addresses the guard allows, and exactly the addresses it checked."""

    def __init__(self, guard: AddressGuard, clock: _Clock):
        self.guard = guard
        self.clock = clock
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error: Exception | None = None
        for family, _type, _proto, _name, sockaddr in self.guard.resolve(host, port):
            try:
                # Dial the checked address itself; TLS still verifies and sends the host name.
                budget = self.clock.budget(timeout, httpcore.ConnectTimeout)
                stream = self.inner.connect_tcp(sockaddr[0], port, timeout=budget, local_address=local_address,
                                                socket_options=socket_options)
                return _TimedStream(stream, self.clock)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        if last_error is not None:
            raise last_error
        raise httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - never configured
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, guard: AddressGuard, clock: _Clock, ca_bundle: str | None = None):
        # trust_env=False: no proxy from the environment, since the guard must see the
        # real destination of every connection.
        super().__init__(trust_env=False)
        context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=10,
            max_keepalive_connections=5,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(guard, clock),
        )


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
