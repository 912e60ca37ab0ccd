"""Adding and listing stored follow-ups."""

from __future__ import annotations

from datetime import date

from tinycrm import recurrence, validation
from tinycrm.errors import UsageError
from tinycrm.models.followups import FollowUp
from tinycrm.services import history, identity
from tinycrm.services.contacts import resolve_ref
from tinycrm.services.followups.items import QueueItem, stored_item
from tinycrm.store import Store
from tinycrm.vocabulary import FollowUpKind

# ---------------------------------------------------------------------------------------------
# Adding and listing stored follow-ups


def add_follow_up(
    store: Store,
    ref: str,
    title: str,
    due: date,
    today: date,
    *,
    kind: str | None = None,
    every: str | None = None,
    source: str | None = None,
    assignee: str | None = None,
) -> FollowUp:
    """Store a follow-up; with `every` it recurs from `due` (its anchor); `assignee` names
    the user it is for (default: whoever owns the contact)."""
    text = " ".join(title.split())
    if not text:
        raise UsageError("a follow-up needs a title")
    if len(text) > 500:
        raise UsageError("a follow-up title can be at most 500 characters")
    chosen = validation.choice(FollowUpKind, kind, "follow-up kind") if kind else None
    rule = recurrence.parse_rule(every) if every is not None else None
    first = due
    if rule is not None:
        found = recurrence.first_on_or_after(rule, due, due)
        if found is None:
            raise UsageError(f"the recurrence {every!r} has no occurrence on or after {due}")
        first = found
    with store.write():
        contact = resolve_ref(store, ref)
        chosen_user = (
            identity.active_user(store, assignee, "assigned a follow-up") if assignee else None
        )
        follow_up = FollowUp(
            contact_id=contact.id or 0,
            title=text,
            kind=chosen or FollowUpKind.CUSTOM,
            due_on=first,
            rule=rule,
            anchor_on=due if rule else None,
            source=source,
            assignee_id=chosen_user.id if chosen_user else None,
        )
        stored = store.follow_ups.get(store.follow_ups.insert(follow_up))
        assert stored is not None
        history.record(store, [history.follow_up_added(stored)])
    return stored


def list_follow_ups(
    store: Store,
    ref: str | None = None,
    today: date | None = None,
    *,
    status: str | None = "open",
    limit: int | None = None,
) -> list[QueueItem]:
    """Stored follow-ups (manual, recurring, after-sale…), soonest first; `status` None = all."""
    if status is not None and status not in ("open", "done", "skipped"):
        raise UsageError(f"unknown status {status!r} (open, done, skipped or all)")
    on = today or date.today()
    contact_id = resolve_ref(store, ref).id if ref else None
    rows = store.follow_ups.query(contact_id, status, limit)
    return [stored_item(r.follow_up, r.contact_name, on, r.relationship_type, r.open_case)
            for r in rows]  # fmt: skip
