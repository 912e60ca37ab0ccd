"""A person leaving their company (`crm contacts edit REF --left-company`): the link goes, the
history stays with the company, and a follow-up asks to find the new contact there. Apart
from services.companies, so editing contacts does not load the companies' cards and reports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from tinycrm.errors import UsageError
from tinycrm.models.followups import FollowUp
from tinycrm.models.history import Change
from tinycrm.services import history
from tinycrm.services.conflicts import check_loaded
from tinycrm.services.contacts import ContactFields, edit_contact, resolve_ref
from tinycrm.store import Store
from tinycrm.vocabulary import FollowUpKind

if TYPE_CHECKING:
    from tinycrm.models.companies import Company
    from tinycrm.models.contacts import Contact

# What created a "find the new contact" follow-up: `left:<company id>`.
LEFT_SOURCE = "left:"


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
        left = Change("contact", contact.id, contact.id, history.CHANGED, "company", company.name)
        item = FollowUp(
            contact_id=contact.id,
            title=f"Find the new contact at {company.name} ({contact.name} left)",
            kind=FollowUpKind.CUSTOM,
            due_on=today,
            source=f"{LEFT_SOURCE}{company.id}",
        )
        item = replace(item, id=store.follow_ups.insert(item))
        history.record(store, [left, history.follow_up_added(item)])
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
    news: bool | None = None,
) -> tuple[Departure, Contact]:
    """`contacts edit REF --left-company [other changes]`: the departure, then the changes
    (e.g. the --company they moved to), in one transaction; with `if_version`, only if the
    contact is still at that version."""
    with store.write():
        current = resolve_ref(store, ref)
        check_loaded(
            store, ("contact", current.id or 0), f"{current.name} (id {current.id})",
            if_version, current.version,
        )  # fmt: skip
        departure = leave_company(store, ref, today)
        contact = edit_contact(
            store,
            str(departure.follow_up.contact_id),
            fields,
            today,
            surveys=surveys,
            news=news,
        )
    return departure, contact
