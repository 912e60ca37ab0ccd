"""The storage layer: every SQL statement in tinycrm lives in this package.

Services receive a `Store` and call its repositories; they never see SQL or sqlite3, so a
different backend can replace this package without touching services or front ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from sqlite3 import Connection
from typing import TYPE_CHECKING, Generic, TypeVar

from tinycrm.errors import StorageError
from tinycrm.store.connection import Database

if TYPE_CHECKING:
    from tinycrm.store.atrisk import AtRiskRepo
    from tinycrm.store.cases import CaseRepo
    from tinycrm.store.contacts import ContactRepo
    from tinycrm.store.digests import DigestRunRepo
    from tinycrm.store.followups import FollowUpRepo
    from tinycrm.store.notes import NoteRepo
    from tinycrm.store.reports import ReportRepo
    from tinycrm.store.sales import SaleRepo
    from tinycrm.store.satisfaction import ScoreRepo
    from tinycrm.store.transfer import TransferRepo


T = TypeVar("T")


class Store:
    """One open database and the repositories over it.

    Each repository module is imported when its property is first used: a command pays only
    for the repositories it reads (start-up time, see docs/benchmarks.md).
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> Store:
        """The database at `path`; a missing file is an error unless `create`."""
        return cls(Database(path, create=create))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Group several repository writes into one transaction."""
        with self.db.write() as conn:
            yield conn

    @cached_property
    def contacts(self) -> ContactRepo:
        from tinycrm.store.contacts import ContactRepo

        return ContactRepo(self.db)

    @cached_property
    def notes(self) -> NoteRepo:
        from tinycrm.store.notes import NoteRepo

        return NoteRepo(self.db)

    @cached_property
    def follow_ups(self) -> FollowUpRepo:
        from tinycrm.store.followups import FollowUpRepo

        return FollowUpRepo(self.db)

    @cached_property
    def sales(self) -> SaleRepo:
        from tinycrm.store.sales import SaleRepo

        return SaleRepo(self.db)

    @cached_property
    def scores(self) -> ScoreRepo:
        from tinycrm.store.satisfaction import ScoreRepo

        return ScoreRepo(self.db)

    @cached_property
    def cases(self) -> CaseRepo:
        from tinycrm.store.cases import CaseRepo

        return CaseRepo(self.db)

    @cached_property
    def reports(self) -> ReportRepo:
        from tinycrm.store.reports import ReportRepo

        return ReportRepo(self.db)

    @cached_property
    def at_risk(self) -> AtRiskRepo:
        from tinycrm.store.atrisk import AtRiskRepo

        return AtRiskRepo(self.db)

    @cached_property
    def digests(self) -> DigestRunRepo:
        from tinycrm.store.digests import DigestRunRepo

        return DigestRunRepo(self.db)

    @cached_property
    def transfer(self) -> TransferRepo:
        from tinycrm.store.transfer import TransferRepo

        return TransferRepo(self.db)

    def in_background(self, work: Callable[[Store], T]) -> Callable[[], T]:
        """Start `work` (reads only) on a second, read-only connection to the same file, in
        a thread. SQLite lets go of the GIL while it works, so a long read such as an
        integrity check runs beside the Python work done on this store meanwhile.

        The returned function waits for `work` and returns its result or raises its error.
        Inside a write transaction (whose rows another connection cannot see yet) or on an
        in-memory database, `work` runs on this store at once instead; and when a second
        connection cannot be opened, on this store when its result is asked for."""
        if self.db.conn.in_transaction or str(self.db.path) == ":memory:":
            result = work(self)
            return lambda: result
        job = Reading(self.db.path, work)
        return lambda: job.result(otherwise=lambda: work(self))

    def close(self) -> None:
        self.db.close()


class Reading(Generic[T]):
    """`work` (reads only) running in a thread on a read-only connection of its own to the
    file at `path`, started at once. SQLite lets go of the GIL while it reads."""

    def __init__(self, path: Path, work: Callable[[Store], T]) -> None:
        self._outcome: list[T | BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(path, work), name="tinycrm-background", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, work: Callable[[Store], T]) -> None:
        try:
            other = Store(Database.reader(path))
        except StorageError:
            return  # `result` calls `otherwise`
        try:
            self._outcome.append(work(other))
        except BaseException as exc:  # raised again by the waiting thread
            self._outcome.append(exc)
        finally:
            other.close()

    def result(self, otherwise: Callable[[], T]) -> T:
        """Wait for `work` and return its result or raise its error; `otherwise()` when no
        second connection could be opened."""
        self._thread.join()
        if not self._outcome:
            return otherwise()
        value = self._outcome[0]
        if isinstance(value, BaseException):
            raise value
        return value


__all__ = ["Database", "Reading", "Store"]
