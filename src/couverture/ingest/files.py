"""Read files and folders into RawDocuments.

Every problem with one input is yielded as an :class:`InputError` instead of being
raised, so the caller can report it and carry on with the rest of the batch.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError
from ..models import RawDocument
from .decode import decode_bytes

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def expand_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | InputError]:
    """Yield the files to read, folders walked recursively in a stable order.

    Inside folders, hidden files and unsupported suffixes are skipped silently (a
    folder of scraped pages often holds images and logs); a file named explicitly is
    always attempted.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in SUPPORTED_SUFFIXES:
                        yield child
        elif path.exists():
            yield path
        else:
            yield InputError(str(path), "no such file or folder")


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | InputError]:
    """Yield the documents held in one file (several for JSON arrays and JSONL)."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield InputError(
                origin,
                f"too large ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:.1f} MB); "
                "raise the limit with --max-bytes if this is really one article",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(origin, f"cannot read: {exc.strerror or exc}")
        return
    try:
        text, note = decode_bytes(data, origin)
    except InputError as exc:
        yield exc
        return
    fetched = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(text, origin, note, fetched)
    elif suffix in JSON_SUFFIXES:
        yield from _read_json(text, origin, note, fetched)
    elif suffix in HTML_SUFFIXES or _looks_like_html(text):
        yield RawDocument(origin, "html", text, fetched_at=fetched, encoding_note=note)
    else:
        yield RawDocument(origin, "text", text, fetched_at=fetched, encoding_note=note)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _record(obj, origin: str, note, fetched) -> RawDocument | InputError:
    if not isinstance(obj, dict):
        return InputError(origin, f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputError(origin, "JSON object has no non-empty 'text' field")
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    return RawDocument(origin, "record", obj, url=url, fetched_at=fetched, encoding_note=note)


def _read_jsonl(text: str, origin: str, note, fetched) -> Iterator[RawDocument | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        yield _record(obj, where, note, fetched)


def _read_json(text: str, origin: str, note, fetched) -> Iterator[RawDocument | InputError]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(origin, f"malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")
        return
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            yield _record(item, f"{origin}[{index}]", note, fetched)
    else:
        yield _record(obj, origin, note, fetched)


def read_inputs(paths: Iterable[str | os.PathLike], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | InputError]:
    """Everything under ``paths``, as documents or per-input errors."""
    for item in expand_paths(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_path(item, max_bytes=max_bytes)
