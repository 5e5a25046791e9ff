"""Errors that name the input they are about, so a batch can report and go on."""
import re

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class CouvertureError(Exception):
    """Base class for errors couverture reports to the user."""


class InputError(CouvertureError):
    """One input could not be turned into an article; the rest of the batch goes on."""

    def __init__(self, origin: str, reason: str):
        reason = " ".join(str(reason).split())  # one input, one line
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class BrokenInstall(CouvertureError):
    """A module couverture needs is missing or broken: no input is to blame, so the run
    stops once with this message instead of failing every input."""

    def __init__(self, cause: BaseException):
        missing = getattr(cause, "name", None)
        hint = f" (pip install {missing.replace('_', '-')})" if missing else ""
        super().__init__(f"couverture is not installed correctly: {cause}{hint}; "
                         "reinstall it with its dependencies (pip install -e .)")


class DatabaseError(CouvertureError):
    """A database that cannot be used as asked: missing, not couverture's, of another
    schema version, or unreachable. The message is one line saying what to do."""


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that os.fsdecode could not read
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe to write on a terminal: control characters, escape sequences and
    surrogates shown as backslash escapes."""
    return _UNPRINTABLE.sub(_escape, text)
