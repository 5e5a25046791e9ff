"""The same store on a real PostgreSQL server, started by the test in a temporary folder.

Needs Debian's postgresql package (its binaries under /usr/lib/postgresql/*/bin);
.ci/run installs it when missing.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS
from couverture.engine import ingest_paths
from couverture.store import Store


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL binaries not found: install Debian's postgresql package (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], as_postgres: bool) -> None:
    if as_postgres:  # PostgreSQL refuses to run as root
        args = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(args)]
    subprocess.run(args, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_url():
    binaries = _pg_bin()
    as_postgres = os.geteuid() == 0
    # Not under pytest's tmp folder: that one is private to root, and the server runs as postgres.
    folder = tempfile.mkdtemp(prefix="couverture-pg-")
    data = Path(folder) / "data"
    data.mkdir()
    if as_postgres:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    # A throwaway server: no fsync, at initdb (--no-sync) or after. What the tests check is
    # what sessions see (transactions, locks, schema), never what survives a power cut;
    # the shutdown checkpoint's syncs alone cost 8 s of the module's teardown under load.
    _run([f"{binaries}/initdb", "--no-sync", "-D", str(data), "-A", "trust", "-U", "postgres"], as_postgres)
    _run([f"{binaries}/pg_ctl", "-D", str(data), "-w", "-l", str(data / "log"),
          "-o", f"'-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off'", "start"], as_postgres)
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        deadline = time.time() + 30
        while True:
            try:
                Store(url).close()
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        yield url
    finally:
        _run([f"{binaries}/pg_ctl", "-D", str(data), "-m", "fast", "stop"], as_postgres)
        shutil.rmtree(folder, ignore_errors=True)


def test_ingest_cluster_dedupe_and_merge_on_postgres(postgres_url, analyzer, tmp_path):
    store = Store(postgres_url)
    report = ingest_paths(store, [SEEDS, FIXTURES / "unrelated_fr.txt"], analyzer=analyzer)
    assert report.added == 3 and not report.errors
    stories = {s.id: s.size for s in store.list_stories()}
    assert sorted(stories.values()) == [1, 2]

    again = ingest_paths(store, [SEEDS], analyzer=analyzer)
    assert (again.added, again.duplicates) == (0, 2)
    assert store.count_articles() == 3

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    failed = ingest_paths(store, [bad], analyzer=analyzer)
    assert failed.failed == 1 and store.count_articles() == 3
    assert any(origin.endswith("empty.txt") for origin, _, _ in store.recent_errors())

    seeds_story = next(sid for sid, size in stories.items() if size == 2)
    other = next(sid for sid, size in stories.items() if size == 1)
    store.write_batch([], [], {}, {}, merges=[(other, seeds_story, 0.9)])
    assert store.resolve_story_id(other) == seeds_story
    assert {a.story_id for a in store.iter_articles()} == {seeds_story}
    seed_titles = {a.title for a in store.story_articles(seeds_story)}
    assert len(seed_titles) == 3
    assert [a.id for a in store.search_articles("Poutine")]
    store.close()


def test_one_writer_at_a_time_and_hostile_text_on_postgres(postgres_url, analyzer, tmp_path):
    import json

    import pytest as _pytest

    from couverture.store.lock import WriterBusy

    first, second = Store(postgres_url), Store(postgres_url)
    told = []
    with first.writing():
        with _pytest.raises(WriterBusy):
            with second.writing(on_wait=told.append, timeout=0.5):
                pass
    assert told and "waiting for another couverture ingest" in told[0]
    with second.writing(timeout=0.5):  # released: taken at once
        pass

    # PostgreSQL refuses NUL in text and ids longer than the column: one such line must
    # not cost the others their batch.
    lines = [
        {"id": "pg-nul", "text": "Le conseil municipal de Lyon a voté mardi\u0000 la gratuité des transports pour les moins de 18 ans."},
        {"id": "x" * 300, "text": "Il Parlamento europeo ha approvato la nuova legge sull'intelligenza artificiale con ampia maggioranza."},
        {"id": "pg-surrogate", "title": "Bad \ud800 title", "text": "A magnitude 6.1 earthquake shook southern Italy on Monday without casualties."},
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    before = first.count_articles()
    report = ingest_paths(first, [path], analyzer=analyzer)
    assert not report.errors and report.added == 3
    assert first.count_articles() == before + 3
    assert "\x00" not in first.get_article("pg-nul").text
    first.close()
    second.close()
def test_an_empty_or_foreign_postgres_database_is_refused_by_a_read_and_left_as_it_was(postgres_url):
    """The same rules as for SQLite files (test_store_opening.py), on a real server."""
    from sqlalchemy import create_engine, inspect, text

    from couverture.errors import DatabaseError
    from couverture.store.schema import SCHEMA_VERSION

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE empty_one"))
        conn.execute(text("CREATE DATABASE foreign_one"))
    admin.dispose()
    base = postgres_url.rsplit("/", 1)[0]
    foreign = create_engine(f"{base}/foreign_one")
    with foreign.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (name text)"))

    with pytest.raises(DatabaseError, match="holds no couverture data"):
        Store(f"{base}/empty_one", create=False)
    for create in (False, True):  # another program's database: neither read nor written
        with pytest.raises(DatabaseError, match="is not a couverture database"):
            Store(f"{base}/foreign_one", create=create)
    with foreign.connect() as conn:
        assert inspect(conn).get_table_names() == ["recipes"]
    foreign.dispose()

    Store(f"{base}/empty_one").close()  # a write makes it a couverture database
    reread = Store(f"{base}/empty_one", create=False)
    assert reread.found_version == SCHEMA_VERSION and reread.count_articles() == 0
    reread.close()


def test_writers_opening_a_new_postgres_database_at_once_make_it_once(postgres_url):
    """The race of tests/test_writers.py on a server: each writer has its own connection;
    the schema's advisory lock (store/migrations.py, schema_transaction) lets one create
    the tables while the others wait, then find them made."""
    import threading

    from sqlalchemy import create_engine, text

    from couverture.store.schema import SCHEMA_VERSION

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE raced"))
    admin.dispose()
    url = f"{postgres_url.rsplit('/', 1)[0]}/raced"
    start, failures = threading.Barrier(4), []

    def open_store():
        start.wait()
        try:
            Store(url).close()
        except Exception as exc:  # collected: an exception in a thread would not fail the test
            failures.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    reread = Store(url, create=False)
    assert reread.found_version == SCHEMA_VERSION and reread.count_articles() == 0
    reread.close()


def test_a_schema_4_postgres_store_keeps_its_articles_when_migrated(postgres_url, analyzer, tmp_path):
    """Schema 5's outlets (test_outlets.py) on a real server: the column added, the table
    made and filled, every article kept."""
    import json

    from sqlalchemy import create_engine, text

    from couverture.demo import demo_corpus_path
    from test_outlets import AFP_ON_LE_SOIR, _demo_records, as_schema_4, check_migrated, given_sources, old_rows

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE outlets_v4"))
    admin.dispose()
    url = f"{postgres_url.rsplit('/', 1)[0]}/outlets_v4"
    extra = tmp_path / "afp.jsonl"
    extra.write_text(json.dumps(AFP_ON_LE_SOIR, ensure_ascii=False) + "\n", encoding="utf-8")
    store = Store(url)
    ingest_paths(store, [str(demo_corpus_path()), SEEDS, str(extra)], analyzer=analyzer)
    as_schema_4(store.engine, given_sources([*_demo_records(), AFP_ON_LE_SOIR]))
    before = old_rows(store.engine)
    store.close()
    assert before["soir-afp"][3] == "AFP"

    upgraded = Store(url)  # a writer upgrades
    try:
        assert upgraded.found_version == 4
        check_migrated(upgraded, before)
    finally:
        upgraded.close()


def test_the_dask_path_writes_to_postgres_what_one_process_writes(postgres_url, tmp_path):
    """Issue 24: PostgreSQL as the shared store of a distributed ingest. The demo corpus
    through two Dask worker processes into a database of its own on the real server holds
    each article once, in the stories one process makes of it in SQLite."""
    from sqlalchemy import create_engine, text

    from couverture.demo import demo_corpus_path
    from couverture.distributed import dask_client, ingest_distributed
    from couverture.engine import ingest_documents
    from couverture.eval.metrics import bcubed
    from couverture.ingest import read_inputs

    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text("CREATE DATABASE couverture_dask"))
    server.dispose()
    shared = Store(postgres_url.rsplit("/", 1)[0] + "/couverture_dask")
    reference = Store(tmp_path / "one.db")
    try:
        one = ingest_documents(reference, read_inputs([str(demo_corpus_path())]), progress=False)
        with dask_client(workers=2) as client:
            report = ingest_distributed(shared, read_inputs([str(demo_corpus_path())]), client=client, progress=False)
        assert report.added == one.added == 60 and shared.count_articles() == 60
        ids = sorted(one.story_of)
        assert sorted(report.story_of) == ids
        assert bcubed([report.story_of[i] for i in ids], [one.story_of[i] for i in ids]).f1 >= 0.98
        assert {s.size for s in shared.list_stories()} == {s.size for s in reference.list_stories()}
    finally:
        shared.close()
        reference.close()
