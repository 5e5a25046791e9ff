"""The adversarial campaign of issue 21: hostile files and lines, a hostile local HTTP
server, concurrent writers, hostile web parameters, and kill -9 during a long ingest.

    python bench/bench_adversarial.py

Prints, per category, the hostile cases tried, the crashes (an exception or a
traceback escaping, a command that hangs or exits other than 0/1), the good articles
lost (good inputs sent beside the hostile ones and not stored) and the HTTP 500s;
then the kill -9 check: an ingest of 1,000+ articles killed at several points, then
run again to the end, compared with one clean run (every article once, each in a
live story, document frequencies equal).

Everything runs on this machine: files in a temporary folder, servers on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "tests"))  # the local HTTP server the feed tests use

from feeds_http import LocalServer, Reply, article_page, rss2  # noqa: E402

from couverture.analyze import Analyzer  # noqa: E402
from couverture.engine import ingest_documents  # noqa: E402
from couverture.feeds import FetchPolicy, documents_from_sources  # noqa: E402
from couverture.store import Store  # noqa: E402

PLACES = ["Brest", "Lyon", "Naples", "Utrecht", "Lisbon", "Madrid", "Kitzingen", "Grindavík", "Gdańsk", "Tromsø"]


@dataclass
class Tally:
    name: str
    cases: int = 0
    crashes: int = 0
    lost: int = 0
    http_500: int | None = None
    notes: list[str] = field(default_factory=list)


def good_text(n: int) -> tuple[str, str]:
    place = PLACES[n % len(PLACES)]
    title = f"Flood warning number {n} issued for {place}"
    return title, (f"River levels in {place} rose by {n + 3} centimetres an hour on Tuesday and {n * 41 + 7} "
                   f"residents were moved to shelters, the prefecture of {place} said in a statement.")


def cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "couverture.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def crashed(done: subprocess.CompletedProcess) -> bool:
    return done.returncode not in (0, 1) or "Traceback" in done.stderr


def titles_in(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT title FROM articles")}


# --- hostile files and lines ------------------------------------------------------------------

def hostile_files(folder: Path) -> int:
    """Write the hostile files; returns how many."""
    made = 0

    def put(name: bytes | str, data: bytes) -> None:
        nonlocal made
        path = os.path.join(os.fsencode(folder), os.fsencode(name) if isinstance(name, str) else name)
        with open(path, "wb") as handle:
            handle.write(data)
        made += 1

    put("empty.txt", b"")
    put("blank.txt", b" \n\t\n")
    for name, magic in [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-1.7\n"), ("zip", b"PK\x03\x04"),
                        ("gz", gzip.compress(b"x" * 1000)), ("elf", b"\x7fELF\x02\x01"), ("db", b"SQLite format 3\x00")]:
        put(f"disguised-{name}.txt", magic + bytes(range(256)) * 4)
    put("nul.txt", b"Title\n\n" + b"\x00" * 100)
    put("controls.txt", bytes(range(1, 32)) * 50)
    put("random.txt", random.Random(7).randbytes(5000))
    put("nested-list.json", b"[" * 200_000)
    put("nested-object.json", b'{"a":' * 100_000)
    put("huge-number.json", b'{"text": "x", "n": ' + b"9" * 5000 + b"}")
    put("not-objects.json", b"[1, true, null, \"text\", [2]]")
    put("no-text.json", b'{"title": "No text at all"}')
    put("deep-extra.json", b'{"text": "A text long enough to be an article on its own.", "x": ' + b"[" * 500 + b"]" * 500 + b"}")
    put("surrogates.json", b'{"text": "\\ud800\\udfff lone halves \\udc00 in a text long enough", "id": "\\ud800"}')
    put("invalid-utf8.txt", bytes([0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC]) * 40)
    put("nav-only.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    put("script-only.html", b"<html><body><script>alert(1)</script></body></html>")
    put("deep-tags.html", b"<html><body>" + b"<div>" * 50_000 + b"text" + b"</div>" * 50_000 + b"</body></html>")
    put("surrogate-ref.html", b"<html><body><article><p>Text &#55296; with a lone half and enough words "
                              b"to be read as an article by the extractor.</p></article></body></html>")
    put("entity-bomb.html", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
                            b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body>&c;</body></html>')
    put(b"bad\xff\xfe-name.txt", b"")
    put("ansi\x1b[2J\x1b]0;title\x07-name.txt", b"")
    put("line\nbreak-name.txt", b"")
    put("x" * 240 + ".txt", b"")
    put("too-large.txt", b"Title\n\n" + b"word " * 600_000)
    os.mkfifo(folder / "fifo.txt")
    os.symlink("/dev/zero", folder / "dev-zero.txt")
    os.symlink("/dev/urandom", folder / "dev-urandom.jsonl")
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("missing-target.txt", folder / "dangling.txt")
    mtime = folder / "mtime-far.txt"
    mtime.write_bytes(b"")
    made += 6
    try:
        os.utime(mtime, (1e14, 1e14))  # kept on tmpfs; ext4 clamps it to 2446
    except OSError:
        pass
    return made


HOSTILE_LINES = [
    b"[" * 200_000, b'{"text": ' + b"[" * 200_000, b'{"text": "x", "n": ' + b"7" * 5000 + b"}",
    b"[1, 2, 3]", b'"just a string"', b"null", b"true", b'{"title": "no text"}', b'{"text": ""}',
    b'{"text": "\x00\x00 binary"}', b"\xff\xfe\xfa invalid bytes", b"\x1b[2J\x07 controls",
    b'{"text": "\\ud800 surrogate in a text long enough to count", "title": "\\udfff"}',
    b'{"id": "\\udc80", "text": "a surrogate id beside a text long enough to be stored"}',
    b'{"id": {"a": 1}, "text": "an object id beside a text long enough to be stored"}',
    b'{"id": true, "text": "a boolean id beside a text long enough to be stored"}',
    b'{"id": "' + b"i" * 300 + b'", "text": "a very long id beside a text long enough to be stored"}',
    b'{"text": "an infinite number beside a text long enough", "v": 1e999}', b'{"text": "x", "v": NaN}',
    b'{"text": "trailing garbage"} garbage', b"\xef\xbb\xbf{\"text\": \"a BOM in the middle of the file, long enough\"}",
    b'{"text": 12345}', b'{"text": ["a", "list"]}', b'{"text": "short"}', b"{" * 10,
    b'{"text": "' + b"long " * 200_000 + b'"}',
]


def run_files(base: Path, tally_files: Tally, tally_lines: Tally) -> None:
    folder = base / "files"
    folder.mkdir()
    tally_files.cases = hostile_files(folder)
    good_files: set[str] = set()
    for n in range(20):
        title, text = good_text(n)
        encoding = ["utf-8", "utf-16", "utf-32", "cp1252"][n % 4]
        (folder / f"good-{n}.txt").write_bytes(f"{title}\n\n{text}".encode(encoding))
        good_files.add(title)
    good_lines: set[str] = set()
    lines = []
    for n, bad in enumerate(HOSTILE_LINES):
        title, text = good_text(100 + n)
        lines += [json.dumps({"id": f"good-line-{n}", "title": title, "text": text}).encode(), bad]
        good_lines.add(title)
    good = good_files | good_lines
    (folder / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    tally_lines.cases = len(HOSTILE_LINES)
    db = base / "files.db"
    started = time.monotonic()
    try:
        done = cli("ingest", str(folder), "--db", str(db), "--max-bytes", "2000000", "--no-progress", timeout=900)
    except subprocess.TimeoutExpired:
        tally_files.crashes += 1
        tally_files.notes.append("the ingest did not end in 900 s")
        return
    if crashed(done):
        tally_files.crashes += 1
        tally_files.notes.append(done.stderr[-500:])
    stored = titles_in(db)
    missing = good - stored
    tally_files.lost, tally_lines.lost = len(good_files - stored), len(good_lines - stored)
    errors = sum(1 for line in done.stderr.splitlines() if line.startswith("error:"))
    tally_files.notes.append(f"one `couverture ingest` of the folder: exit {done.returncode}, {errors} one-line errors, "
                             f"{len(good)} good inputs stored {len(good) - len(missing)}, {time.monotonic() - started:.1f} s")


# --- a hostile HTTP server -----------------------------------------------------------------------

def drip(prefix: bytes, seconds: float, count: int = 200):
    yield prefix
    for _ in range(count):
        time.sleep(seconds)
        yield b"x"


def network_cases(server: LocalServer) -> dict[str, str]:
    """name -> the URL to ingest; each sets up its routes."""
    cases: dict[str, str] = {}

    def route(name: str, reply, path: str | None = None) -> None:
        path = path or f"/{name}"
        server.route(path, reply)
        cases[name] = server.url(path)

    for scheme in ["javascript:alert(1)", "mailto:a@example.org", "data:text/html,<b>x</b>", "ftp://example.org/",
                   "file:///etc/passwd", "http://[::1", "http://exa\x01mple.org/", "http://169.254.169.254/latest",
                   "http://10.0.0.1/", "http://localhost:1/", "//[::1/"]:
        route(f"redirect-{len(cases)}", Reply(b"", status=302, headers={"Location": scheme}))
    route("redirect-loop", Reply(b"", status=301, headers={"Location": "/redirect-loop"}))
    for hop in range(8):
        server.route(f"/chain-{hop}", Reply(b"", status=302, headers={"Location": f"/chain-{hop + 1}"}))
    cases["redirect-chain"] = server.url("/chain-0")
    route("no-location", Reply(b"", status=302))
    route("always-500", Reply(b"boom", status=500, content_type="text/plain"))
    route("retry-after-huge", Reply(b"", status=429, headers={"Retry-After": "999999"}))
    route("drip-body", Reply(raw=drip(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>", 0.5)))
    route("drip-headers", Reply(raw=drip(b"HTTP/1.0 200 OK\r\nX-Pad: ", 0.5)))
    route("garbage-status", Reply(raw=iter([b"NOT HTTP AT ALL\r\n\r\n"])))
    route("closed-at-once", Reply(raw=iter([b""])))
    route("huge-header", Reply(raw=iter([b"HTTP/1.0 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\nbody"])))
    route("gzip-bomb", Reply(gzip.compress(b"\x00" * 50_000_000), headers={"Content-Encoding": "gzip"}))
    route("bad-gzip", Reply(b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    route("length-lie", Reply(raw=iter([b"HTTP/1.0 200 OK\r\nContent-Length: 999999\r\n\r\nshort"])))
    route("too-large", Reply(b"<html><body>" + b"word " * 1_300_000 + b"</body></html>"))
    route("binary-as-html", Reply(bytes(range(256)) * 100))
    route("empty-200", Reply(b""))
    route("nav-only", Reply(b"<html><body><nav><a href='/'>Home</a></nav></body></html>"))
    route("utf16-page", Reply(article_page("Page in UTF-16", good_text(300)[1]).encode("utf-16"),
                              content_type="text/html; charset=utf-16"))
    route("surrogate-page", Reply(article_page("Odd &#55296; page", good_text(301)[1]).replace("&amp;#", "&#")))
    route("malformed-feed", Reply(b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</ti",
                                  content_type="application/rss+xml"))
    route("entity-feed", Reply(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
                               b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0">'
                               b"<channel><title>&c;</title><item><title>&c;</title><description>&c;</description>"
                               b"</item></channel></rss>", content_type="application/rss+xml"))
    route("surrogate-feed", Reply(rss2("Odd feed", [{"title": "Odd entry", "guid": "o1",
                                                     "description": good_text(302)[1] * 3}]).replace(b"Odd entry", b"Odd &#55296; entry &#1114112;"),
                                  content_type="application/rss+xml"))
    route("bad-link-feed", Reply(rss2("Bad links", [{"title": "t", "link": "http://[::1/", "guid": "b1", "description": "x"},
                                                    {"title": "t2", "link": "javascript:alert(1)", "guid": "b2",
                                                     "description": "y"}]), content_type="application/rss+xml"))
    teasers = [{"title": f"Teaser {n}", "link": server.url(f"/teaser/{n}"), "guid": f"t{n}", "description": "Short."}
               for n in range(10_000)]
    route("10000-teasers", Reply(rss2("Teasers", teasers), content_type="application/rss+xml"))
    return cases


def run_network(base: Path, analyzer: Analyzer, tally: Tally) -> None:
    server = LocalServer()
    slow = LocalServer()  # a host whose robots.txt drips
    slow.route("/robots.txt", Reply(raw=drip(b"HTTP/1.0 200 OK\r\n\r\nUser-agent: *\n", 0.5)))
    slow.route("/page", Reply(b"never reached"))
    broken_robots = LocalServer()
    broken_robots.route("/robots.txt", Reply(b"", status=503))
    try:
        cases = network_cases(server)
        cases["robots-drip"] = slow.url("/page")
        cases["robots-503"] = broken_robots.url("/page")
        cases["dns-failure"] = "http://nonexistent.invalid/feed.xml"
        cases["bad-ipv6-url"] = "http://[::1/"
        policy = FetchPolicy(trusted_networks=("127.0.0.1/32",), host_delay=0.0, backoff=0.01, max_backoff=0.05,
                             retries=1, connect_timeout=2.0, read_timeout=2.0, header_timeout=3.0, total_timeout=4.0)
        slowest = ("", 0.0)
        for n, (name, url) in enumerate(cases.items()):
            tally.cases += 1
            title, text = good_text(500 + n)
            server.route(f"/good/{n}", Reply(article_page(title, text)))
            store = Store(base / f"net-{n}.db")
            started = time.monotonic()
            try:
                ingest_documents(store, documents_from_sources([url, server.url(f"/good/{n}")], policy=policy),
                                 analyzer=analyzer, progress=False, on_wait=lambda _m: None)
            except Exception as exc:
                tally.crashes += 1
                tally.notes.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
            elapsed = time.monotonic() - started
            if elapsed > slowest[1]:
                slowest = (name, elapsed)
            if title not in {a.title for a in store.iter_articles()}:
                tally.lost += 1
                tally.notes.append(f"{name}: the good page beside it was not stored")
            store.close()
        tally.notes.append(f"slowest case: {slowest[0]}, {slowest[1]:.1f} s (deadlines: headers 3 s, request 4 s)")
        fetched = sum(len(server.hits(f"/teaser/{n}")) for n in range(10_000))
        tally.notes.append(f"feed of 10,000 teasers: {fetched} pages fetched (cap 50 per feed)")
    finally:
        for each in (server, slow, broken_robots):
            each.close()


# --- concurrent writers -------------------------------------------------------------------------

def ecb_records(start: int, stop: int) -> list[str]:
    with (DATA / "ecbplus" / "ecbplus_docs.jsonl").open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle][start:stop]
    return [json.dumps({"id": d["doc_id"], "text": d["text"]}) for d in docs]


def clustering_state(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        frequencies = sorted(conn.execute("SELECT name, key, df FROM frequencies"))
        docs = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'dfdocs:%'"))
        contents = sorted(conn.execute("SELECT id, content_hash FROM articles"))
        ids = [aid for aid, _ in contents]
        live = conn.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL AND size > 0").fetchone()[0]
        homeless = conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id "
            "WHERE s.id IS NULL OR s.merged_into IS NOT NULL").fetchone()[0]
    return {"frequencies": frequencies, "docs": docs, "ids": ids, "contents": contents, "live": live,
            "homeless": homeless}


def run_writers(base: Path, tally: Tally) -> Path:
    first, second = base / "half-a.jsonl", base / "half-b.jsonl"
    first.write_text("\n".join(ecb_records(0, 300)) + "\n")
    second.write_text("\n".join(ecb_records(300, 600)) + "\n")
    together, apart = base / "together.db", base / "apart.db"
    tally.cases = 2
    a = subprocess.Popen([sys.executable, "-m", "couverture.cli", "ingest", str(first), "--db", str(together),
                          "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    b = subprocess.Popen([sys.executable, "-m", "couverture.cli", "ingest", str(second), "--db", str(together),
                          "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=900) for p in (a, b)]
    for process, (_out, err) in zip((a, b), results):
        if process.returncode != 0 or "Traceback" in err:
            tally.crashes += 1
            tally.notes.append(err[-400:])
    waited = "waiting for another couverture ingest" in results[1][1]
    for path in (first, second):
        done = cli("ingest", str(path), "--db", str(apart), "--no-progress")
        if crashed(done):
            tally.notes.append("the sequential reference run failed: " + done.stderr[-300:])
    concurrent, sequential = clustering_state(together), clustering_state(apart)
    tally.lost += len(set(sequential["ids"]) - set(concurrent["ids"]))
    same = concurrent["frequencies"] == sequential["frequencies"] and concurrent["docs"] == sequential["docs"]
    tally.notes.append(f"two ingests of 300 ECB+ articles at once (the second {'waited' if waited else 'DID NOT WAIT'}): "
                       f"document frequencies {'equal to' if same else 'DIFFERENT FROM'} one after the other "
                       f"({concurrent['docs']}), live stories {concurrent['live']} vs {sequential['live']}")
    if not same:
        tally.crashes += 1

    twice = base / "twice.db"
    runs = [subprocess.Popen([sys.executable, "-m", "couverture.cli", "ingest", str(first), "--db", str(twice),
                              "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [r.communicate(timeout=900) for r in runs]
    bad = [err for r, (_o, err) in zip(runs, outputs) if r.returncode != 0 or "Traceback" in err]
    tally.crashes += len(bad)
    stored = set(clustering_state(twice)["ids"])
    alone = {json.loads(line)["id"] for line in ecb_records(0, 300)} & set(sequential["ids"])
    tally.lost += len(alone - stored)
    tally.notes.append(f"the same file twice at once: exits {[r.returncode for r in runs]}, {len(stored)} articles "
                       f"stored, {len(alone)} by one run alone")
    return together


# --- web parameters ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_web(db: Path, tally: Tally, requests: int = 500) -> None:
    import httpx

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "couverture.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rng = random.Random(21)
    values = ["²", "①", "٣", "-1", "0", "1e3", "9" * 5000, "%", "_", "%25", "\x00", "2024-02-30", "fr", "' OR 1=1 --",
              '"', "*", "NEAR(", "\ud800", "a" * 300, "", " ", "1", "100", "101"]
    names = ["q", "lang", "outlet", "from", "to", "page", "per_page", "story_id"]
    paths = ["/", "/api/stories", "/api/articles", "/api/search"]
    hosts = ["127.0.0.1", "localhost", "attacker.example", "127.0.0.1.nip.io", "[::1]", "", "a" * 300, "évil.example"]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    client.get("/api/stories")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.3)
            ids = [s["id"] for s in client.get("/api/stories", params={"per_page": 20}).json()["stories"]]
            for n in range(requests):
                kind = n % 4
                headers = {}
                if kind == 0:
                    params = {rng.choice(names): rng.choice(values) for _ in range(rng.randint(1, 4))}
                    url, query = rng.choice(paths), {k: v.encode("utf-8", "surrogatepass") for k, v in params.items()}
                elif kind == 1:
                    ident = rng.choice(["s" * 50_001, "%25fce06", "s-__", "..%2F..", rng.choice(ids)[:rng.randint(2, 12)],
                                        "%00", "%ED%A0%80"])
                    url, query = rng.choice(["/stories/", "/api/stories/", "/articles/", "/api/articles/"]) + ident, None
                elif kind == 2:
                    url, query = rng.choice(paths), None
                    headers = {"host": rng.choice(hosts).encode("utf-8")}
                else:
                    url = "/api/articles"
                    query = {"story_id": rng.choice(values).encode("utf-8", "surrogatepass"),
                             "page": rng.choice(values).encode("utf-8", "surrogatepass")}
                tally.cases += 1
                try:
                    response = client.get(url, params=query, headers=headers)
                except httpx.InvalidURL:  # the client cannot even send it: not a case
                    tally.cases -= 1
                    continue
                except (httpx.HTTPError, UnicodeError) as exc:
                    tally.crashes += 1
                    tally.notes.append(f"{url[:60]}: {type(exc).__name__}")
                    continue
                if response.status_code >= 500:
                    tally.http_500 = (tally.http_500 or 0) + 1
                    tally.notes.append(f"500 on {url[:80]} {query}")
        if tally.http_500 is None:
            tally.http_500 = 0
        if server.poll() is not None:
            tally.crashes += 1
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- kill -9 ---------------------------------------------------------------------------------------

def run_kills(base: Path, kill_after: list[float]) -> list[str]:
    corpus = base / "long.jsonl"
    demo = ROOT / "src" / "couverture" / "demo" / "articles.jsonl"
    corpus.write_text("\n".join(ecb_records(0, 982)) + "\n" + demo.read_text(encoding="utf-8"))
    count = sum(1 for line in corpus.read_text().splitlines() if line.strip())
    clean, killed = base / "clean.db", base / "killed.db"
    started = time.monotonic()
    done = cli("ingest", str(corpus), "--db", str(clean), "--no-progress")
    clean_seconds = time.monotonic() - started
    lines = [f"corpus: {count} JSONL lines (ECB+ and the demo corpus); a clean run: exit {done.returncode}, "
             f"{clean_seconds:.0f} s"]
    for seconds in kill_after:
        process = subprocess.Popen([sys.executable, "-m", "couverture.cli", "ingest", str(corpus), "--db", str(killed),
                                    "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with sqlite3.connect(killed) as conn:
            try:
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
        lines.append(f"kill -9 after {seconds:.0f} s: {stored} articles stored")
    done = cli("ingest", str(corpus), "--db", str(killed), "--no-progress")
    lines.append(f"re-run to the end: exit {done.returncode}: {done.stdout.strip().splitlines()[-1][:90]}")
    reference, resumed = clustering_state(clean), clustering_state(killed)
    with sqlite3.connect(killed) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        repeated = conn.execute("SELECT count(*) - count(DISTINCT id) FROM articles").fetchone()[0]
    lines.append(f"articles: {len(resumed['ids'])} after kills + re-run vs {len(reference['ids'])} clean; "
                 f"same ids: {resumed['ids'] == reference['ids']}, same contents: {resumed['contents'] == reference['contents']}; "
                 f"stored twice: {repeated}; "
                 f"not in a live story: {resumed['homeless']}; integrity_check: {integrity}")
    lines.append(f"document frequencies equal to the clean run's: {resumed['frequencies'] == reference['frequencies']} "
                 f"({len(reference['frequencies'])} keys), document counts {resumed['docs']} vs {reference['docs']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kill-after", type=float, nargs="*", default=[8.0, 14.0, 20.0, 27.0],
                        help="seconds after each start of the long ingest to kill it")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    command = "python bench/bench_adversarial.py " + shlex.join(sys.argv[1:])
    base = Path(tempfile.mkdtemp(prefix="couverture-adversarial-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    analyzer = Analyzer()
    tallies = {name: Tally(name) for name in ("hostile files", "hostile JSONL lines", "hostile HTTP server",
                                              "concurrent writers", "web parameters")}
    try:
        run_files(base, tallies["hostile files"], tallies["hostile JSONL lines"])
        run_network(base, analyzer, tallies["hostile HTTP server"])
        served = run_writers(base, tallies["concurrent writers"])
        run_web(served, tallies["web parameters"])
        kills = run_kills(base, args.kill_after)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"$ {command.strip()}")
    print(f"{'category':<22} {'cases':>6} {'crashes':>8} {'good lost':>10} {'HTTP 500':>9}")
    for tally in tallies.values():
        http = "-" if tally.http_500 is None else str(tally.http_500)
        print(f"{tally.name:<22} {tally.cases:>6} {tally.crashes:>8} {tally.lost:>10} {http:>9}")
    print()
    for tally in tallies.values():
        for note in tally.notes:
            print(f"{tally.name}: {note}")
    print()
    print("kill -9 during a long ingest:")
    for line in kills:
        print("  " + line)


if __name__ == "__main__":
    main()
