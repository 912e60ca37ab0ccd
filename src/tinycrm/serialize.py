"""Domain objects as plain JSON-ready dicts with stable keys (for --json and exports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models import Contact, Note
    from tinycrm.services.followups import QueueItem


def contact_dict(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "company": contact.company,
        "emails": list(contact.emails),
        "phones": list(contact.phones),
        "address": contact.address,
        "birthday": contact.birthday.iso() if contact.birthday else None,
        "anniversaries": [{"label": a.label, "date": a.when.iso()} for a in contact.anniversaries],
        "tags": list(contact.tags),
        "relationship_type": contact.relationship_type.value if contact.relationship_type else None,
        "stage": contact.stage.value if contact.stage else None,
        "cadence_days": contact.cadence_days,
        "cadence_override": contact.cadence_override,
        "owner": contact.owner,
        "archived": contact.archived,
        "last_interaction_on": contact.last_touch_on.isoformat() if contact.last_touch_on else None,
    }


def note_dict(note: Note, contact_name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": note.id,
        "contact_id": note.contact_id,
        "date": note.on.isoformat(),
        "channel": note.channel.value if note.channel else None,
        "duration_minutes": note.duration_minutes,
        "text": note.body,
    }
    if contact_name is not None:
        data["contact"] = contact_name
    return data


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
    }
