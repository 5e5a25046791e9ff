"""Turn raw bytes into text, refusing what is not text and saying why."""
from __future__ import annotations

from ..errors import InputError

# Signatures of common binary formats, so the error can say what the file looks like.
_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3", "an SQLite database"),
]


def _magic_kind(data: bytes) -> str | None:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def refuse_binary(data: bytes, origin: str, check_binary: bool = True) -> None:
    """:class:`InputError` for a known binary format, or (``check_binary``) bytes that are
    not text: NUL or many control bytes."""
    kind = _binary_kind(data) if check_binary else _magic_kind(data)
    if kind:
        raise InputError(origin, f"not text: looks like {kind}; couverture reads .txt, .html, .json and .jsonl")


def _binary_kind(data: bytes) -> str | None:
    kind = _magic_kind(data)
    if kind:
        return kind
    head = data[:8192]
    if b"\x00" in head:
        return "binary data (contains NUL bytes)"
    # Control characters other than tab/newline/carriage return/form feed are rare in text.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        return "binary data (many control characters)"
    return None


_LATIN_SINGLE_BYTE = {
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_1", "iso8859_2", "iso8859_3", "iso8859_4",
    "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman", "mac_latin2",
    "cp850", "cp437",
}


# UTF-32 before UTF-16: the UTF-32 little-endian mark begins with the UTF-16 one.
_BOMS = [
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]


def bom_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding a byte-order mark announces, else ``None``."""
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name
    return None


def _decode_marked(data: bytes, encoding: str) -> tuple[str, str | None]:
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        return text, f"{encoding.upper()} with invalid code units, replaced by U+FFFD"


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """``(text, bad bytes)`` when ``data`` is UTF-8 but for a few invalid bytes: at least
    as many valid non-ASCII characters as invalid bytes (a Latin-1 text has none)."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    bad = replaced - data.count("\ufffd".encode("utf-8"))
    valid = len(text) - len(text.encode("ascii", "ignore")) - replaced
    if bad > 0 and valid >= bad:
        return text.lstrip("\ufeff"), bad
    return None


def decode_bytes(data: bytes, origin: str, check_binary: bool = True) -> tuple[str, str | None]:
    """Return ``(text, note)``; ``note`` explains a guessed encoding, else ``None``.

    Raises :class:`InputError` for empty or binary input. ``check_binary=False``
    leaves stray NUL and control bytes to the caller (JSONL, read line by line,
    refuses only the lines that hold them); known binary formats are still refused.
    """
    if not data.strip():
        raise InputError(origin, "empty file: nothing to ingest")
    marked = bom_encoding(data)
    if marked:  # UTF-16/32 text is full of NUL bytes: the mark says it is text
        text, note = _decode_marked(data, marked)
        if not text.strip("\ufeff \t\r\n"):
            raise InputError(origin, "empty file: nothing to ingest")
        return text.lstrip("\ufeff"), note or f"decoded as {marked.upper()} (byte-order mark)"
    refuse_binary(data, origin, check_binary)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, bad = mostly
        return text, f"UTF-8 with {bad} invalid byte{'s' if bad != 1 else ''}, replaced by U+FFFD"
    # Not UTF-8: the common case for scraped Western-European pages is Windows-1252 or
    # Latin-1. charset_normalizer weighs the candidates; we fall back to cp1252, which
    # decodes every byte that Latin-1 prints the same way.
    encoding = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            encoding = best.encoding
    except Exception:  # a detector failure must not lose the input
        encoding = None
    # Single-byte Latin code pages decode the same bytes with different letters, and the
    # detector cannot tell cp1252 "è" from cp1250 "č" on short texts. Western European
    # news is far more often cp1252, so a Latin guess yields to it; a clearly different
    # script (Cyrillic, Greek, CJK, UTF-16) keeps the detector's answer.
    if encoding is None or encoding.replace("-", "_").lower() in _LATIN_SINGLE_BYTE:
        encoding = "cp1252"
    for candidate in (encoding, "cp1252", "latin-1"):
        if not candidate:
            continue
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, f"not valid UTF-8; decoded as {candidate}"
    raise InputError(origin, "could not decode the bytes as text in any known encoding")
