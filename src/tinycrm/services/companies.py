"""Companies as accounts: adding, finding, changing and archiving them, people joining and
leaving, and the report of the free-text names the schema upgrade turned into companies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tinycrm.errors import UsageError
from tinycrm.models import Company, Contact, FollowUp, MergedSpelling
from tinycrm.services.conflicts import check_loaded
from tinycrm.services.contacts import ContactFields, edit_contact, resolve_ref
from tinycrm.store import Store
from tinycrm.store.companies import CompanyFilter, CompanyRow
from tinycrm.vocabulary import FollowUpKind

# What created a "find the new contact" follow-up: `left:<company id>`.
LEFT_SOURCE = "left:"


def list_companies(store: Store, *, archived: bool = False) -> list[CompanyRow]:
    """Companies by name, with their people counted and their owner in force."""
    return store.companies.rows(CompanyFilter(archived=archived))


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
            f"{self.spellings} company name{'s' * (self.spellings != 1)} became"
            f" {len(self.companies)} compan{'ies' if len(self.companies) != 1 else 'y'}"
            f" ({merged} spelling{'s' * (merged != 1)} merged by case and spaces)"
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
class Departure:
    contact_name: str
    company: Company
    sales: int
    follow_up: FollowUp


def leave_company(store: Store, ref: str, today: date) -> Departure:
    """The contact leaves their company: the link goes, a departure keeps the history (their
    sales stay with the company) and a follow-up asks to find the new contact there."""
    with store.write():
        contact = resolve_ref(store, ref)
        if contact.company_id is None:
            raise UsageError(f"{contact.name} is not at a company")
        company = store.companies.get(contact.company_id)
        assert company is not None and contact.id is not None
        store.companies.record_departure(contact.id, contact.company_id, contact.role, today)
        item = FollowUp(
            contact_id=contact.id,
            title=f"Find the new contact at {company.name} ({contact.name} left)",
            kind=FollowUpKind.CUSTOM,
            due_on=today,
            source=f"{LEFT_SOURCE}{company.id}",
        )
        item = replace(item, id=store.follow_ups.insert(item))
        sales = store.companies.sales_count(company.id or 0, contact.id)
    return Departure(contact.name, company, sales, item)


def leave_and_edit(
    store: Store,
    ref: str,
    fields: ContactFields,
    today: date,
    *,
    if_version: int | None = None,
    surveys: bool | None = None,
) -> tuple[Departure, Contact]:
    """`contacts edit REF --left-company [other changes]`: the departure, then the changes
    (e.g. the --company they moved to), in one transaction; with `if_version`, only if the
    contact is still at that version."""
    with store.write():
        current = resolve_ref(store, ref)
        check_loaded(f"{current.name} (id {current.id})", if_version, current.version, [])
        departure = leave_company(store, ref, today)
        contact = edit_contact(
            store, str(departure.follow_up.contact_id), fields, today, surveys=surveys
        )
    return departure, contact
