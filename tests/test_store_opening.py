"""Which databases the commands open, and what they may change in them.

Read commands (stories, show, export, serve) open a database as it is: a missing file
stays missing, a SQLite file of another program stays byte for byte what it was, and a
schema of another version is refused with one line that says what to run. Write
commands (ingest, demo, feeds, migrate) create and upgrade couverture's own databases,
and refuse other programs' too.
"""
from __future__ import annotations

import hashlib
import json
import socket
import sqlite3

import pytest

from cli_runner import one_line_error, run
from conftest import FIXTURES, SEEDS
from couverture.store import Store
from couverture.store.schema import SCHEMA_VERSION

READ_COMMANDS = [["stories"], ["show", "s-1"], ["export"], ["serve", "--port", "0"]]


def fingerprint(path) -> tuple:
    """What a change to a SQLite file would show: its bytes, and any journal beside it
    that holds something. A reader of a database in WAL mode makes the ``-shm`` index
    and an empty ``-wal``, which SQLite removes when the last connection to the file
    closes; whether that is the reader's depends on when connections of earlier calls
    in this process are collected, and neither file says anything was written. A
    ``-wal`` with frames in it, or a rollback ``-journal``, does."""
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)
                      and not p.name.endswith("-shm") and not (p.name.endswith("-wal") and p.stat().st_size == 0))
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, siblings


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """A couverture database of the seed story and one unrelated article (two stories)."""
    db = tmp_path_factory.mktemp("opening") / "seeded.db"
    result = run("ingest", SEEDS, FIXTURES / "unrelated_fr.txt", "--db", db)
    assert result.exit_code == 0, result.output
    return db


def foreign_sqlite(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        conn.execute("INSERT INTO recipes VALUES ('soupe', 40)")
    conn.close()
    return path


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_read_command_on_a_missing_file_creates_nothing(command, tmp_path):
    db = tmp_path / "typo.db"
    line = one_line_error(run(*command, "--db", db))
    assert "no database at" in line and str(db) in line
    assert "couverture demo" in line and "couverture ingest" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", READ_COMMANDS + [["ingest", FIXTURES / "unrelated_fr.txt"], ["migrate"]],
                         ids=lambda c: c[0])
def test_another_programs_sqlite_file_is_refused_and_left_untouched(command, tmp_path):
    db = foreign_sqlite(tmp_path / "recipes.db")
    before = fingerprint(db)
    line = one_line_error(run(*command, "--db", db))
    assert "is not a couverture database" in line and "recipes" in line
    assert fingerprint(db) == before
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["recipes"]


