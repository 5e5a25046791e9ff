"""How fast is the story page on a large archive?

Builds (or reuses) a database of at least 10,000 articles synthesised from real news
texts in ../shared/data — ECB+ (English, 982 documents) and the SemEval-2022 Task 8
sample (2,502 distinct texts in ten languages) — written through the real ingest
engine and store (extract, cluster, FTS index, one transaction per batch). Each text
appears in several time-shifted copies: copy k is published k x 400 days after the
original and carries a different synthetic outlet, URL and title suffix, so it is a
distinct article (no dedupe) that clusters into its own stories.

Embedding cost is paid once: every distinct text is analyzed once (real Analyzer,
batched) and its features are reused for its copies, by an analyzer that looks
them up by the copy's ``bench_base`` field. Clustering and storage run for every
article.

Then it starts ``couverture serve`` in a subprocess and times GET /stories/{id} over
HTTP (keep-alive client, after 5 warm-up requests): the median of N requests for the
largest story and for a median-sized story, plus the front page, search and the
JSON story for reference. The first request of each page is reported apart: with
``couverture.coverage`` installed it computes the story's coverage (which is then
cached), so it is the cold cost a reader pays once per story and server start.

    python bench/bench_web.py                      # builds ./bench-web.db if missing, then measures
    python bench/bench_web.py --db /tmp/x.db --requests 50
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
START = datetime(2021, 1, 4, 6, 0, tzinfo=timezone.utc)
COPY_SHIFT = timedelta(days=400)
OUTLETS = [f"wire-{i:02d}.example" for i in range(40)]


def base_records() -> list[dict]:
    """The distinct real texts, each with a synthetic publication time near its story's."""
    records = []
    clusters: dict[str, int] = {}
    with open(DATA / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            doc = json.loads(line)
            day = clusters.setdefault(doc["event_cluster"], len(clusters))
            published = START + timedelta(days=day * 4, hours=(n * 7) % 48)
            records.append({"base": f"ecb-{doc['doc_id']}", "text": doc["text"], "lang": "en", "published": published})
    for text in semeval_texts()[0]:
        n, side = text["n"], text["side"]
        published = START + timedelta(days=(n * 3) % 360, hours=n % 24)
        records.append({
            "base": f"semeval-{text['pair_id']}-{side}", "title": text["title"], "text": text["text"],
            "lang": text["lang"], "published": published + timedelta(minutes=37 * int(side)),
        })
    return records


def semeval_texts() -> tuple[list[dict], int]:
    """Each distinct text of the SemEval pairs once, split into a title (its first
    sentence, else its first 120 characters) and the rest; and the number of pairs.

    Each text: ``n`` (its pair's row number), ``pair_id``, ``side`` ("1" or "2"),
    ``lang``, ``title``, ``text``.
    """
    with open(DATA / "semeval2022_task8" / "pairs.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen = set()
    texts = []
    for n, row in enumerate(rows):
        for side in ("1", "2"):
            body = row[f"text{side}"].strip()
            if not body or body in seen:
                continue
            seen.add(body)
            cut = body.find(". ", 40, 160)
            title, rest = (body[: cut + 1], body[cut + 2 :]) if cut > 0 else (body[:120], body)
            texts.append({"n": n, "pair_id": row["pair_id"], "side": side, "lang": row[f"lang{side}"],
                          "title": title, "text": rest or body})
    return texts, len(rows)


def synthesise(records: list[dict], total: int):
    """RawDocuments: copies of every record, time-shifted, until ``total`` articles."""
    from couverture.models import RawDocument

    copies = -(-total // len(records))
    for k in range(copies):
        for n, record in enumerate(records):
            outlet = OUTLETS[(n * 7 + k * 13) % len(OUTLETS)]
            content = {
                "id": f"{record['base']}~{k}",
                "text": record["text"],
                "lang": record["lang"],
                "source": outlet,
                "published": (record["published"] + COPY_SHIFT * k).isoformat(),
                "bench_base": record["base"],
            }
            if "title" in record or k:
                title = record.get("title") or record["text"].split("\n", 1)[0][:200]
                content["title"] = title if not k else f"{title} ({outlet}, copy {k})"
            yield RawDocument(origin=f"bench:{record['base']}~{k}", kind="record", content=content,
                              url=f"https://{outlet}/{k}/{record['base']}")


class ReusingAnalyzer:
    """The real Analyzer, run once per distinct text; copies reuse the features."""

    def __init__(self):
        from couverture.analyze import Analyzer

        self.analyzer = Analyzer()
        self.cache: dict[str, object] = {}
        self.analyzed = 0

    def analyze_many(self, articles):
        missing = {}
        for article in articles:
            key = article.extra["bench_base"]
            if key not in self.cache and key not in missing:
                missing[key] = article
        if missing:
            for key, features in zip(missing, self.analyzer.analyze_many(list(missing.values()))):
                self.cache[key] = features
            self.analyzed += len(missing)
        return [self.cache[a.extra["bench_base"]] for a in articles]

    def analyze(self, article):
        return self.analyze_many([article])[0]


def build(db: Path, total: int) -> None:
    from couverture.engine import ingest_documents
    from couverture.store import Store

    started = time.perf_counter()
    store = Store(db)
    analyzer = ReusingAnalyzer()
    records = base_records()
    report = ingest_documents(store, synthesise(records, total), analyzer=analyzer, batch_size=512)
    store.close()
    print(f"built {db}: {report.added} articles ({len(records)} distinct texts analyzed once: {analyzer.analyzed}), "
          f"{report.failed} unreadable, {time.perf_counter() - started:.0f}s", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _timed(client, url: str, requests: int, warmup: int = 5) -> tuple[float, list[float], int]:
    """The first (cold) request's time, then ``requests`` timed ones after the warm-up."""
    cold = None
    for _ in range(warmup):
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        cold = (time.perf_counter() - started) * 1000 if cold is None else cold
    times = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
        size = len(response.content)
    return cold, times, size


def measure(db: Path, requests: int) -> dict:
    import httpx
    from sqlalchemy import func, select

    from couverture.store import Store
    from couverture.store.schema import stories

    store = Store(db)
    articles = store.count_articles()
    with store.engine.connect() as conn:
        sizes = conn.execute(
            select(stories.c.id, stories.c.size).where(stories.c.merged_into.is_(None), stories.c.size > 0)
            .order_by(stories.c.size.desc(), stories.c.id)
        ).all()
        story_count = conn.execute(select(func.count()).select_from(stories)).scalar_one()
    store.close()
    largest = sizes[0]
    median = sizes[len(sizes) // 2]

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "couverture.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/static/style.css").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            results = {}
            for name, url in [
                (f"story page, largest story ({largest.size} articles)", f"/stories/{largest.id}"),
                (f"story page, median story ({median.size} articles)", f"/stories/{median.id}"),
                ("front page", "/"),
                ("front page, search 'police'", "/?q=police"),
                (f"JSON story ({largest.size} articles)", f"/api/stories/{largest.id}"),
            ]:
                cold, times, size = _timed(client, url, requests)
                results[name] = (statistics.median(times), sorted(times)[int(0.9 * len(times)) - 1], cold, size)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"articles": articles, "stories": story_count, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench-web.db", help="database to build (if missing) and serve")
    parser.add_argument("--articles", type=int, default=10_000, help="articles to synthesise when building")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        build(db, args.articles)
    figures = measure(db, args.requests)
    coverage = "installed" if _has_coverage() else "not installed"
    print(f"$ python {shlex.join(['bench/bench_web.py', *sys.argv[1:]])}")
    print(f"database: {figures['articles']} articles, {figures['stories']} stories "
          f"(couverture.coverage {coverage}); {args.requests} requests per page after 5 warm-up, "
          f"keep-alive HTTP to `couverture serve` on 127.0.0.1, {os.cpu_count()} cores")
    for name, (median, p90, cold, size) in figures["results"].items():
        print(f"{name:<45} median {median:6.1f} ms   p90 {p90:6.1f} ms   first {cold:7.1f} ms   {size / 1024:6.1f} KiB")


def _has_coverage() -> bool:
    """The coverage stage ships with the package; the figure says so in case a build leaves it out."""
    import importlib.util

    return importlib.util.find_spec("couverture.coverage") is not None


if __name__ == "__main__":
    main()
