"""Follow-ups: queue rows (stored or derived) and stored follow-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models.followups import FollowUp
    from tinycrm.services.followups import QueueItem


def queue_item_dict(item: QueueItem) -> dict[str, Any]:
    """A follow-up queue row (stored or derived) for --json, digests and exports."""
    if item.days_late > 0:
        when = "overdue"
    elif item.days_late == 0:
        when = "today"
    else:
        when = "upcoming"
    return {
        "handle": item.handle,
        "contact_id": item.contact_id,
        "contact": item.contact_name,
        "kind": item.kind.value,
        "title": item.title,
        "due": item.due_on.isoformat(),
        "days_late": item.days_late,
        "when": when,
        "urgency": item.urgency,
        "recurring": item.recurring,
        "detail": item.detail,
        "snoozed": item.snoozed,
        "status": item.status,
        "follow_up_id": item.follow_up_id,
        "version": item.version,  # stored follow-ups; None for derived rows
        "owner_id": item.owner_id,  # its assignee, else the contact's owner; None: nobody's
        "owner": item.owner,
    }


def follow_up_brief(item: FollowUp) -> dict[str, Any]:
    return {
        "id": item.id,
        "contact_id": item.contact_id,
        "kind": item.kind.value,
        "title": item.title,
        "due": item.due_on.isoformat(),
        "source": item.source,
    }
