"""Who changed what (issue 16): the one function every service records its writes with, and
how a recorded change reads.

A service calls `record` inside the transaction of its write, so the change and its history
row are committed together or not at all. Who is the store's identity (`store.actor`, from
services.identity.identify); the front end (cli, tui, digest, mail, portal) is `store.source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from tinycrm import money
from tinycrm.models.history import Actor, Change, HistoryEntry
from tinycrm.store import Store

if TYPE_CHECKING:
    from tinycrm.models.cases import Case
    from tinycrm.models.followups import FollowUp
    from tinycrm.models.notes import Note
    from tinycrm.models.sales import Cost, Sale
    from tinycrm.models.satisfaction import Score

ADDED = "added"
CHANGED = "changed"
FORGOTTEN = "forgotten"
LOGGED = "logged"  # a note with a channel: an interaction
MERGED = "merged"
IMPORT = "import"  # the source of what an import of a contacts file writes


def record(store: Store, changes: Sequence[Change], *, source: str | None = None) -> None:
    """Append `changes` to the history as done now by the store's actor (through `source`, for
    a write that is not the front end's own, such as an import)."""
    if changes:
        user = store.actor
        store.history.add(Actor(user.id if user else None, source or store.source), changes)


def stored_text(value: object) -> str | None:
    """A field's value as the history keeps it: lists joined, empty values as None."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def added(entity: str, entity_id: int | None, contact_id: int | None, what: object) -> Change:
    """A new record (`what` says it in a few words: a note's text, a sale's amount)."""
    return Change(entity, entity_id, contact_id, ADDED, new=stored_text(what))


def note_added(note_id: int, note: Note) -> Change:
    """A note was added, or an interaction (a note with a channel) logged."""
    if note.channel is None:
        return added("note", note_id, note.contact_id, note.body)
    what = f"{note.channel.value}: {note.body}"
    return Change("note", note_id, note.contact_id, LOGGED, new=what)


def follow_up_added(follow_up: FollowUp) -> Change:
    """A follow-up was stored (by a person, a playbook, a case, a low score)."""
    what = f"{follow_up.title} (due {follow_up.due_on.isoformat()})"
    return added("follow-up", follow_up.id, follow_up.contact_id, what)


def sale_added(sale: Sale) -> Change:
    what = money.format_minor(sale.amount_minor, sale.currency)
    if sale.products:
        what += f" ({', '.join(sale.products)})"
    return added("sale", sale.id, sale.contact_id, what)


def cost_added(cost: Cost) -> Change:
    what = f"{cost.kind} {money.format_minor(cost.amount_minor, cost.currency)}"
    return added("cost", cost.id, cost.contact_id, what)


def score_added(score: Score) -> Change:
    what = f"{score.scale.value.upper()} {score.score}"
    return added("score", score.id, score.contact_id, what)


def case_added(case: Case) -> Change:
    what = f"{case.title} ({case.severity.value})"
    return added("case", case.id, case.contact_id, what)


def differences(
    entity: str,
    entity_id: int | None,
    contact_id: int | None,
    before: Sequence[tuple[str, object]],
    after: Sequence[tuple[str, object]],
) -> list[Change]:
    """One CHANGED row per field whose value differs; `before` and `after` list the same
    fields, by the names a person knows them by, in the same order."""
    changes = []
    for (field, old), (_, new) in zip(before, after, strict=True):
        old_text, new_text = stored_text(old), stored_text(new)
        if old_text != new_text:
            change = Change(entity, entity_id, contact_id, CHANGED, field, old_text, new_text)
            changes.append(change)
    return changes


def customer_history(store: Store, contact_id: int) -> list[HistoryEntry]:
    """Everything recorded about one customer, oldest first, with the interactions logged
    before the history was kept (no person, no front end known: their day only)."""
    with store.read():
        entries = store.history.for_contact(contact_id)
        notes = store.notes.query(contact_id)
    recorded = {e.change.entity_id for e in entries if e.change.entity == "note"}
    earlier = [
        HistoryEntry(
            datetime.combine(row.note.on, time()).astimezone(),
            None,
            None,
            note_added(row.note.id or 0, row.note),
        )
        for row in notes
        if row.note.is_interaction and row.note.id not in recorded
    ]
    return sorted([*earlier, *entries], key=lambda e: e.at)


def describe(change: Change) -> str:
    """A recorded change in words: 'stage: lead → customer', 'note added: Called about …'."""
    old, new = change.old or "(empty)", change.new or "(empty)"
    if change.action == CHANGED:
        return f"{change.entity} {change.field}: {old} → {new}"
    if change.field:
        return f"{change.entity} {change.action}: {change.field} {old} → {new}"
    if change.action == FORGOTTEN:
        return "a contact was forgotten"
    text = f"{change.entity} {change.action}"
    if change.new:
        text += f": {change.new}"
    return f"{text} (due {change.old})" if change.old else text


def when(at: datetime, now: datetime | None = None) -> str:
    """'at 10:02' today, 'on 2026-12-04 at 10:02' another day, in this machine's time zone."""
    local = at.astimezone()
    today = (now or datetime.now().astimezone()).date()
    clock = f"at {local:%H:%M}"
    return clock if local.date() == today else f"on {local.date().isoformat()} {clock}"


def last_changed_by(store: Store, entity: str, entity_id: int) -> str:
    """Who last changed a record and when, for a conflict message: 'by Bea at 10:02'
    ('by someone else' when nothing about it is recorded)."""
    last = store.history.last_change(entity, entity_id)
    if last is None:
        return "by someone else"
    return f"by {last.user or 'someone else'} {when(last.at)}"
