"""What an automatic schema upgrade did to a person's data, read back from the migrated
database: the free-text company names the upgrade to companies (schema 8) turned into
companies, the free-text owners the upgrade to users turned into users. Every command may
upgrade the database it opens, so this module stays light."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tinycrm.store import Store
from tinycrm.store.schema import COMPANIES_VERSION, LATEST_VERSION, USERS_VERSION
from tinycrm.store.schema_data import FOLD_VERSION
from tinycrm.wording import plural

if TYPE_CHECKING:
    from tinycrm.models.companies import MergedSpelling
    from tinycrm.models.users import MergedOwner


@dataclass(frozen=True)
class MergedCompany:
    """One company the schema upgrade made, with the free-text spellings it took in."""

    company_id: int
    name: str
    spellings: tuple[MergedSpelling, ...]

    @property
    def contacts(self) -> int:
        return sum(s.contacts for s in self.spellings)


@dataclass(frozen=True)
class SpellingReport:
    """What the upgrade to companies did: read back from the migrated data."""

    companies: tuple[MergedCompany, ...]

    @property
    def spellings(self) -> int:
        return sum(len(c.spellings) for c in self.companies)

    @property
    def merged(self) -> tuple[MergedCompany, ...]:
        """The companies made from more than one spelling."""
        return tuple(c for c in self.companies if len(c.spellings) > 1)

    def summary(self) -> str:
        merged = self.spellings - len(self.companies)
        return (
            f"{plural(self.spellings, 'company name')} became"
            f" {len(self.companies)} compan{'ies' if len(self.companies) != 1 else 'y'}"
            f" ({plural(merged, 'spelling')} merged by case and spaces)"
        )


def spelling_report(store: Store) -> SpellingReport:
    by_company: dict[int, list[MergedSpelling]] = {}
    names: dict[int, str] = {}
    for row in store.companies.merged_spellings():
        by_company.setdefault(row.company_id, []).append(row)
        names[row.company_id] = row.company_name
    return SpellingReport(
        tuple(MergedCompany(i, names[i], tuple(rows)) for i, rows in by_company.items())
    )


@dataclass(frozen=True)
class OwnerReport:
    """What the upgrade to users did with free-text owners: read back from the migrated data."""

    spellings: tuple[MergedOwner, ...]

    @property
    def users(self) -> int:
        return len({s.user_id for s in self.spellings})

    @property
    def merged(self) -> dict[str, list[MergedOwner]]:
        """The users made from more than one spelling, by name."""
        by_user: dict[str, list[MergedOwner]] = {}
        for spelling in self.spellings:
            by_user.setdefault(spelling.user_name, []).append(spelling)
        return {name: rows for name, rows in by_user.items() if len(rows) > 1}

    def summary(self) -> str:
        n, users = len(self.spellings), self.users
        return (
            f"{plural(n, 'owner name')} became {plural(users, 'user')}"
            f" ({plural(n - users, 'spelling')} merged by case and spaces)"
        )


def owner_report(store: Store) -> OwnerReport:
    return OwnerReport(tuple(store.users.merged_owners()))


def companies_made(store: Store, applied: list[int]) -> SpellingReport | None:
    """The companies made by the migrations `applied` just now (None: none were)."""
    if COMPANIES_VERSION not in applied:
        return None
    report = spelling_report(store)
    return report if report.companies else None


def owners_made(store: Store, applied: list[int]) -> OwnerReport | None:
    """The users made from free-text owners by the migrations `applied` (None: none were)."""
    if USERS_VERSION not in applied:
        return None
    report = owner_report(store)
    return report if report.spellings else None


def companies_folded(store: Store, applied: list[int]) -> list[tuple[str, str]]:
    """The companies merged into another by the migrations `applied`, their names being one
    but for case (schema 17): (the name it had, the company it is part of now)."""
    return store.companies.folded() if FOLD_VERSION in applied else []


def folded_summary(folded: list[tuple[str, str]]) -> str:
    first, into = folded[0]
    more = f" and {len(folded) - 1} more" if len(folded) > 1 else ""
    return f"merged company {first!r} into {into!r}{more} (the same name but for case)"


def upgrade_notice(store: Store) -> str | None:
    """One line for the automatic upgrade an ordinary command just did, when it turned
    free-text company names into companies or free-text owners into users, or merged
    companies whose names are one but for case."""
    companies = companies_made(store, store.db.migrated)
    owners = owners_made(store, store.db.migrated)
    folded = companies_folded(store, store.db.migrated)
    done = [
        *([f"{companies.summary()}; `crm companies merged` lists them"] if companies else []),
        *([f"{owners.summary()}; `crm users list` shows them"] if owners else []),
        *([f"{folded_summary(folded)}; `crm companies merged` lists them"] if folded else []),
    ]
    if not done:
        return None
    return f"upgraded the database to schema {LATEST_VERSION}: {'; '.join(done)}"
