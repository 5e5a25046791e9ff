"""Opening a database as asked: for writing (created or upgraded as needed) or for reading (as it is).

Read commands must never leave a file behind a mistyped ``--db``, nor touch a SQLite
file that belongs to something else: every refusal here is a :class:`DatabaseError`
whose message is one line saying what is wrong and what to run instead.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from ..errors import DatabaseError
from . import DEFAULT_DB
from .migrations import Found
from .schema import SCHEMA_VERSION


def sqlite_file(target: str) -> Path | None:
    """The SQLite file ``target`` names: a plain path (any characters, ``?`` and ``#``
    included), or the path of a ``sqlite:///`` URL. None for other databases, in-memory
    SQLite, and SQLite URLs that set their own driver-level URI."""
    if "://" not in target:
        return Path(target).expanduser().resolve()
    if not target.startswith("sqlite:///"):
        return None
    url = make_url(target)
    if not url.database or url.database == ":memory:" or url.database.startswith("file:") or url.query:
        return None
    return Path(url.database).expanduser().resolve()


def engine_url(target: str, create: bool) -> str | URL:
    """What the engine connects with. A SQLite file is given as a URL object (so no
    character of its path is read as URL syntax) and, when it must not be created,
    opened with ``mode=rw``: SQLite itself then refuses to make a missing file."""
    path = sqlite_file(target)
    if path is None:
        return target
    if create:
        return URL.create("sqlite", database=str(path))
    return URL.create("sqlite", database=f"file:{quote(str(path))}", query={"mode": "rw", "uri": "true"})


def _db_flag(target: str) -> str:
    return "" if target == DEFAULT_DB else f" --db {target}"


def check_location(target: str, create: bool) -> None:
    """Refuse, before connecting, a SQLite file that is missing (reading) or cannot be made (writing)."""
    path = sqlite_file(target)
    if path is None:
        return
    if path.is_dir():
        raise DatabaseError(f"{target} is a folder: give a database file with --db")
    if path.exists():
        return
    if not create:
        raise DatabaseError(
            f"no database at {target}: create one with `couverture demo{_db_flag(target)}` "
            f"or `couverture ingest FILES{_db_flag(target)}`"
        )
    if not path.parent.is_dir():
        raise DatabaseError(f"cannot create {target}: the folder {path.parent} does not exist")


def check_contents(target: str, found: Found, create: bool) -> None:
    """Refuse a database that is not couverture's, of a newer schema, or (reading) not at this one."""
    if found.version is None:
        if found.empty and create:
            return  # a new database: the upgrade makes it
        if found.empty:
            raise DatabaseError(
                f"{target} holds no couverture data yet: fill it with `couverture demo{_db_flag(target)}` "
                f"or `couverture ingest FILES{_db_flag(target)}`"
            )
        names = ", ".join(sorted(found.tables)[:5]) + (", ..." if len(found.tables) > 5 else "")
        raise DatabaseError(f"{target} is not a couverture database (it holds tables {names}); give another --db")
    if found.version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{target} has schema version {found.version}, newer than this couverture reads ({SCHEMA_VERSION}): "
            "upgrade couverture"
        )
    if found.version < SCHEMA_VERSION and not create:
        raise DatabaseError(
            f"{target} has schema version {found.version}, older than this couverture's ({SCHEMA_VERSION}): "
            f"upgrade it with `couverture migrate{_db_flag(target)}`"
        )


def short_reason(exc: BaseException) -> str:
    """The driver's own message, first line only: no SQL, no link to the library's docs."""
    reason = getattr(exc, "orig", None) or exc
    line = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
    return line.split("(Background on this error at:")[0].strip()
