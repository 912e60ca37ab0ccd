"""Domain errors. Front ends turn them into one line on stderr and an exit code.

Exit codes follow the SPEC: 1 for domain or I/O errors, 2 for usage errors.
"""

from __future__ import annotations


class CrmError(Exception):
    """Base class for every error a user may see. `exit_code` is what the CLI returns."""

    exit_code = 1


class SendError(CrmError):
    """A message could not be delivered (exit 1); the run is recorded as failed."""


class UsageError(CrmError):
    """The input itself is wrong: a bad date, value, flag or option combination."""

    exit_code = 2


class NotFound(CrmError):
    """A referenced contact, follow-up, case or file does not exist."""


class Ambiguous(CrmError):
    """A reference matches more than one record."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class Conflict(CrmError):
    """The change contradicts the current state (already done, already resolved, …)."""


class Stale(Conflict):
    """Someone else saved the record after it was loaded for this change: nothing was written
    (a stale edit is a conflict, never a silent overwrite)."""


class Forbidden(CrmError):
    """The acting user may not do this (not an admin), or is unknown in a CRM with a team."""


class StorageError(CrmError):
    """The database cannot be opened, is locked, corrupt or from a newer version."""


class Corrupt(StorageError):
    """The database file is damaged (or not a database at all)."""


class MissingDatabase(StorageError):
    """The database file does not exist, and the command only reads (nothing is created)."""
