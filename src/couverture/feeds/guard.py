"""Where a fetch may go, and how long it may wait: the address guard that checks every
connection on the address actually dialled (after DNS, so neither a name resolving to
127.0.0.1 nor a DNS answer that changes between two lookups reaches a private network),
the socket-level deadlines that cut off a server dripping one byte at a time, and the
errors a fetch reports.
"""
from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time

import httpcore
import httpx

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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
