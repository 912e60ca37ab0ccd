"""What a signed-in customer may do on the portal: change their details, ask for an order or a
service, complain, opt out of surveys or of news and offers (pass-on), take their data. Each
takes the signed-in contact's id and touches only that contact's rows; staff hear of it
through a follow-up due today.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from tinycrm import validation
from tinycrm.errors import NotFound, UsageError
from tinycrm.models.cases import Case
from tinycrm.models.contacts import Contact
from tinycrm.models.followups import FollowUp
from tinycrm.models.mail import SurveyRequest
from tinycrm.models.portal import LinkPurpose
from tinycrm.models.sales import Sale
from tinycrm.services import cases, exporting, passon, surveys
from tinycrm.services.contacts import (
    ContactFields,
    apply_fields,
    contact_changes,
    edit_contact,
    get_contact,
)
from tinycrm.services.portal import (
    LINK_LIFETIME,
    SECRET_BYTES,
    LinkRefused,
    check_link,
    hashed,
)
from tinycrm.store import Store
from tinycrm.vocabulary import FollowUpKind, Severity

# Follow-ups the portal creates carry one of these sources (the customer's own requests show
# as pending on their page until staff mark them done).
REQUEST = "portal:request"
DETAILS = "portal:details"
REVIEW = "portal:review"
MAX_TEXT = 500
MAX_LINES = 10  # e-mail addresses or phone numbers in the details form


@dataclass(frozen=True)
class Asked:
    """Something the customer asked for on the portal, as they see it."""

    text: str
    asked_on: date
    done: bool


def _one_line(text: str, what: str) -> str:
    line = " ".join(text.split())
    if len(line) > MAX_TEXT:
        raise UsageError(f"{what} can be at most {MAX_TEXT} characters")
    return line


def _notify(store: Store, contact_id: int, title: str, source: str, today: date) -> FollowUp:
    item = FollowUp(contact_id, title[:MAX_TEXT], FollowUpKind.CUSTOM, today, source=source)
    return replace(item, id=store.follow_ups.insert(item))


def products_bought(store: Store, contact_id: int) -> list[str]:
    """The products of the contact's purchases, most recent first, each once."""
    return _products([row.sale for row in store.sales.query(contact_id=contact_id)])


def _products(purchases: list[Sale]) -> list[str]:
    seen: dict[str, None] = {}
    for sale in purchases:
        seen.update(dict.fromkeys(sale.products))
    return list(seen)


def request(store: Store, contact_id: int, product: str, text: str, today: date) -> FollowUp:
    """Order a past product again, or ask for a service: a follow-up due today for staff."""
    wanted = product.strip()
    words = _one_line(text, "a request")
    if not wanted and not words:
        raise UsageError("choose a product or describe what you need")
    with store.write():
        if wanted and wanted not in products_bought(store, contact_id):
            raise NotFound(f"no purchase of {wanted!r} to order again")
        asked = "; ".join(
            part for part in (f"order again: {wanted}" if wanted else "", words) if part
        )
        return _notify(store, contact_id, f"Portal request: {asked}", REQUEST, today)


def asked(store: Store, contact_id: int) -> list[Asked]:
    """The customer's requests and changes waiting for staff (and those done), newest first."""
    prefixes = {REQUEST: "Portal request: ", REVIEW: "Review details changed by the customer: "}
    items = [
        Asked(item.title.removeprefix(prefixes[item.source]), item.due_on, item.status != "open")
        for item in store.follow_ups.for_contact(contact_id, open_only=False)
        if item.source in prefixes
    ]
    return sorted(items, key=lambda a: a.asked_on, reverse=True)


def complain(store: Store, contact_id: int, text: str, today: date, severity: Severity) -> Case:
    """Open a case for the customer; its severity is the shop's (`[portal] complaint_severity`)
    and sets the response target, as for a case opened by staff."""
    return cases.open_case(
        store, str(contact_id), _one_line(text, "a complaint"), severity=severity.value, today=today
    )


def set_surveys(store: Store, contact_id: int, wanted: bool, today: date) -> None:
    surveys.set_opt_out(store, contact_id, today, opted_out=not wanted, how="portal")


def wants_surveys(store: Store, contact_id: int) -> bool:
    return store.survey_opt_outs.opted_out(contact_id) is None


def set_news(store: Store, contact_id: int, wanted: bool, today: date) -> None:
    """Pass-on (news, offers) for the customer again, or no more of it."""
    passon.set_opt_out(store, contact_id, today, opted_out=not wanted, how="portal")


def their_data(store: Store, contact_id: int) -> dict[str, Any]:
    """Everything the shop holds about them: `crm contacts export ID --format json`."""
    return exporting.export_json(store, str(contact_id))


@dataclass(frozen=True)
class DetailsForm:
    """The details form as typed: one e-mail address or phone number a line."""

    emails: str
    phones: str
    address: str
    birthday: str


