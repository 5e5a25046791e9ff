"""Errors that name the input they are about, so a batch can report and go on."""


class CouvertureError(Exception):
    """Base class for errors couverture reports to the user."""


class InputError(CouvertureError):
    """One input could not be turned into an article; the rest of the batch goes on."""

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class DatabaseError(CouvertureError):
    """A database that cannot be used as asked: missing, not couverture's, of another
    schema version, or unreachable. The message is one line saying what to do."""
