"""The history of a customer: who changed what, when, through which front end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models.history import HistoryEntry


def history_dict(entry: HistoryEntry, text: str) -> dict[str, Any]:
    """One entry with `text`, the change in words (services.history.describe)."""
    change = entry.change
    return {
        "at": entry.at.isoformat(),
        "user": entry.user,
        "source": entry.source,
        "entity": change.entity,
        "entity_id": change.entity_id,
        "action": change.action,
        "field": change.field,
        "old": change.old,
        "new": change.new,
        "text": text,
    }
