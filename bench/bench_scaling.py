"""Does ingest slow down as the archive grows? Articles/s at 1k, 10k and 100k stored.

The stream is made of real news texts from ../shared/data: ECB+ (982 English
documents) and the SemEval-2022 Task 8 sample (2,502 distinct texts, ten
languages). Within one *era* of ``--era-days`` days (default 30) every text gets a
publication time: ECB+ documents by gold event (the 86 events spread over the era,
documents of one event within two days), SemEval pairs spread evenly (both texts of
a pair at the same hour). Era k repeats all 3,484 texts shifted k x era days, each
copy with its own id, URL, outlet and a title suffix "(edition <letters>)" (letters,
so it adds no number; era 0 has one too, "(edition a)", so that every era's titles
reach the encoder alike: the SemEval texts begin with their title, and a title that
begins its text is not embedded twice), so every copy is a distinct article (no dedupe) and stories
of one era are long expired when the next era starts (the clustering window is 7
days). The stream is in publication order: about 116 articles a day.

For each level N (default 1,000, 10,000, 100,000) the store is first *prefilled* to
about N articles through the real engine and store (extraction, clustering, SQLite with
FTS, one transaction per batch), but with cached analysis: each distinct text is
analysed once by the real Analyzer and its features reused for its copies (an
analyzer keyed on the copy's ``bench_base`` field). That is what makes 100k
affordable. Every window starts at the same position within an era as the first one
(the prefill stops at the last such position at or below N: 1,000, 7,968 and 98,552
for the default levels), so all windows ingest copies of the same texts, in the same
mix of languages and lengths, against the same number of active stories; only the
archive behind them differs. (Windows that started at N itself read different texts:
their mean length ranged from 1,207 to 1,265 characters, which moved the encoder's
share of the time.) Then the next ``--window`` articles of the stream (default 1,000) are
ingested *fully*, into a copy of the store, in a fresh process (``--repeat`` times on
fresh copies; the median is plotted): ``ingest_documents`` with the default analyzer
(real extraction, real sentence/lemma/entity/number analysis and real embeddings of
those texts, nothing cached), clustering and storage. The timed figure is that call,
including loading the clustering state from the store and starting the embedding
worker; only simplemma's word lists for the window's languages are loaded before
the clock starts (a one-off cost of a few seconds per process that does not depend
on the archive; printed, and timed too with ``--cold-windows``). Peak memory: the
measuring process (its ``VmHWM``, not ``ru_maxrss``, which on Linux carries the
forking parent's peak) and the highest RSS of the embedding worker
process, sampled from /proc (Linux). CPU seconds of both processes are printed too:
the main process's are the steadiest sign of whether the work per article grows, since
the wall time also holds its waits on the worker.

Each line ends with the 1-minute load average before the run and the machine's
single-thread float32 matrix-multiply speed just measured: on a shared VM both
drift (by a third over an afternoon here), and the encoder is mostly that operation.

Finally ``--straight`` articles (default 10,000) go end-to-end into an empty store,
nothing cached or loaded beforehand, in a fresh process: the ">= 100 articles/s on
a stream of 10,000" figure.

    python bench/bench_scaling.py                          # 1k, 10k, 100k + straight 10k (~20 min)
    python bench/bench_scaling.py --levels 1000 10000 --straight 0
    python bench/bench_scaling.py --repeat 3               # three windows per level, on copies
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench_web import ReusingAnalyzer, semeval_texts  # (this folder is on sys.path)
from peak_memory import own_peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
START = datetime(2022, 1, 3, 6, 0, tzinfo=timezone.utc)
OUTLETS = [f"wire-{i:02d}.example" for i in range(40)]


def base_records(era_days: float) -> list[dict]:
    """The distinct real texts, each with an offset inside one era, in time order."""
    era = timedelta(days=era_days)
    records = []
    with open(DATA / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    events = sorted({d["event_cluster"] for d in docs}, key=lambda e: (int(e.split("_")[0]), e))
    slot = era / len(events)
    for n, doc in enumerate(docs):
        lines = [line for line in doc["text"].split("\n") if line.strip()]
        offset = slot * events.index(doc["event_cluster"]) + timedelta(hours=(n * 7) % 48)
        records.append({"base": f"ecb-{doc['doc_id']}", "title": lines[0].strip(), "text": "\n".join(lines[1:]) or lines[0],
                        "lang": "en", "offset": offset})
    texts, pairs = semeval_texts()
    for text in texts:
        offset = era * text["n"] / pairs + timedelta(minutes=7 * int(text["side"]))
        records.append({"base": f"semeval-{text['n']}-{text['side']}", "title": text["title"], "text": text["text"],
                        "lang": text["lang"], "offset": offset})
    records.sort(key=lambda r: (r["offset"], r["base"]))
    return records


def aligned_start(level: int, offset: int, era_length: int) -> int:
    """The last stream position at or below ``level`` that sits ``offset`` articles into
    an era: windows starting there all read copies of the same texts."""
    return level - (level - offset) % era_length


def _letters(k: int) -> str:
    out = ""
    while True:
        k, digit = divmod(k, 26)
        out = chr(ord("a") + digit) + out
        if k == 0:
            return out


def stream(records: list[dict], era_days: float, start: int, count: int):
    """Articles ``start`` to ``start + count`` of the endless time-ordered stream."""
    from couverture.models import RawDocument

    era = timedelta(days=era_days)
    for index in range(start, start + count):
        k, n = divmod(index, len(records))
        record = records[n]
        outlet = OUTLETS[(n * 7 + k * 13) % len(OUTLETS)]
        # Every copy has the suffix, the first era's too: a title that no longer begins its
        # text is embedded with it, and era 0 without the suffix embedded 10% less text.
        title = f"{record['title']} (edition {_letters(k)})"
        content = {
            "id": f"{record['base']}~{k}", "title": title, "text": record["text"], "lang": record["lang"],
            "source": outlet, "published": (START + era * k + record["offset"]).isoformat(), "bench_base": record["base"],
        }
        yield RawDocument(origin=f"bench:{record['base']}~{k}", kind="record", content=content,
                          url=f"https://{outlet}/{k}/{record['base']}")


def prefill(db: Path, records, era_days, start: int, stop: int, analyzer: ReusingAnalyzer, step: int = 5000) -> float:
    from couverture.engine import ingest_documents
    from couverture.store import Store

    started = time.perf_counter()
    store = Store(db)
    for first in range(start, stop, step):
        count = min(step, stop - first)
        report = ingest_documents(store, stream(records, era_days, first, count), analyzer=analyzer,
                                  batch_size=512, progress=False)
        # A handful of texts are empty after cleaning or repeat another: skipped, as in real use.
        assert report.added + report.duplicates + report.failed == count, (report.added, count)
    store.close()
    return time.perf_counter() - started


# --- measuring, in a fresh process ---------------------------------------------------

def _tree_peak(pid: int, peaks: dict, cpu: dict, stop: threading.Event, every: float = 0.2) -> None:
    """Record the highest RSS (VmHWM) and the latest CPU seconds (user + system) of
    every descendant process of ``pid``."""
    tick = os.sysconf("SC_CLK_TCK")

    def children(parent: int) -> list[int]:
        out = []
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return out

    while not stop.is_set():
        todo, found = children(pid), []
        while todo:
            child = todo.pop()
            found.append(child)
            todo += children(child)
        for child in found:
            try:
                for line in Path(f"/proc/{child}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[child] = max(peaks.get(child, 0), int(line.split()[1]) / 1024)
                # Fields after the command name (which may hold spaces): utime, stime are 14, 15.
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                cpu[child] = max(cpu.get(child, 0.0), (int(fields[11]) + int(fields[12])) / tick)
            except (OSError, IndexError, ValueError):
                pass
        stop.wait(every)


def load_lemma_lists(documents) -> float:
    """Load simplemma's word lists for the languages of ``documents``; seconds taken."""
    from couverture.analyze.tokens import lemma

    started = time.perf_counter()
    for lang in sorted({d.content["lang"] for d in documents}):
        lemma("warm", lang)
    return time.perf_counter() - started


