"""Notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models.notes import Note


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
