"""Satisfaction scores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models.satisfaction import Score


def score_dict(score: Score) -> dict[str, Any]:
    return {
        "id": score.id,
        "contact_id": score.contact_id,
        "date": score.scored_on.isoformat(),
        "scale": score.scale.value,
        "score": score.score,
        "low": score.is_low,
        "source": score.source,
        "comment": score.comment,
    }