def measure(db: Path, era_days: float, start: int, count: int, warm: bool) -> dict:
    """Ingest ``count`` fresh articles end-to-end into ``db``; figures as a dict."""
    from couverture.cluster import OnlineClusterer
    from couverture.engine import _story_bounds, ingest_documents, restore_clusterer
    from couverture.store import Store
    from couverture.store.schema import stories
    from sqlalchemy import func, select

    records = base_records(era_days)
    documents = list(stream(records, era_days, start, count))
    store = Store(db)
    stored = store.count_articles()
    # The clustering state the ingest will load (timed apart, read-only).
    from couverture.extract import extract_article

    first = extract_article(documents[0])
    loaded = time.perf_counter()
    since, until = _story_bounds([first], OnlineClusterer().window)
    state = restore_clusterer(store, OnlineClusterer(), since=since, until=until)
    load_seconds = time.perf_counter() - loaded

    lemma_seconds = load_lemma_lists(documents) if warm else 0.0

    peaks: dict[int, float] = {}
    worker_cpu: dict[int, float] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_tree_peak, args=(os.getpid(), peaks, worker_cpu, stop), daemon=True)
    sampler.start()
    clusterer = OnlineClusterer()
    started = time.perf_counter()
    cpu = time.process_time()
    report = ingest_documents(store, documents, clusterer=clusterer, progress=False)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    stop.set()
    sampler.join()
    with store.engine.connect() as conn:
        story_count = conn.execute(select(func.count()).select_from(stories).where(stories.c.merged_into.is_(None))).scalar_one()
    store.close()
    return {
        "stored_before": stored, "added": report.added, "errors": len(report.errors), "duplicates": report.duplicates,
        "seconds": elapsed, "main_cpu_seconds": cpu, "articles_per_second": report.added / elapsed,
        "ms_per_article": 1000 * elapsed / max(report.added, 1),
        "state_stories_loaded": len(state.stories), "state_load_seconds": load_seconds, "lemma_lists_seconds": lemma_seconds,
        "active_stories_after": len(clusterer.stories), "stories_in_store": story_count,
        "main_peak_rss_mb": own_peak_rss_mb(),
        "worker_peak_rss_mb": max(peaks.values()) if peaks else 0.0,
        "worker_cpu_seconds": sum(worker_cpu.values()),
        # Document-frequency keys held in memory after the window (the rest stay in the store).
        "frequency_keys_resident": len(clusterer.term_df.df) + len(clusterer.entity_df.df),
        "db_mb": db.stat().st_size / 2**20,
    }


