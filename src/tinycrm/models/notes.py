"""Notes: what was said or done with a contact; with a channel, an interaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.vocabulary import Channel


@dataclass(frozen=True, slots=True)
class Note:
    contact_id: int
    body: str
    on: date
    channel: Channel | None = None
    duration_minutes: int | None = None
    id: int | None = None

    @property
    def is_interaction(self) -> bool:
        return self.channel is not None
