"""The HTTP client against a real local server: address policy, caps, redirects,
retries, Retry-After, conditional GET, robots.txt, rate limit, User-Agent."""
from __future__ import annotations

import gzip
import time

import pytest

from couverture.feeds import BlockedAddress, Fetcher, FetchError, FetchPolicy, RobotsDisallowed, TooLarge
from couverture.feeds.fetch import USER_AGENT, address_problem
from feeds_http import Reply, fast_policy, server  # noqa: F401  (fixture)


# --- address policy -------------------------------------------------------------------------

@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("0.0.0.0", "unspecified"),
    ("::", "unspecified"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fc00::1", "private"), ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"), ("240.0.0.1", "reserved"), ("100.64.0.1", "not a public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("64:ff9b::a00:1", "private"),
    ("2002:7f00:1::", "loopback"),
])
def test_non_public_addresses_are_named(address, problem):
    assert problem in address_problem(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "2130706433", "0.0.0.0"])
def test_local_hosts_are_refused_before_any_request(server, host):
    server.route("/feed", Reply("<rss/>"))
    url = f"http://{host}:{server.port}/feed"
    with Fetcher(FetchPolicy(host_delay=0, retries=0)) as fetcher:
        with pytest.raises(BlockedAddress) as caught:
            fetcher.get(url)
    assert "--allow-private" in caught.value.reason and "refused" in caught.value.reason
    assert server.requests == []  # not even robots.txt was asked for


def test_allow_private_reaches_the_local_server(server):
    server.route("/page", Reply("<html><body>hello</body></html>"))
    with Fetcher(FetchPolicy(allow_private=True, host_delay=0)) as fetcher:
        result = fetcher.get(f"http://localhost:{server.port}/page")
    assert result.status == 200 and b"hello" in result.body


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.255.255.1/admin",
                                    "http://127.0.0.2:{port}/x", "http://[::1]:{port}/x"])