def remove_database(path: Path) -> None:
    """Delete a SQLite file with the write-ahead log and index beside it, if any."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def sgemm_gflops(seconds: float = 0.3) -> float:
    """Single-thread float32 matrix-multiply speed: how fast the machine is right now
    (a shared VM's speed drifts, and the encoder is mostly this operation)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    a = np.ones((1024, 1280), dtype=np.float32)
    b = np.ones((1280, 256), dtype=np.float32)
    with threadpool_limits(1, "blas"):
        a @ b
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            a @ b
            done += 1
    return 2 * 1024 * 1280 * 256 * done / (time.perf_counter() - started) / 1e9


def run_measure(db: Path, era_days: float, start: int, count: int, warm: bool) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(db), str(start), str(count),
               "--era-days", str(era_days)] + (["--warm"] if warm else [])
    load_before = os.getloadavg()[0]
    gflops = sgemm_gflops()
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_before"] = load_before  # 1-minute load average: other jobs on the machine skew the figure
    result["sgemm_gflops"] = gflops
    return result


def line(label: str, r: dict) -> str:
    skipped = f" ({r['duplicates']} duplicates, {r['errors']} unreadable)" if r["duplicates"] or r["errors"] else ""
    return (f"{label:<18} {r['stored_before']:>7} stored  +{r['added']:>5}{skipped} in {r['seconds']:6.1f}s: "
            f"{r['articles_per_second']:6.1f} articles/s  {r['ms_per_article']:5.2f} ms/article  "
            f"active stories {r['state_stories_loaded']:>5} loaded in {1000 * r['state_load_seconds']:4.0f} ms "
            f"-> {r['active_stories_after']:>5}  peak RSS main {r['main_peak_rss_mb']:4.0f} MB + worker "
            f"{r['worker_peak_rss_mb']:4.0f} MB  db {r['db_mb']:5.0f} MB"
            + (f"  (word lists loaded before: {r['lemma_lists_seconds']:.1f}s)" if r["lemma_lists_seconds"] else "")
            + f"  CPU main {r['main_cpu_seconds']:.1f}s worker {r.get('worker_cpu_seconds', 0.0):.1f}s"
            + f"  df keys held {r.get('frequency_keys_resident', 0):,}"
            + f"  [load {r['load_before']:.1f}, sgemm {r['sgemm_gflops']:.0f} GFLOPS]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, nargs="*", default=[1000, 10_000, 100_000], help="stored articles before each window")
    parser.add_argument("--window", type=int, default=1000, help="fresh articles ingested end-to-end at each level")
    parser.add_argument("--repeat", type=int, default=1, help="windows measured at each level (the median is plotted)")
    parser.add_argument("--straight", type=int, default=10_000, help="articles of the uncached run into an empty store (0: skip)")
    parser.add_argument("--era-days", type=float, default=30.0, help="days one pass over the 3,484 texts spans")
    parser.add_argument("--dir", help="where the databases go (default: a temporary directory, removed at the end)")
    parser.add_argument("--plot", default=str(ROOT / "docs" / "bench" / "scaling.png"), help="articles/s vs stored (needs matplotlib)")
    parser.add_argument("--cold-windows", action="store_true",
                        help="time the windows with simplemma's word lists not loaded yet (a one-off ~5 s per process)")
    parser.add_argument("--measure", nargs=3, metavar=("DB", "START", "COUNT"), help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        db, start, count = args.measure
        print(json.dumps(measure(Path(db), args.era_days, int(start), int(count), args.warm)))
        return

    print(f"$ python {shlex.join(['bench/bench_scaling.py', *sys.argv[1:]])}", flush=True)
    records = base_records(args.era_days)
    print(f"stream: {len(records)} distinct texts per era of {args.era_days:g} days "
          f"({len(records) / args.era_days:.0f} articles/day), {os.cpu_count()} cores", flush=True)
    if args.dir:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(args.dir) if args.dir else tempfile.TemporaryDirectory()) as folder:
        for name in ("scaling.db", "straight.db"):  # start from empty stores
            remove_database(Path(folder, name))
        results = []
        if args.levels:
            db = Path(folder) / "scaling.db"
            analyzer = ReusingAnalyzer()
            position, measured = 0, -1
            first_offset = min(args.levels) % len(records)
            for level in sorted(args.levels):
                level = aligned_start(level, first_offset, len(records))
                while level <= measured:  # levels closer than an era: the next era's same position
                    level += len(records)
                measured = level
                if level > position:
                    seconds = prefill(db, records, args.era_days, position, level, analyzer)
                    print(f"prefill {position:>7} -> {level:>7} articles (cached analysis): {seconds:6.1f}s, "
                          f"{(level - position) / seconds:.0f} articles/s", flush=True)
                    position = level
                # Each window goes into a copy of the store, so the level can be measured
                # again (--repeat) on the same archive and the next prefill goes on from it.
                runs = []
                for _ in range(args.repeat):
                    copy = Path(folder) / "window.db"
                    remove_database(copy)
                    for suffix in ("", "-wal"):  # a WAL left behind holds committed batches too
                        if Path(str(db) + suffix).exists():
                            shutil.copyfile(str(db) + suffix, str(copy) + suffix)
                    runs.append(run_measure(copy, args.era_days, position, args.window, warm=not args.cold_windows))
                    print(line(f"window at {level}", runs[-1]), flush=True)
                    remove_database(copy)
                result = sorted(runs, key=lambda r: r["ms_per_article"])[len(runs) // 2]  # the median run
                result["ms_per_article_runs"] = [r["ms_per_article"] for r in runs]
                results.append(result)
                if args.repeat > 1:
                    print(f"{'':18} median {result['ms_per_article']:5.2f} ms/article of "
                          + ", ".join(f"{v:.2f}" for v in result["ms_per_article_runs"]), flush=True)
        if args.straight:
            result = run_measure(Path(folder) / "straight.db", args.era_days, 0, args.straight, warm=False)
            print(line(f"straight {args.straight}", result), flush=True)
        if results and args.plot:
            plot(results, Path(args.plot))


def plot(results: list[dict], path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        print("(no plot: matplotlib is not installed)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    path.parent.mkdir(parents=True, exist_ok=True)
    xs = [r["stored_before"] for r in results]
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(9, 3.4))
    speed.plot(xs, [r["ms_per_article"] for r in results], marker="o", label="median window")
    if any(len(r.get("ms_per_article_runs", [])) > 1 for r in results):
        for x, r in zip(xs, results):  # the spread of the repeated windows at each level
            runs = r["ms_per_article_runs"]
            speed.vlines(x, min(runs), max(runs), color="tab:blue", alpha=0.5)
        speed.legend(fontsize=8, loc="lower right", title="bars: min-max of repeats", title_fontsize=8)
    speed.set_ylabel("ms per article, end-to-end")
    speed.set_title("time per article (flat = does not grow)")
    memory.plot(xs, [r["main_peak_rss_mb"] for r in results], marker="o", label="main process")
    memory.plot(xs, [r["worker_peak_rss_mb"] for r in results], marker="s", label="embedding worker")
    memory.plot(xs, [r["db_mb"] for r in results], marker="^", linestyle="--", label="database file")
    memory.set_yscale("log")
    memory.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    memory.set_ylabel("MB")
    memory.set_title("peak memory vs archive on disk")
    memory.legend(fontsize=8)
    for ax in (speed, memory):
        ax.set_xscale("log")
        ax.set_xlabel("articles already stored")
    speed.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    path.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"plot: {path} (figures: {path.with_suffix('.json')})")


if __name__ == "__main__":
    main()
