"""One writer at a time per database; what was read is never lost; pages that change
under one URL become versions.

Real processes (`couverture ingest`) on one SQLite file, as a user running two
commands at once would.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import DATA
from couverture.engine import ingest_documents, ingest_paths
from couverture.models import RawDocument
from couverture.store import Store
from couverture.store.lock import WriterBusy, lock_path
from couverture.store.schema import SCHEMA_VERSION

ECB = DATA / "ecbplus" / "ecbplus_docs.jsonl"


def ecb_lines(start: int, stop: int) -> list[str]:
    with ECB.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle][start:stop]
    return [json.dumps({"id": d["doc_id"], "text": d["text"]}) for d in docs]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "couverture.cli", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lock_is_held(db: Path) -> bool:
    path = str(db) + ".lock"
    if not os.path.exists(path):
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def started_writing(db: Path) -> bool:
    if lock_is_held(db):
        return True
    if not db.exists():
        return False
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
        except sqlite3.OperationalError:  # not created yet
            return False


def state(db: Path):
    """What two ingests must agree on: frequencies, live stories, who is with whom."""
    store = Store(db)
    try:
        terms, entities = store.load_frequencies("terms"), store.load_frequencies("entities")
        groups: dict[str, set] = {}
        for article in store.iter_articles():
            groups.setdefault(article.story_id, set()).add(article.id)
        return {
            "term_docs": terms.docs, "entity_docs": entities.docs,
            "terms": dict(terms.df), "entities": dict(entities.df),
            "stories": len(store.list_stories()),
            "partition": sorted(sorted(g) for g in groups.values()),
            "articles": store.count_articles(),
        }
    finally:
        store.close()


def test_two_ingests_at_once_give_what_one_after_the_other_gives(tmp_path):
    # 110 documents each: over the 64 that move an ingest's embedding to its worker
    # process (as a real bulk ingest), four topics or so each, overlapping in none.
    first = write_jsonl(tmp_path / "a.jsonl", ecb_lines(0, 110))
    second = write_jsonl(tmp_path / "b.jsonl", ecb_lines(110, 220))
    together, apart = tmp_path / "together.db", tmp_path / "apart.db"

    a = cli("ingest", str(first), "--db", str(together))
    deadline = time.monotonic() + 120
    while not started_writing(together) and a.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert a.poll() is None, "the first ingest ended before the second could start"
    b = cli("ingest", str(second), "--db", str(together))
    a_out, a_err = a.communicate(timeout=600)
    b_out, b_err = b.communicate(timeout=600)
    assert a.returncode == 0 and b.returncode == 0, a_err[-2000:] + b_err[-2000:]
    assert "waiting for another couverture ingest" in b_err

    for path in (first, second):
        done = subprocess.run([sys.executable, "-m", "couverture.cli", "ingest", str(path), "--db", str(apart),
                               "--no-progress"], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]

    concurrent, sequential = state(together), state(apart)
    assert concurrent["articles"] == sequential["articles"] > 200  # (ECB+ repeats a few texts)
    assert concurrent["term_docs"] == sequential["term_docs"] == sequential["articles"]
    assert concurrent["terms"] == sequential["terms"]
    assert concurrent["entities"] == sequential["entities"]
    assert concurrent["stories"] == sequential["stories"]
    assert concurrent["partition"] == sequential["partition"]


def test_the_same_file_twice_at_once_is_stored_once_without_a_traceback(tmp_path):
    path = write_jsonl(tmp_path / "same.jsonl", ecb_lines(400, 520))
    db = tmp_path / "same.db"
    runs = [cli("ingest", str(path), "--db", str(db)) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err[-2000:]
        assert "Traceback" not in err and "IntegrityError" not in err
    summaries = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    stored = state(db)["articles"]
    assert stored > 100
    assert summaries[0].startswith(f"0 article(s) added, 120 already stored")
    assert summaries[1].startswith(f"{stored} article(s) added, {120 - stored} already stored")


def test_a_second_writer_waits_and_says_so(tmp_path, analyzer):
    db = tmp_path / "held.db"
    path = write_jsonl(tmp_path / "few.jsonl", ecb_lines(600, 610))
    holder = Store(db)
    lines: list[str] = []
    with holder.writing():
        assert lock_is_held(db)
        waiting = cli("ingest", str(path), "--db", str(db))
        reader = threading.Thread(target=lambda: lines.extend(waiting.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any("waiting for another couverture ingest" in line for line in lines):
            assert time.monotonic() < deadline and waiting.poll() is None, "".join(lines)[-2000:]
            time.sleep(0.05)
        assert holder.count_articles() == 0  # it waits: nothing written meanwhile
        with pytest.raises(WriterBusy):  # a caller that will not wait is told at once
            ingest_documents(Store(db), [], analyzer=analyzer, lock_timeout=0.3)
    assert waiting.wait(timeout=600) == 0
    reader.join(timeout=10)
    assert holder.count_articles() == 10  # (these ten ECB+ texts are all different)
    assert lock_path(holder.engine) == str(db.resolve()) + ".lock"


def test_an_input_stream_that_fails_late_costs_nothing_already_read(store, analyzer):
    def documents():
        for line in ecb_lines(700, 730):
            yield RawDocument("stream", "record", json.loads(line))
        raise KeyboardInterrupt  # Ctrl-C, or any failure of the reader itself

    with pytest.raises(KeyboardInterrupt):
        ingest_documents(store, documents(), analyzer=analyzer)
    assert store.count_articles() == 30
    assert all(a.story_id for a in store.iter_articles())
    again = ingest_documents(store, (RawDocument("stream", "record", json.loads(line)) for line in ecb_lines(700, 740)),
                             analyzer=analyzer)
    assert (again.added, again.duplicates) == (10, 30)


def test_a_changed_page_under_the_same_url_is_a_new_version(store, analyzer, tmp_path):
    url = "https://example.org/2024/06/20/storm.html"
    first = {"url": url, "title": "Storm hits Brest harbour",
             "text": "The storm brought gusts of 180 km/h to Brest on Thursday; 3,200 homes lost power overnight."}
    second = dict(first, text=first["text"] + " By Friday morning 1,100 homes were still without power, the utility said.")
    write_jsonl(tmp_path / "v1.jsonl", [json.dumps(first)])
    write_jsonl(tmp_path / "v2.jsonl", [json.dumps(second)])
    report = ingest_paths(store, [tmp_path / "v1.jsonl"], analyzer=analyzer)
    (article,) = list(store.iter_articles())
    assert report.added == 1

    again = ingest_paths(store, [tmp_path / "v2.jsonl"], analyzer=analyzer)
    assert (again.added, again.updated_articles, again.duplicates) == (0, 1, 0)
    (latest,) = list(store.iter_articles())
    assert latest.id == article.id and latest.story_id == article.story_id
    assert "1,100 homes" in latest.text
    history = store.article_history(article.id)
    assert [h["text"] for h in history] == [first["text"]]
    assert "1,100 homes" in " ".join(s.text for s in store.story_articles(latest.story_id))

    same = ingest_paths(store, [tmp_path / "v2.jsonl"], analyzer=analyzer)
    assert (same.added, same.updated_articles, same.duplicates) == (0, 0, 1)


def test_same_url_twice_in_one_call_stores_what_two_calls_store(tmp_path, analyzer):
    url = "https://example.org/2024/06/21/tram.html"
    first = {"url": url, "title": "Lyon opens tram line T10",
             "text": "The 8.5 km line links Gerland to Vénissieux with 14 stations, the operator said on Friday."}
    second = dict(first, text=first["text"] + " Trains will run every five minutes at rush hour from Monday.")
    one = Store(tmp_path / "one.db")
    write_jsonl(tmp_path / "both.jsonl", [json.dumps(first), json.dumps(second)])
    report = ingest_paths(one, [tmp_path / "both.jsonl"], analyzer=analyzer)
    assert (report.added, report.updated_articles) == (1, 1)
    two = Store(tmp_path / "two.db")
    for n, record in enumerate((first, second)):
        write_jsonl(tmp_path / f"part{n}.jsonl", [json.dumps(record)])
        ingest_paths(two, [tmp_path / f"part{n}.jsonl"], analyzer=analyzer)
    assert [(a.id, a.text) for a in one.iter_articles()] == [(a.id, a.text) for a in two.iter_articles()]
    assert "every five minutes" in next(one.iter_articles()).text


def test_reading_an_older_version_again_does_not_roll_the_article_back(store, analyzer, tmp_path):
    url = "https://example.org/2024/06/22/fire.html"
    versions = [{"url": url, "title": "Fire at a Wellington supermarket",
                 "text": "Firefighters were called to the supermarket at 6 a.m." + " More details followed." * n}
                for n in range(3)]
    for n, record in enumerate(versions):
        write_jsonl(tmp_path / f"v{n}.jsonl", [json.dumps(record)])
        ingest_paths(store, [tmp_path / f"v{n}.jsonl"], analyzer=analyzer)
    again = ingest_paths(store, [tmp_path / "v1.jsonl", tmp_path / "v0.jsonl"], analyzer=analyzer)
    assert (again.updated_articles, again.duplicates) == (0, 2)
    (article,) = list(store.iter_articles())
    assert article.text == versions[2]["text"]
    assert len(store.article_history(article.id)) == 2


def test_writers_opening_a_new_database_at_once_make_it_once(tmp_path):
    """Writers that open a database which does not exist yet, at the same moment, all
    succeed and make one schema: none fails on a table another has just created, nor
    takes another's half-made tables for another program's (store/migrations.py,
    schema_transaction)."""
    db = tmp_path / "new.db"
    start = time.time() + 3  # after every interpreter has started: all open at once
    code = ("import sys, time; from couverture.store import Store; "
            "time.sleep(max(0, float(sys.argv[2]) - time.time())); Store(sys.argv[1]).close()")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(start)], stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err[-2000:]
    reread = Store(db, create=False)
    assert reread.found_version == SCHEMA_VERSION and reread.count_articles() == 0
    reread.close()
