"""Read files and folders into RawDocuments.

Every problem with one input is yielded as an :class:`InputError` instead of being
raised, so the caller can report it and carry on with the rest of the batch: each
file, and each line of a JSONL file, is read inside its own guard. Only regular
files are read (a FIFO would hang the run, a link to /dev/zero would never end),
and never more than ``max_bytes`` of one, whatever its size claims.
"""
from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError
from ..models import RawDocument
from .decode import bom_encoding, decode_bytes, refuse_binary
from .scrub import MAX_ID_CHARS, path_origin, scrub_value

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
    always attempted. A subfolder that cannot be listed is reported, not skipped.
    """
    for raw in paths:
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            yield InputError(path_origin(raw), f"cannot read: {getattr(exc, 'strerror', None) or exc}")
            continue
        if is_dir:
            unreadable: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=unreadable.append):
                yield from _folder_errors(unreadable)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in SUPPORTED_SUFFIXES:
                        yield child
            yield from _folder_errors(unreadable)
        elif exists:
            yield path
        else:
            yield InputError(path_origin(path), "no such file or folder")


def _folder_errors(unreadable: list[OSError]) -> Iterator[InputError]:
    while unreadable:
        exc = unreadable.pop(0)
        where = path_origin(exc.filename) if exc.filename is not None else "folder"
        yield InputError(where, f"cannot read folder: {exc.strerror or exc}; its files were not ingested")


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _too_large(origin: str, size: str, max_bytes: int) -> InputError:
    return InputError(origin, f"too large ({size}, limit {max_bytes / 1e6:.1f} MB); "
                              "raise the limit with --max-bytes if this is really one article")


def read_file_bytes(path: str | os.PathLike, max_bytes: int, origin: str) -> tuple[bytes, float]:
    """``(bytes, mtime)`` of a regular file, read up to ``max_bytes`` (the bytes read
    count, not the size the file claims); :class:`InputError` for anything else."""
    mode = os.stat(path).st_mode  # follows links: a link to /dev/zero is a device
    if not stat.S_ISREG(mode):
        raise InputError(origin, f"not a regular file: {_file_kind(mode)}; refused")
    # O_NONBLOCK: if the file was swapped for a FIFO since, opening it does not hang.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(origin, f"not a regular file: {_file_kind(info.st_mode)}; refused")
        if info.st_size > max_bytes:
            raise _too_large(origin, f"{info.st_size / 1e6:.1f} MB", max_bytes)
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(origin, f"more than {max_bytes / 1e6:.1f} MB read", max_bytes)
        return b"".join(chunks), info.st_mtime
    finally:
        os.close(fd)


def _moment(timestamp: float) -> datetime | None:
    """A file time as UTC, or ``None`` when it is out of range (a year 3,170,843)."""
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | InputError]:
    """Yield the documents held in one file (several for JSON arrays and JSONL)."""
    origin = path_origin(path)
    try:
        data, mtime = read_file_bytes(path, max_bytes, origin)
    except InputError as exc:
        yield exc
        return
    except (OSError, ValueError) as exc:
        yield InputError(origin, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
        return
    fetched = _moment(mtime)
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(data, origin, fetched)
            return
        text, note = decode_bytes(data, origin)
        if suffix in JSON_SUFFIXES:
            yield from _read_json(text, origin, note, fetched)
        elif suffix in HTML_SUFFIXES or _looks_like_html(text):
            yield RawDocument(origin, "html", text, fetched_at=fetched, encoding_note=note)
        else:
            yield RawDocument(origin, "text", text, fetched_at=fetched, encoding_note=note)
    except InputError as exc:
        yield exc
    except Exception as exc:  # a bug or a library failure on one file must not sink the batch
        yield InputError(origin, f"could not be read ({type(exc).__name__}: {exc})")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _given_id(value) -> tuple[object, str | None]:
    """The id to keep (or None) and a note when the input's id cannot be one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        if len(str(value).strip()) <= MAX_ID_CHARS:
            return value, None
        return None, f"'id' longer than {MAX_ID_CHARS} characters ignored; the article gets a fingerprint id"
    kind = {bool: "a boolean", dict: "an object", list: "a list", float: "a decimal number"}.get(type(value), "not text")
    return None, f"'id' is {kind}, not a string or a whole number: ignored; the article gets a fingerprint id"


def _record(obj, origin: str, note, fetched) -> RawDocument | InputError:
    if not isinstance(obj, dict):
        return InputError(origin, f"expected a JSON object, got {type(obj).__name__}")
    obj = scrub_value(obj, origin)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputError(origin, "JSON object has no non-empty 'text' field")
    notes = [note] if note else []
    if "id" in obj:
        kept, id_note = _given_id(obj["id"])
        if id_note:
            notes.append(id_note)
            del obj["id"]
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    return RawDocument(origin, "record", obj, url=url, fetched_at=fetched, encoding_note="; ".join(notes) or None)


def _parse_int(digits: str):
    # Python refuses to turn more than 4,300 digits into an int; such a number is kept as text.
    return int(digits) if len(digits) <= 4000 else digits


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else text  # 1e999: kept as written, not as inf


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(text: str, origin: str):
    """``json.loads`` whose every failure is an :class:`InputError` naming ``origin``."""
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(origin, f"malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(origin, "malformed JSON (nested too deeply to read)") from None
    except ValueError as exc:
        raise InputError(origin, f"malformed JSON ({exc})") from None


def _objects(lines) -> int:
    return sum(1 for line in lines if line.lstrip(b"\xef\xbb\xbf \t" if isinstance(line, bytes) else "\ufeff \t")[:1]
               in (b"{", "{"))


def _lines(data: bytes, origin: str) -> Iterator[tuple[int, bytes | str]]:
    refuse_binary(data, origin, check_binary=False)  # an image, a zip...: not line by line
    # Split on line feeds only: str.splitlines() would also cut at U+2028 inside a JSON string.
    lines: list = data.split(b"\n")
    if bom_encoding(data):
        # UTF-16/32 text, or UTF-8 lines after stray bytes that look like a mark: the
        # reading that shows more JSON objects wins.
        text, _note = decode_bytes(data, origin)
        decoded = text.split("\n")
        if _objects(decoded) >= _objects(lines):
            lines = decoded
    yield from enumerate(lines, start=1)


def _line_text(line: bytes | str, where: str, first: bool) -> tuple[str, str | None]:
    if isinstance(line, str):
        return line, None
    try:
        return line.decode("utf-8-sig" if first else "utf-8"), None
    except UnicodeDecodeError:
        return decode_bytes(line, where)


def _read_jsonl(data: bytes, origin: str, fetched) -> Iterator[RawDocument | InputError]:
    if not data.strip():
        yield InputError(origin, "empty file: nothing to ingest")
        return
    for number, line in _lines(data, origin):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            text, note = _line_text(line, where, number == 1)
            yield _record(loads(text, where), where, note, fetched)
        except InputError as exc:
            yield exc
        except Exception as exc:  # one line's failure costs that line only
            yield InputError(where, f"could not be read ({type(exc).__name__}: {exc})")


def _read_json(text: str, origin: str, note, fetched) -> Iterator[RawDocument | InputError]:
    obj = loads(text, origin)
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            where = f"{origin}[{index}]"
            try:
                yield _record(item, where, note, fetched)
            except InputError as exc:
                yield exc
    else:
        yield _record(obj, origin, note, fetched)


def read_inputs(paths: Iterable[str | os.PathLike], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | InputError]:
    """Everything under ``paths``, as documents or per-input errors."""
    for item in expand_paths(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_path(item, max_bytes=max_bytes)
