"""Cases: complaints and problems, with a response-time target set by their severity."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from tinycrm import validation
from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.models.cases import Case
from tinycrm.models.followups import FollowUp
from tinycrm.services import history
from tinycrm.services.conflicts import check_loaded, now_reads
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.cases import CaseRow
from tinycrm.vocabulary import RESPONSE_DAYS, FollowUpKind, Severity


def _text(value: str, what: str, limit: int = 500) -> str:
    text = " ".join(value.split())
    if not text:
        raise UsageError(f"{what} cannot be empty")
    if len(text) > limit:
        raise UsageError(f"{what} can be at most {limit} characters")
    return text


def open_case(
    store: Store,
    ref: str,
    title: str,
    *,
    severity: str = "normal",
    today: date,
    on: date | None = None,
) -> Case:
    """Open a case on `on` (default today, never later); its target is that day + 1 (high),
    3 (normal) or 7 (low) days, and a case follow-up due on the target puts it in the
    follow-up queue."""
    opened = validation.happened_on(on or today, today, "the case's opening date")
    level = validation.choice(Severity, severity, "severity")
    text = _text(title, "a case title")
    with store.write():
        contact = resolve_ref(store, ref)
        assert contact.id is not None
        target = opened + timedelta(days=RESPONSE_DAYS[level])
        case = Case(contact.id, text, level, opened, target)
        case = get_case(store, store.cases.insert(case))
        follow_up = FollowUp(
            contact_id=contact.id,
            title=f"Case #{case.id} ({level.value}): {text}",
            kind=FollowUpKind.CASE,
            due_on=target,
            source=f"case:{case.id}",
        )
        follow_up = replace(follow_up, id=store.follow_ups.insert(follow_up))
        history.record(store, [history.case_added(case), history.follow_up_added(follow_up)])
    return case


def get_case(store: Store, case_id: str | int) -> Case:
    text = str(case_id).strip().lstrip("#")
    number = validation.row_id(text)
    if number is None:
        if text.isascii() and text.isdigit():
            raise NotFound(f"no case with id {text}")
        raise UsageError(f"a case id is a number, not {case_id!r}")
    case = store.cases.get(number)
    if case is None:
        raise NotFound(f"no case with id {text}")
    return case


def _event_day(case: Case, on: date, today: date, what: str) -> date:
    validation.happened_on(on, today, f"the {what} date")
    if on < case.opened_on:
        raise UsageError(f"case {case.id} was opened on {case.opened_on}, after {on}")
    return on


def escalate(
    store: Store,
    case_id: str,
    to: str,
    today: date,
    *,
    on: date | None = None,
    loaded: Case | None = None,
    if_version: int | None = None,
) -> Case:
    """Escalate an open case on `on` (default today, never later). A form passes the case as
    it showed it (`loaded`), a script the `if_version` it read: a case someone changed since
    is a conflict (Stale)."""
    name = _text(to, "whom the case is escalated to", 200)
    with store.write():
        case = get_case(store, case_id)
        if not case.is_open:
            raise Conflict(f"case {case.id} was resolved on {case.resolved_on}; nothing changed")
        _check_loaded(store, case, loaded, if_version)
        day = _event_day(case, on or today, today, "escalation")
        store.cases.escalate(case, name, day)
        _record_case_changes(store, case)
    return get_case(store, case.id or 0)


def resolve(
    store: Store,
    case_id: str,
    how: str,
    today: date,
    *,
    on: date | None = None,
    loaded: Case | None = None,
    if_version: int | None = None,
    internal: bool = False,
    mail_reply: bool = False,
) -> Case:
    """Resolve a case on `on` (default today, never later), recording how; its open case
    follow-up is closed with it. `loaded` and `if_version` as for `escalate`.

    The resolution is the shop's reply, shown on the customer's portal page, unless
    `internal` (for staff only). With `mail_reply` (the shop e-mails replies) a reply to a
    customer with an e-mail address is left pending for `send_replies` to e-mail after the
    commit, so that a failed e-mail neither undoes the resolution nor is forgotten."""
    text = _text(how, "a resolution note", 2000)
    with store.write():
        case = get_case(store, case_id)
        if not case.is_open:
            raise Conflict(f"case {case.id} is already resolved (on {case.resolved_on})")
        _check_loaded(store, case, loaded, if_version)
        day = _event_day(case, on or today, today, "resolution")
        contact = store.contacts.get(case.contact_id)
        mail = mail_reply and not internal and contact is not None and bool(contact.emails)
        store.cases.resolve(case, day, text, internal=internal, mail=mail)
        store.cases.close_follow_ups(f"case:{case.id}", day)
        _record_case_changes(store, case)
    return get_case(store, case.id or 0)


def _case_fields(case: Case) -> list[tuple[str, object]]:
    return [
        ("escalated to", case.escalated_to),
        ("escalated on", case.escalated_on),
        ("resolved on", case.resolved_on),
        ("resolution", case.resolution),
    ]


def _record_case_changes(store: Store, before: Case) -> None:
    after = get_case(store, before.id or 0)
    changes = history.differences(
        "case", before.id, before.contact_id, _case_fields(before), _case_fields(after)
    )
    history.record(store, changes)


def _check_loaded(store: Store, case: Case, loaded: Case | None, if_version: int | None) -> None:
    record = ("case", case.id or 0)
    check_loaded(store, record, f"case {case.id}", if_version, case.version)
    if loaded is None or loaded.id != case.id:
        return
    changes = []
    if (loaded.escalated_to, loaded.escalated_on) != (case.escalated_to, case.escalated_on):
        changes.append(now_reads("escalated to", f"{case.escalated_to} on {case.escalated_on}"))
    check_loaded(store, record, f"case {case.id}", loaded.version, case.version, changes)


def list_cases(store: Store, ref: str | None = None, open_only: bool = False) -> list[CaseRow]:
    contact_id = resolve_ref(store, ref).id if ref else None
    return store.cases.query(contact_id, open_only=open_only)


@dataclass(frozen=True)
class PendingReply:
    """A resolution still to be e-mailed to its customer, at their first address."""

    case: Case
    name: str
    address: str | None  # None: they have no e-mail address (any more)


def pending_replies(store: Store, case_id: int | None = None) -> list[PendingReply]:
    """The replies still to be e-mailed (all, or that case's), oldest case first."""
    pending = []
    for case in store.cases.pending_replies(case_id):
        contact = store.contacts.get(case.contact_id)
        name = contact.name if contact else ""
        address = contact.emails[0] if contact and contact.emails else None
        pending.append(PendingReply(case, name, address))
    return pending


def reply_sent(store: Store, case_id: int, address: str, at: datetime) -> None:
    store.cases.set_reply_mail(case_id, "sent", f"to {address} at {at.isoformat('T', 'seconds')}")


def reply_not_sent(store: Store, case_id: int, why: str) -> None:
    """The e-mail failed: it stays pending (`crm cases send-replies` tries again)."""
    store.cases.set_reply_mail(case_id, "pending", why)