def test_a_file_that_is_not_sqlite_is_one_clear_line(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("these are notes, not a database\n" * 200, encoding="utf-8")
    before = db.read_bytes()
    line = one_line_error(run("stories", "--db", db))
    assert "is not a SQLite database" in line
    assert db.read_bytes() == before


def test_an_empty_file_is_not_filled_by_a_read(tmp_path):
    db = tmp_path / "empty.db"
    db.touch()
    line = one_line_error(run("stories", "--db", db))
    assert "holds no couverture data" in line and "couverture ingest" in line
    assert db.stat().st_size == 0


def test_an_unreachable_server_is_one_line_without_a_library_link():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = one_line_error(run("stories", "--db", f"postgresql+psycopg://nobody@127.0.0.1:{port}/news"))
    assert line.startswith("Error: cannot open database postgresql+psycopg://nobody@127.0.0.1:")


def _set_version(db, version: int) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.close()


def test_a_newer_schema_is_refused_by_readers_and_writers(seeded_db, tmp_path):
    db = tmp_path / "newer.db"
    with sqlite3.connect(seeded_db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    _set_version(db, SCHEMA_VERSION + 1)
    before = fingerprint(db)
    for command in (["stories"], ["ingest", FIXTURES / "unrelated_fr.txt"]):
        line = one_line_error(run(*command, "--db", db))
        assert f"schema version {SCHEMA_VERSION + 1}, newer than" in line and "upgrade couverture" in line
    assert fingerprint(db) == before


def test_an_older_schema_is_read_only_after_a_migrate(tmp_path):
    """Schema 2 as it was written: no coverage tables, no web indexes. A read refuses it
    and changes nothing; `couverture migrate` upgrades it; then it reads."""
    db = tmp_path / "old.db"
    assert run("ingest", SEEDS, "--db", db).exit_code == 0
    with sqlite3.connect(db) as conn:
        for table in ("coverage_cache", "coverage_views"):
            conn.execute(f"DROP TABLE {table}")
        for index in ("ix_web_stories_recency", "ix_web_articles_lang", "ix_web_articles_outlet"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = fingerprint(db)
    line = one_line_error(run("stories", "--db", db))
    assert "schema version 2, older than" in line and f"couverture migrate --db {db}" in line
    assert fingerprint(db) == before

    migrated = run("migrate", "--db", db)
    assert migrated.exit_code == 0 and f"schema version 2 -> {SCHEMA_VERSION}" in migrated.stdout
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"coverage_cache", "coverage_views", "ix_web_stories_recency"} <= names
    listed = run("stories", "--db", db)
    assert listed.exit_code == 0 and "Poutine" in listed.stdout
    assert "already, nothing to do" in run("migrate", "--db", db).stdout


def test_migrate_does_not_create_a_database(tmp_path):
    line = one_line_error(run("migrate", "--db", tmp_path / "nothing.db"))
    assert "no database at" in line
    assert list(tmp_path.iterdir()) == []


def test_reads_leave_the_schema_and_the_stories_as_they_were(seeded_db):
    """stories, export and show change no table: at most the coverage caches gain rows."""
    def state():
        with sqlite3.connect(seeded_db) as conn:
            schema_sql = sorted(r for r in conn.execute("SELECT type, name, sql FROM sqlite_master"))
            rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("articles", "stories", "meta", "frequencies", "story_merges", "ingest_errors")}
        conn.close()
        return schema_sql, rows

    before = state()
    stories = [json.loads(line) for line in run("stories", "--json", "--db", seeded_db).stdout.splitlines()]
    assert len(stories) == 2
    assert run("export", "--articles", "--db", seeded_db).exit_code == 0
    assert run("show", stories[0]["id"], "--db", seeded_db).exit_code == 0
    assert state() == before


def test_a_new_database_is_created_by_a_write_at_this_schema(tmp_path):
    db = tmp_path / "fresh.db"
    store = Store(db)
    store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    reread = Store(db, create=False)
    assert reread.found_version == SCHEMA_VERSION and reread.count_articles() == 0
    reread.close()


def test_a_path_is_a_file_name_whatever_its_characters(tmp_path):
    """`?`, `#`, `%` and spaces are parts of the file name, not URL syntax."""
    db = tmp_path / "news 100% #1?.db"
    assert run("ingest", SEEDS, "--db", db).exit_code == 0
    # Beside the file: SQLite's WAL files and the ingest's writer lock (DATABASE.lock,
    # store/lock.py), each named after the whole file name.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [db.name, db.name + ".lock"]
    listed = run("stories", "--db", db)
    assert listed.exit_code == 0 and "Poutine" in listed.stdout
    missing = tmp_path / "typo 100% #2?.db"
    assert "no database at" in one_line_error(run("stories", "--db", missing))
    assert not missing.exists() and not (tmp_path / "typo 100% #2").exists()


def _as_version_3(db) -> None:
    """Make ``db`` what issue 22's schema 3 wrote: no ``article_versions`` table yet."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE article_versions")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _tables(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    return names


def test_a_version_3_database_gains_article_versions_on_migrate(tmp_path):
    """Schema 4 adds the history of changed pages (issue 21's article versions): a read
    refuses a version 3 database and changes nothing; `couverture migrate` adds the table."""
    db = tmp_path / "v3.db"
    assert run("ingest", SEEDS, "--db", db).exit_code == 0
    _as_version_3(db)
    before = fingerprint(db)
    for command in READ_COMMANDS:
        line = one_line_error(run(*command, "--db", db))
        assert "schema version 3, older than" in line and f"couverture migrate --db {db}" in line
    assert fingerprint(db) == before and "article_versions" not in _tables(db)

    migrated = run("migrate", "--db", db)
    assert migrated.exit_code == 0 and f"schema version 3 -> {SCHEMA_VERSION}" in migrated.stdout
    assert "article_versions" in _tables(db)
    listed = run("stories", "--db", db)
    assert listed.exit_code == 0 and "Poutine" in listed.stdout


def test_an_ingest_upgrades_a_version_3_database_and_keeps_versions_in_it(tmp_path):
    db = tmp_path / "v3.db"
    url = "https://example.org/2024/06/20/storm.html"
    first = {"url": url, "title": "Storm hits Brest harbour",
             "text": "The storm brought gusts of 180 km/h to Brest on Thursday; 3,200 homes lost power overnight."}
    second = dict(first, text=first["text"] + " By Friday morning 1,100 homes were still without power.")
    (tmp_path / "v1.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    (tmp_path / "v2.jsonl").write_text(json.dumps(second) + "\n", encoding="utf-8")
    assert run("ingest", tmp_path / "v1.jsonl", "--db", db).exit_code == 0
    _as_version_3(db)

    updated = run("ingest", tmp_path / "v2.jsonl", "--db", db)
    assert updated.exit_code == 0 and "1 updated (new version)" in updated.stdout
    store = Store(db, create=False)
    (article,) = list(store.iter_articles())
    assert "1,100 homes" in article.text
    assert [h["text"] for h in store.article_history(article.id)] == [first["text"]]
    assert store.found_version == SCHEMA_VERSION
    store.close()