def test_redirect_to_a_private_address_is_refused(server, target):
    server.route("/go", Reply(status=302, headers={"Location": target.format(port=server.port)}))
    with Fetcher(fast_policy(connect_timeout=1.0)) as fetcher:
        with pytest.raises(BlockedAddress) as caught:
            fetcher.get(server.url("/go"))
    assert caught.value.reason.startswith("redirected to ") and "refused to connect" in caught.value.reason


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https(url):
    with Fetcher(fast_policy()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert "only http and https" in caught.value.reason


def test_redirect_to_another_scheme_is_refused(server):
    server.route("/go", Reply(status=301, headers={"Location": "file:///etc/passwd"}))
    with Fetcher(fast_policy()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/go"))
    assert "only http and https" in caught.value.reason


# --- redirects --------------------------------------------------------------------------------

def test_redirects_are_followed_within_the_limit(server):
    server.route("/a", Reply(status=301, headers={"Location": "/b"}))
    server.route("/b", Reply(status=307, headers={"Location": server.url("/c")}))
    server.route("/c", Reply("<html><body>final</body></html>"))
    with Fetcher(fast_policy()) as fetcher:
        result = fetcher.get(server.url("/a"))
    assert result.final_url == server.url("/c") and b"final" in result.body
    assert result.redirects == [server.url("/b"), server.url("/c")]


def test_redirect_loop_is_detected(server):
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    with Fetcher(fast_policy()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/a"))
    assert "redirect loop" in caught.value.reason
    assert len(server.hits("/a")) == 1 and len(server.hits("/b")) == 1


def test_too_many_redirects(server):
    for i in range(10):
        server.route(f"/r{i}", Reply(status=302, headers={"Location": f"/r{i + 1}"}))
    with Fetcher(fast_policy(max_redirects=3)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/r0"))
    assert "too many redirects (more than 3)" in caught.value.reason
    assert not server.hits("/r5")


# --- size, time ------------------------------------------------------------------------------------

def test_announced_oversize_body_is_refused_without_reading_it(server):
    server.route("/big", Reply(b"x" * 300_000))
    with Fetcher(fast_policy(max_bytes=100_000)) as fetcher, pytest.raises(TooLarge) as caught:
        fetcher.get(server.url("/big"))
    assert "too large" in caught.value.reason and "announced" in caught.value.reason


def test_streamed_oversize_body_is_cut_off(server):
    sent = []

    def endless():
        for _ in range(3200):  # 200 MB if it were all read
            sent.append(1)
            yield b"y" * 65536

    server.route("/stream", lambda handler: Reply(endless(), content_type="text/html"))
    started = time.monotonic()
    with Fetcher(fast_policy(max_bytes=1_000_000)) as fetcher, pytest.raises(TooLarge) as caught:
        fetcher.get(server.url("/stream"))
    assert "more than 1.0 MB" in caught.value.reason
    assert time.monotonic() - started < 5
    assert len(sent) < 3200  # the server could not push the whole body


def test_gzip_bomb_is_capped_after_decompression(server):
    bomb = gzip.compress(b"\0" * 30_000_000)
    assert len(bomb) < 100_000
    server.route("/bomb", Reply(bomb, headers={"Content-Encoding": "gzip"}))
    with Fetcher(fast_policy(max_bytes=1_000_000)) as fetcher, pytest.raises(TooLarge):
        fetcher.get(server.url("/bomb"))


def test_gzip_body_is_decoded(server):
    server.route("/gz", Reply(gzip.compress(b"<html>compressed page</html>"), headers={"Content-Encoding": "gzip"}))
    with Fetcher(fast_policy()) as fetcher:
        assert fetcher.get(server.url("/gz")).body == b"<html>compressed page</html>"
    assert "gzip" in server.hits("/gz")[0].headers["accept-encoding"]


def test_read_timeout_is_an_error(server):
    server.route("/slow", Reply("late", delay=1.5))
    with Fetcher(fast_policy(read_timeout=0.3, retries=0)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/slow"))
    assert "timed out" in caught.value.reason and caught.value.transient


# --- retries -------------------------------------------------------------------------------------

def test_500_then_200_is_retried(server):
    server.route("/flaky", [Reply("oops", status=500), Reply("<html>ok</html>")])
    with Fetcher(fast_policy()) as fetcher:
        result = fetcher.get(server.url("/flaky"))
    assert result.status == 200 and len(server.hits("/flaky")) == 2


def test_persistent_503_gives_up_after_the_retries(server):
    server.route("/down", Reply("down", status=503))
    with Fetcher(fast_policy(retries=2)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/down"))
    assert "HTTP 503 after 3 attempts" in caught.value.reason and caught.value.transient
    assert len(server.hits("/down")) == 3


def test_404_is_not_retried(server):
    with Fetcher(fast_policy()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/missing"))
    assert "HTTP 404" in caught.value.reason and not caught.value.transient
    assert len(server.hits("/missing")) == 1


def test_429_waits_for_retry_after(server):
    server.route("/busy", [Reply("slow down", status=429, headers={"Retry-After": "1"}), Reply("<html>ok</html>")])
    started = time.monotonic()
    with Fetcher(fast_policy()) as fetcher:
        result = fetcher.get(server.url("/busy"))
    assert result.status == 200
    first, second = server.hits("/busy")
    assert second.at - first.at >= 0.95  # Retry-After, not the 10 ms backoff
    assert time.monotonic() - started < 5


def test_long_retry_after_is_not_waited_for(server):
    server.route("/busy", Reply("slow down", status=429, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    with Fetcher(fast_policy()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/busy"))
    assert time.monotonic() - started < 2
    assert caught.value.retry_after == 3600 and "retry after 3600 s" in caught.value.reason


def test_network_errors_are_retried_then_reported(server):
    port = server.port
    server.close()  # nothing listens there any more
    with Fetcher(fast_policy(retries=2)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(f"http://127.0.0.1:{port}/feed")
    assert "cannot connect" in caught.value.reason and "after 3 attempts" in caught.value.reason


def test_stop_interrupts_a_backoff_wait(server):
    import threading

    from couverture.feeds.fetch import Interrupted

    server.route("/busy", Reply("slow down", status=503, headers={"Retry-After": "30"}))
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    with Fetcher(fast_policy(max_retry_wait=60), stop=stop) as fetcher, pytest.raises(Interrupted):
        fetcher.get(server.url("/busy"))
    assert time.monotonic() - started < 3


# --- manners ---------------------------------------------------------------------------------------

def test_user_agent_and_conditional_headers(server):
    server.route("/feed", Reply("<rss/>", content_type="application/rss+xml", etag='"v1"',
                                headers={"Last-Modified": "Thu, 20 Jun 2024 10:00:00 GMT"}))
    with Fetcher(fast_policy()) as fetcher:
        first = fetcher.get(server.url("/feed"))
        second = fetcher.get(server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200 and first.etag == '"v1"'
    assert second.not_modified and second.body == b""
    sent = server.hits("/feed")[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Thu, 20 Jun 2024 10:00:00 GMT"
    assert sent["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("couverture/") and "+https://github.com/couverture" in USER_AGENT


def test_robots_txt_is_honoured_and_cached(server):
    server.route("/robots.txt", Reply("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    server.route("/private/feed", Reply("<rss/>"))
    server.route("/public/feed", Reply("<html>ok</html>"))
    with Fetcher(fast_policy()) as fetcher:
        with pytest.raises(RobotsDisallowed) as caught:
            fetcher.get(server.url("/private/feed"))
        fetcher.get(server.url("/public/feed"))
        fetcher.get(server.url("/public/feed"))
    assert "robots.txt" in caught.value.reason and "/private/feed" in caught.value.reason
    assert not server.hits("/private/feed")
    assert len(server.hits("/robots.txt")) == 1


def test_robots_rules_for_our_agent(server):
    server.route("/robots.txt", Reply("User-agent: couverture\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                      content_type="text/plain"))
    server.route("/page", Reply("<html>ok</html>"))
    with Fetcher(fast_policy()) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/page"))
    assert not server.hits("/page")


def test_robots_txt_that_fails_means_wait(server):
    server.route("/robots.txt", Reply("down", status=503))
    server.route("/page", Reply("<html>ok</html>"))
    with Fetcher(fast_policy(retries=0)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/page"))
    assert "robots.txt" in caught.value.reason and caught.value.transient
    assert not server.hits("/page")


def test_requests_to_one_host_are_spaced(server):
    server.route("/p", Reply("<html>ok</html>"))
    with Fetcher(fast_policy(host_delay=0.25)) as fetcher:
        for _ in range(3):
            fetcher.get(server.url("/p"))
    times = [hit.at for hit in server.hits("/p")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) == 2 and min(gaps) >= 0.22


def test_robots_crawl_delay_spaces_requests(server):
    server.route("/robots.txt", Reply("User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"))
    server.route("/p", Reply("<html>ok</html>"))
    with Fetcher(fast_policy()) as fetcher:
        fetcher.get(server.url("/p"))
        fetcher.get(server.url("/p"))
    first, second = server.hits("/p")
    assert second.at - first.at >= 0.95


def _certificates(folder):
    """A throw-away CA and a certificate it signed for the name `localhost` only."""
    import subprocess

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=couverture test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def test_https_checks_the_host_name_although_the_checked_address_is_dialled(tmp_path):
    import ssl

    from feeds_http import LocalServer

    ca, certificate, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    tls = LocalServer(ssl_context=context)
    try:
        tls.route("/page", Reply("<html>over TLS</html>"))
        policy = FetchPolicy(allow_private=True, host_delay=0, retries=0, ca_bundle=str(ca))
        with Fetcher(policy) as fetcher:
            result = fetcher.get(f"https://localhost:{tls.port}/page")
            assert result.status == 200 and result.body == b"<html>over TLS</html>"
            # same server, same address, but the URL names a host the certificate does not cover
            with pytest.raises(FetchError) as caught:
                fetcher.get(f"https://127.0.0.1:{tls.port}/page")
        assert "CERTIFICATE_VERIFY_FAILED" in caught.value.reason or "certificate" in caught.value.reason.lower()
        with Fetcher(FetchPolicy(allow_private=True, host_delay=0, retries=0)) as fetcher:  # usual CAs only
            with pytest.raises(FetchError, match="(?i)certificate"):
                fetcher.get(f"https://localhost:{tls.port}/page")
    finally:
        tls.close()
