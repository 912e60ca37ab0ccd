"""Satisfaction scores."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tinycrm.serialize.followups import follow_up_brief
from tinycrm.services.trend import TREND_PERIOD_DAYS

if TYPE_CHECKING:
    from tinycrm.models.satisfaction import Score
    from tinycrm.services.satisfaction import History, ScoreResult


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


def score_result_dict(result: ScoreResult) -> dict[str, Any]:
    return {
        **score_dict(result.score),
        "recovery": follow_up_brief(result.recovery) if result.recovery else None,
    }


def history_dict(found: History, day: date) -> dict[str, Any]:
    trend = found.trend
    return {
        "contact_id": found.contact.id,
        "contact": found.contact.name,
        "as_of": day.isoformat(),
        "scores": [score_dict(s) for s in found.scores],
        "trend": None
        if trend is None
        else {
            "scale": trend.scale.value,
            "sparkline": trend.sparkline,
            "latest": trend.latest,
            "period_days": TREND_PERIOD_DAYS,
            "current_average": trend.current_avg,
            "previous_average": trend.previous_avg,
            "change": trend.change,
        },
    }
