"""The storage layer: every SQL statement in tinycrm lives in this package.

Services receive a `Store` and call its repositories; they never see SQL or sqlite3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tinycrm.config import is_server_url
from tinycrm.models.users import Identity, User
from tinycrm.store.backend import Backend, Connection

if TYPE_CHECKING:
    from tinycrm.store.atrisk import AtRiskRepo
    from tinycrm.store.cases import CaseRepo
    from tinycrm.store.companies import CompanyRepo
    from tinycrm.store.contacts import ContactRepo
    from tinycrm.store.digests import DigestRunRepo
    from tinycrm.store.followups import FollowUpRepo
    from tinycrm.store.history import HistoryRepo
    from tinycrm.store.mail import MailRepo, SurveyRepo
    from tinycrm.store.notes import NoteRepo
    from tinycrm.store.opt_outs import OptOutRepo
    from tinycrm.store.portal import PortalRepo
    from tinycrm.store.referrals import ReferralRepo
    from tinycrm.store.reports import ReportRepo
    from tinycrm.store.sales import SaleRepo
    from tinycrm.store.satisfaction import ScoreRepo
    from tinycrm.store.search import SearchRepo
    from tinycrm.store.team import TeamRepo
    from tinycrm.store.transfer import TransferRepo
    from tinycrm.store.users import UserRepo
    from tinycrm.store.watch import ChangeWatcher


class Store:
    """One open database and the repositories over it.

    Each repository's module is imported when the repository is first used, so a command
    loads only the SQL and records it needs (no cycle: repositories never import this module).
    """

    def __init__(self, db: Backend) -> None:
        self.db = db
        self.identity = Identity()
        # The front end the writes through this store are recorded as from (the history).
        self.source = "cli"

    def act_as(self, identity: Identity) -> None:
        """Who the following reads and writes are for (services.identity.identify); with a
        refusal, every write fails with it."""
        self.identity = identity
        self.db.write_refusal = identity.refusal

    @property
    def actor(self) -> User | None:
        """The user running this command; None in a CRM without a team (nobody is asked)."""
        return self.identity.user

    @classmethod
    def open(cls, location: Path | str, *, create: bool = False) -> Store:
        """The database at `location`: a SQLite file's path, or a PostgreSQL URL. A missing
        file (a PostgreSQL database without tinycrm's tables) is an error unless `create`."""
        return cls(open_database(location, create=create))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Group several repository writes into one transaction."""
        with self.db.write() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Group several repository reads into one snapshot of the file."""
        with self.db.read() as conn:
            yield conn

    @cached_property
    def contacts(self) -> ContactRepo:
        from tinycrm.store.contacts import ContactRepo

        return ContactRepo(self.db)

    @cached_property
    def search(self) -> SearchRepo:
        from tinycrm.store.search import SearchRepo

        return SearchRepo(self.db)

    @cached_property
    def users(self) -> UserRepo:
        from tinycrm.store.users import UserRepo

        return UserRepo(self.db)

    @cached_property
    def companies(self) -> CompanyRepo:
        from tinycrm.store.companies import CompanyRepo

        return CompanyRepo(self.db)

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
    def surveys(self) -> SurveyRepo:
        from tinycrm.store.mail import SurveyRepo

        return SurveyRepo(self.db)

    @cached_property
    def survey_opt_outs(self) -> OptOutRepo:
        from tinycrm.store.opt_outs import OptOutRepo

        return OptOutRepo(self.db, "survey_opt_outs")

    @cached_property
    def pass_on_opt_outs(self) -> OptOutRepo:
        from tinycrm.store.opt_outs import OptOutRepo

        return OptOutRepo(self.db, "pass_on_opt_outs")

    @cached_property
    def mail(self) -> MailRepo:
        from tinycrm.store.mail import MailRepo

        return MailRepo(self.db)

    @cached_property
    def portal(self) -> PortalRepo:
        from tinycrm.store.portal import PortalRepo

        return PortalRepo(self.db)

    @cached_property
    def referrals(self) -> ReferralRepo:
        from tinycrm.store.referrals import ReferralRepo

        return ReferralRepo(self.db)

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
    def history(self) -> HistoryRepo:
        from tinycrm.store.history import HistoryRepo

        return HistoryRepo(self.db)

    @cached_property
    def team(self) -> TeamRepo:
        from tinycrm.store.team import TeamRepo

        return TeamRepo(self.db)

    @cached_property
    def transfer(self) -> TransferRepo:
        from tinycrm.store.transfer import TransferRepo

        return TransferRepo(self.db)

    def watcher(self) -> ChangeWatcher:
        """Something to ask, cheaply and as often as needed, whether anyone committed a change
        since (store/watch.py). Made on a connection that only reads (the TUI's)."""
        if self.db.dialect == "postgresql":
            from tinycrm.store.postgres import PgChangeWatcher

            return PgChangeWatcher(self.db)
        from tinycrm.store.watch import SqliteChangeWatcher

        return SqliteChangeWatcher(self.db)

    def close(self) -> None:
        self.db.close()


def open_database(
    location: Path | str, *, migrate: bool = True, create: bool = False, read_only: bool = False
) -> Backend:
    """The backend `location` names: a `postgresql://` URL, else a SQLite file."""
    if is_server_url(location):
        from tinycrm.store.postgres import PgDatabase

        return PgDatabase(str(location), migrate=migrate, create=create, read_only=read_only)
    from tinycrm.store.connection import Database

    return Database(location, migrate=migrate, create=create, read_only=read_only)


__all__ = ["Backend", "Store", "open_database"]
