"""How long does the `couverture` command take to answer? Whole processes, median of N runs.

What a person waits for at a terminal is the whole process: interpreter start, imports,
opening the database, the work, printing. So each figure here is the wall time of one
``couverture ...`` process started by ``subprocess`` (the console script of the Python
running this file), repeated ``--runs`` times; the median is the figure, min and max
are printed beside it.

The commands and their targets (issue 22):

- ``couverture --help`` and ``couverture --version``: under 0.3 s;
- ``couverture stories`` on the demo database: under 0.5 s;
- ``couverture show STORY`` of a demo story whose coverage is already cached (one
  untimed ``show`` first): under 0.5 s;
- the first ``couverture show STORY`` of a 30-article story: under 2 s. The story is
  the 30 documents of ECB+ topic 12 (real English news, ../shared/data/ecbplus),
  ingested by ``couverture ingest`` and then gathered into one story through the
  store (the clusterer rightly keeps the topic's two events apart; what is timed here
  is the coverage of 30 articles, not the clustering). Each run shows it on a fresh
  copy of that database, so no sentence vector is cached yet. The encoder starts
  from the files ``analyze/encoder_cache.py`` keeps (in ``$COUVERTURE_CACHE_DIR``,
  else ``~/.cache/couverture``), written by the ingest that built the database as
  by any ingest or demo before a first ``show``; the last line times the same
  ``show`` with an empty cache folder each run (the encoder built from its package
  and the cache written), the case of a database brought from elsewhere.

The databases are built once in ``--workdir`` (a temporary folder by default) by the
same command line a user types (``couverture demo --no-serve``, ``couverture ingest``).

    python bench/bench_cli.py               # 5 runs each
    python bench/bench_cli.py --runs 9 --workdir /tmp/cli-bench
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ECBPLUS = ROOT.parent / "shared" / "data" / "ecbplus" / "ecbplus_docs.jsonl"
ECB_TOPIC = 12  # the one ECB+ topic with exactly 30 documents

COUVERTURE = str(Path(sys.executable).with_name("couverture"))


def run(args: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system) of one whole ``couverture`` process, and its result.

    The CPU time is printed beside the wall time because the machine is shared: other
    work stretches the wall time, much less the CPU time the process itself used.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([COUVERTURE, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if check and done.returncode != 0:
        raise SystemExit(f"`couverture {shlex.join(args)}` failed ({done.returncode}):\n{done.stderr}")
    return elapsed, cpu, done


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, whatever is still in its write-ahead log."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def build_demo(workdir: Path) -> tuple[Path, str]:
    """The demo database, and the id of its largest story."""
    db = workdir / "demo.db"
    if not db.exists():
        elapsed, _, _ = run(["demo", "--no-serve", "--db", str(db)], workdir)
        print(f"built {db} with `couverture demo --no-serve` in {elapsed:.1f} s", file=sys.stderr)
    _, _, listed = run(["stories", "--json", "--db", str(db)], workdir)
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    largest = max(stories, key=lambda s: (s["articles"], s["id"]))
    return db, largest["id"]


def build_thirty(workdir: Path) -> tuple[Path, str]:
    """A database holding one 30-article story (ECB+ topic 12), its coverage not yet cached."""
    db = workdir / "ecb30.db"
    if not db.exists():
        source = workdir / f"ecbplus_topic{ECB_TOPIC}.jsonl"
        with open(ECBPLUS, encoding="utf-8") as handle, open(source, "w", encoding="utf-8") as out:
            for line in handle:
                doc = json.loads(line)
                if doc["topic"] == ECB_TOPIC:
                    out.write(json.dumps({"id": f"ecb-{doc['doc_id']}", "text": doc["text"]}) + "\n")
        elapsed, _, _ = run(["ingest", str(source), "--no-progress", "--db", str(db)], workdir)
        print(f"built {db} with `couverture ingest` in {elapsed:.1f} s", file=sys.stderr)
        gather_into_one_story(db)
    with sqlite3.connect(db) as conn:
        story_id, size = conn.execute(
            "SELECT id, size FROM stories WHERE merged_into IS NULL AND size > 0 ORDER BY size DESC LIMIT 1"
        ).fetchone()
    conn.close()
    if size != 30:
        raise SystemExit(f"{db}: expected one story of 30 articles, found {size}")
    return db, story_id


def gather_into_one_story(db: Path) -> None:
    """Move every article of ``db`` into its largest story, through the store's own write."""
    from couverture.store import Store

    store = Store(db)
    try:
        stories = store.list_stories()
        keep = max(stories, key=lambda s: (s.size, s.id)).id
        moves = {a.id: keep for a in store.iter_articles() if a.story_id != keep}
        store.write_batch([], [], {}, {}, moves=moves)
    finally:
        store.close()


def empty_encoder_cache(workdir: Path):
    """A function giving the environment of a process that finds no encoder cache: an
    empty folder in ``workdir``, emptied again before each run."""
    folder = workdir / "encoder-cache-empty"

    def environment() -> dict:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return dict(os.environ, COUVERTURE_CACHE_DIR=str(folder))

    return environment


def measure(label: str, args: list[str], workdir: Path, runs: int, before=None, env=None) -> dict:
    times, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()
        elapsed, cpu, done = run(args, workdir, env=env() if callable(env) else env)
        if not done.stdout.strip():
            raise SystemExit(f"`couverture {shlex.join(args)}` printed nothing")
        times.append(elapsed)
        cpus.append(cpu)
    return {"label": label, "command": "couverture " + shlex.join(args), "median": statistics.median(times),
            "min": min(times), "max": max(times), "cpu": statistics.median(cpus)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="processes per command (the median is reported)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the databases are built (kept)")
    options = parser.parse_args()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="couverture-cli-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    demo_db, demo_story = build_demo(workdir)
    thirty_db, thirty_story = build_thirty(workdir)
    pristine = workdir / "ecb30-pristine.db"
    if not pristine.exists():
        copy_database(thirty_db, pristine)
    fresh = workdir / "ecb30-run.db"
    run(["show", demo_story, "--db", str(demo_db)], workdir)  # the demo story's coverage is now cached
    load = os.getloadavg()

    rows = [
        measure("--help", ["--help"], workdir, options.runs),
        measure("--version", ["--version"], workdir, options.runs),
        measure("stories (demo db)", ["stories", "--db", str(demo_db)], workdir, options.runs),
        measure("show, cached (demo db, largest story)", ["show", demo_story, "--db", str(demo_db)], workdir, options.runs),
        measure("show, first time (30 articles)", ["show", thirty_story, "--db", str(fresh)], workdir, options.runs,
                before=lambda: copy_database(pristine, fresh)),
        measure("show, first time (30 articles), encoder cache empty", ["show", thirty_story, "--db", str(fresh)],
                workdir, options.runs, before=lambda: copy_database(pristine, fresh), env=empty_encoder_cache(workdir)),
    ]
    after = os.getloadavg()
    print(f"$ python bench/bench_cli.py --runs {options.runs}")
    print(f"{options.runs} runs each, whole process; load average (1 min) {load[0]:.2f} before, {after[0]:.2f} after")
    print()
    print("| command | median | min | max | median CPU (user+sys) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['label']}: `{row['command'].replace(str(workdir) + '/', '')}` "
              f"| {row['median']:.2f} s | {row['min']:.2f} s | {row['max']:.2f} s | {row['cpu']:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
