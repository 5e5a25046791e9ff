"""Values in and out of the database, the same way for every table.

SQLite hands datetimes back naive, and everything couverture stores is UTC; vectors are
stored as float32 bytes; long lists of keys are queried a chunk at a time (SQLite caps
the number of bound parameters).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where used: listing stories needs none
    import numpy as np


def utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (a naive one is taken as UTC); None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_time(value: str | None) -> datetime | None:
    """An ISO time as stored in JSON, as UTC; None for none or one that does not parse."""
    if not value:
        return None
    try:
        return utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def vector_bytes(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype=np.float32).tobytes()


def vector(blob: bytes | None) -> np.ndarray | None:
    import numpy as np

    return None if blob is None else np.frombuffer(blob, dtype=np.float32).copy()


def chunks(items: list, size: int):
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
