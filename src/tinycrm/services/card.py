"""Everything one contact's card shows: `contacts show` and the TUI's customer screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tinycrm.config import Settings
from tinycrm.models.contacts import Contact, StageChange
from tinycrm.models.mail import SurveyRequest
from tinycrm.models.satisfaction import Score
from tinycrm.services.contacts import resolve_ref
from tinycrm.services.followups import QueueItem, follow_ups_for_contact
from tinycrm.services.identity import has_users
from tinycrm.store import Store
from tinycrm.store.cases import CaseRow
from tinycrm.store.mail import HeldRow
from tinycrm.store.notes import NoteRow
from tinycrm.store.sales import SaleRow


@dataclass(frozen=True)
class ContactDetails:
    """Everything `contacts show` and the TUI's customer screen display."""

    contact: Contact
    notes: list[NoteRow]
    note_count: int
    stages: list[StageChange]
    sales: list[SaleRow] = field(default_factory=list)  # newest first
    scores: list[Score] = field(default_factory=list)  # oldest first
    cases: list[CaseRow] = field(default_factory=list)  # open first
    # Open stored follow-ups and derived rows (birthday, check-in…) due in the next 30 days.
    follow_ups: list[QueueItem] = field(default_factory=list)
    surveys: list[SurveyRequest] = field(default_factory=list)  # e-mailed, oldest first
    held_mail: list[HeldRow] = field(default_factory=list)  # e-mails held for review
    no_surveys_since: date | None = None  # the contact asked for no surveys
    no_news_since: date | None = None  # the contact asked for no pass-on (news, offers)
    referred: list[tuple[int, str]] = field(default_factory=list)  # (id, name) they referred
    has_users: bool = False  # a CRM with users, where a customer without an owner is unowned

    @property
    def owner(self) -> str | None:
        """Who owns the customer as the card says it: a name, "unowned", or nothing (no users)."""
        return self.contact.owner or ("unowned" if self.has_users else None)


def contact_details(
    store: Store,
    ref: str,
    note_limit: int = 20,
    today: date | None = None,
    settings: Settings | None = None,
) -> ContactDetails:
    contact = resolve_ref(store, ref)
    assert contact.id is not None
    notes, note_count = store.notes.latest(contact.id, note_limit)
    cases = store.cases.query(contact.id)
    return ContactDetails(
        contact=contact,
        notes=notes,
        note_count=note_count,
        stages=store.contacts.stage_history(contact.id),
        sales=store.sales.query(contact.id, limit=note_limit or None),
        scores=store.scores.for_contact(contact.id),
        cases=cases,
        follow_ups=follow_ups_for_contact(
            store,
            contact,
            today or date.today(),
            open_case=any(row.case.is_open for row in cases),
            settings=settings,
        ),
        surveys=store.surveys.for_contact(contact.id),
        held_mail=store.mail.held(contact.id),
        no_surveys_since=store.survey_opt_outs.opted_out(contact.id),
        no_news_since=store.pass_on_opt_outs.opted_out(contact.id),
        referred=store.referrals.referred(contact.id),
        has_users=has_users(store),
    )


def asked_for(details: ContactDetails) -> list[str]:
    """What the contact asked not to be sent, as the card says it: "no surveys on DAY"."""
    asked = [("surveys", details.no_surveys_since), ("news", details.no_news_since)]
    return [f"no {what} on {since.isoformat()}" for what, since in asked if since is not None]