@dataclass(frozen=True)
class Confirmation:
    """A link to e-mail to a new address: the address is added once it is opened there."""

    address: str
    token: str


@dataclass(frozen=True)
class DetailsChanged:
    changes: list[str]  # as `contact_changes` words them; empty: only addresses to confirm
    held: bool  # waiting for staff review rather than applied
    confirmations: list[Confirmation]


def _lines(text: str, what: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise UsageError(f"at most {MAX_LINES} {what}")
    return lines


def change_details(
    store: Store,
    contact_id: int,
    form: DetailsForm,
    now: datetime,
    *,
    review: bool,
    day_first: bool = True,
) -> DetailsChanged:
    """Apply the customer's changes with a follow-up for staff, or (`review`) only the
    follow-up, for staff to apply. A new e-mail address is added only once confirmed from
    that address (its link is returned to be sent); the CLI's checks and messages apply."""
    today = now.astimezone().date()
    fields = ContactFields(
        emails=_lines(form.emails, "e-mail addresses"),
        phones=_lines(form.phones, "phone numbers"),
        address=form.address.strip()[:MAX_TEXT],
        birthday=form.birthday,
        day_first=day_first,
    )
    with store.write():
        current = get_contact(store, contact_id)
        wanted = apply_fields(current, fields)
        known = {e.lower() for e in current.emails}
        new = [e for e in wanted.emails if e.lower() not in known]
        kept = [e for e in wanted.emails if e.lower() in known]
        if not kept and not new:
            raise UsageError("keep at least one e-mail address: it is how you sign in")
        applied = replace(fields, emails=kept if kept else [e for e in current.emails])
        changes = contact_changes(current, apply_fields(current, applied))
        if not changes and not new:
            raise UsageError("nothing was changed")
        if changes:
            if review:
                _notify(store, contact_id, _review_title(changes), REVIEW, today)
            else:
                edit_contact(store, str(contact_id), applied, today, loaded=current)
                _notify(
                    store,
                    contact_id,
                    "Details changed by the customer: " + ", ".join(changes),
                    DETAILS,
                    today,
                )
        confirmations = [_confirmation(store, contact_id, address, now) for address in new]
    return DetailsChanged(changes, review and bool(changes), confirmations)


def _review_title(changes: list[str]) -> str:
    return "Review details changed by the customer: " + ", ".join(changes)


def _confirmation(store: Store, contact_id: int, address: str, now: datetime) -> Confirmation:
    token = secrets.token_urlsafe(SECRET_BYTES)
    store.portal.add_link(
        contact_id, LinkPurpose.CONFIRM_EMAIL, address, hashed(token), now, now + LINK_LIFETIME
    )
    return Confirmation(address, token)


def confirm_email(store: Store, token: str, now: datetime, *, review: bool) -> str:
    """Use up a confirmation link: its address is added to the contact (or, under review,
    a follow-up asks staff to add it). The address."""
    today = now.astimezone().date()
    with store.write():
        contact_id = check_link(store, token, now, LinkPurpose.CONFIRM_EMAIL)
        link = store.portal.link(hashed(token))
        assert link is not None
        if not store.portal.use_link(link.id, now):
            raise LinkRefused("used")
        contact = get_contact(store, contact_id)
        if link.address.lower() in {e.lower() for e in contact.emails}:
            return link.address
        change = f"emails (add {link.address}, confirmed from that address)"
        if review:
            _notify(store, contact_id, _review_title([change]), REVIEW, today)
        else:
            emails = [*contact.emails, validation.email(link.address)]
            edit_contact(store, str(contact_id), ContactFields(emails=emails), today)
            _notify(store, contact_id, f"Details changed by the customer: {change}", DETAILS, today)
    return link.address


@dataclass(frozen=True)
class CustomerPage:
    """What a signed-in customer sees of themselves."""

    contact: Contact
    purchases: list[Sale]
    cases: list[Case]
    surveys: list[SurveyRequest]  # sent, not answered, not expired
    wants_surveys: bool
    wants_news: bool  # pass-on: news and offers
    asked: list[Asked]  # requests and changes for staff, newest first
    products: list[str]  # what they can order again


def customer_page(store: Store, contact_id: int, today: date) -> CustomerPage:
    with store.read():
        contact = store.contacts.get(contact_id)
        if contact is None:
            raise NotFound(f"no contact with id {contact_id}")
        purchases = [row.sale for row in store.sales.query(contact_id=contact_id)]
        their_cases = [row.case for row in store.cases.query(contact_id=contact_id)]
        pending = [
            request
            for request in store.surveys.for_contact(contact_id)
            if request.answered_on is None and request.expires_on >= today
        ]
        wants = store.survey_opt_outs.opted_out(contact_id) is None
        news = store.pass_on_opt_outs.opted_out(contact_id) is None
        requests = asked(store, contact_id)
    products = _products(purchases)
    return CustomerPage(contact, purchases, their_cases, pending, wants, news, requests, products)
