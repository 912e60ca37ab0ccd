"""A customer's satisfaction trend: a sparkline of their latest scores and how their average
moved (read by the card, the company's card, the TUI's chart and `crm satisfaction history`;
recording scores is services.satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tinycrm.vocabulary import SCALE_RANGE, Scale

if TYPE_CHECKING:
    from tinycrm.models.satisfaction import Score

SPARKS = "▁▂▃▄▅▆▇█"
TREND_PERIOD_DAYS = 90
SPARK_SCORES = 12


@dataclass(frozen=True)
class Trend:
    scale: Scale
    sparkline: str  # the last scores on the latest scale, oldest first
    latest: int
    current_avg: float | None  # average over the last period
    previous_avg: float | None  # average over the period before
    change: float | None  # current - previous (periods), or latest - previous score

    def describe(self) -> str:
        name = self.scale.value.upper()
        text = f"{name} {self.sparkline}  latest {self.latest}"
        if self.current_avg is not None and self.previous_avg is not None:
            text += (
                f", last {TREND_PERIOD_DAYS} days avg {self.current_avg:.1f}"
                f" ({_signed(self.change)} vs {self.previous_avg:.1f} the {TREND_PERIOD_DAYS}"
                " days before)"
            )
        elif self.change is not None:
            text += f" ({_signed(self.change)} vs the previous score)"
        return text


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "no change"
    return f"{'up' if value > 0 else 'down'} {abs(value):.1f}"


def trend(scores: list[Score], as_of: date) -> Trend | None:
    """The trend on the latest score's scale: a sparkline of the last scores, and the change
    of the average over the last 90 days against the 90 days before (or, lacking either
    period, of the latest score against the one before)."""
    if not scores:
        return None
    on_scale = scores[-1].scale
    same = [s for s in scores if s.scale == on_scale]
    low, high = SCALE_RANGE[on_scale]
    recent = same[-SPARK_SCORES:]
    spark = "".join(
        SPARKS[round((s.score - low) / (high - low) * (len(SPARKS) - 1))] for s in recent
    )
    start = as_of - timedelta(days=TREND_PERIOD_DAYS)
    before = start - timedelta(days=TREND_PERIOD_DAYS)
    current = [s.score for s in same if start < s.scored_on <= as_of]
    previous = [s.score for s in same if before < s.scored_on <= start]
    cur_avg = sum(current) / len(current) if current else None
    prev_avg = sum(previous) / len(previous) if previous else None
    if cur_avg is not None and prev_avg is not None:
        change: float | None = cur_avg - prev_avg
    elif len(same) >= 2:
        change = float(same[-1].score - same[-2].score)
    else:
        change = None
    return Trend(on_scale, spark, same[-1].score, cur_avg, prev_avg, change)
