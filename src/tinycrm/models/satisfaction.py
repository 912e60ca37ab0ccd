"""Satisfaction scores (CSAT 1-5, NPS 0-10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.vocabulary import LOW_SCORE, Scale


@dataclass(frozen=True, slots=True)
class Score:
    contact_id: int
    scored_on: date
    scale: Scale
    score: int
    source: str | None = None
    comment: str | None = None
    id: int | None = None

    @property
    def is_low(self) -> bool:
        return self.score <= LOW_SCORE[self.scale]
