"""One writer at a time per database.

An ingest reads the clustering state (stories, document frequencies) from the store,
changes it in memory and writes it back: two ingests at once would each write counts
that miss the other's articles. The writer lock makes the second wait for the first.

* SQLite: an exclusive ``flock`` on ``<database>.lock`` beside the file. The kernel
  drops it when the process ends, however it ends (kill -9 included), so a crash
  never leaves a stale lock behind.
* PostgreSQL: a session advisory lock, held by one connection for the whole ingest;
  the server drops it when that connection goes.

Readers take no lock: SQLite's WAL mode and PostgreSQL's MVCC let them read while a
writer works.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from ..errors import CouvertureError

POLL_SECONDS = 0.2


def advisory_key(name: str) -> int:
    """A fixed PostgreSQL advisory-lock key (64-bit, signed) naming one of couverture's locks."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


_PG_KEY = advisory_key("couverture writer")


class WriterBusy(CouvertureError):
    """Another writer holds the database and the caller chose not to wait (longer)."""


def lock_path(engine: Engine) -> str | None:
    """The lock file of a SQLite database file; ``None`` for an in-memory one."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + ".lock"


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            pid = handle.read(64).strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextmanager
def _file_lock(path: str, on_wait: Callable[[str], None] | None, timeout: float | None) -> Iterator[None]:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if timeout is not None and time.monotonic() - started >= timeout:
                    raise WriterBusy(f"another couverture ingest is writing to this database{holder}; "
                                     "try again when it has finished") from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for another couverture ingest into this database to finish{holder}...")
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(engine: Engine, on_wait: Callable[[str], None] | None, timeout: float | None) -> Iterator[None]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.monotonic()
        told = False
        while not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_KEY}).scalar():
            if timeout is not None and time.monotonic() - started >= timeout:
                raise WriterBusy("another couverture ingest is writing to this database; "
                                 "try again when it has finished")
            if not told and on_wait is not None:
                on_wait("waiting for another couverture ingest into this database to finish...")
                told = True
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_KEY})


class WriterLock:
    """The writer lock of one store, re-entrant within a thread (a watcher's poll may
    log an error through the engine while it holds the lock)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._owner: int | None = None
        self._depth = 0
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, on_wait: Callable[[str], None] | None = None, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock inside the block; wait for another writer first (``on_wait`` is
        told once), at most ``timeout`` seconds (``None``: as long as it takes)."""
        me = threading.get_ident()
        with self._guard:
            nested = self._owner == me
            if nested:
                self._depth += 1
        if nested:
            try:
                yield
            finally:
                with self._guard:
                    self._depth -= 1
            return
        if self.engine.dialect.name == "postgresql":
            lock = _advisory_lock(self.engine, on_wait, timeout)
        else:
            path = lock_path(self.engine)
            lock = _file_lock(path, on_wait, timeout) if path else _no_lock()
        with lock:
            with self._guard:
                self._owner, self._depth = me, 1
            try:
                yield
            finally:
                with self._guard:
                    self._owner, self._depth = None, 0


@contextmanager
def _no_lock() -> Iterator[None]:
    yield
