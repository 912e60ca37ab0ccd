"""A customer's satisfaction history as a small plot: score (scale marked) against time.

    Satisfaction · CSAT 1–5, 6 scores
     5 ┤      ●   ●
     4 ┤  ●             ●
     3 ┤●
     2 ┤    ●                      low: 2 and under (red)
     1 ┤
       └──────────────────
        2026-01-10   2026-11-20
    latest 4 · last 90 days avg 4.0 (3.5 the 90 days before)

The plot shows the scores on the latest score's scale (CSAT 1–5 or NPS 0–10, NPS in steps of
two rows), oldest left, one column pair per score, the last ones that fit. Low scores (those
that ask for recovery) are drawn red and as ▼, so they read without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from tinycrm.models.satisfaction import Score
from tinycrm.services.trend import TREND_PERIOD_DAYS, trend
from tinycrm.vocabulary import LOW_SCORE, SCALE_RANGE, Scale
from tinycrm.wording import plural

NPS_STEP = 2  # NPS 0–10 in six rows: 10, 8, 6, 4, 2, 0


def satisfaction_chart(scores: Sequence[Score], as_of: date, width: int = 60) -> Text:
    """`scores` oldest first (as `services.satisfaction.history` gives them)."""
    found = trend(list(scores), as_of)
    if found is None:
        return Text("no scores yet (*: record one)", style="dim")
    on_scale = found.scale
    low, high = SCALE_RANGE[on_scale]
    step = NPS_STEP if on_scale == Scale.NPS else 1
    same = [s for s in scores if s.scale == on_scale]
    fits = max(1, (width - 6) // 2)
    shown = same[-fits:]
    levels = list(range(high, low - 1, -step))

    text = Text()
    name = on_scale.value.upper()
    text.append(f"{name} {low}–{high}", style="bold")
    text.append(f", {plural(len(same), 'score')}", style="dim")
    if len(shown) < len(same):
        text.append(f" (last {len(shown)} shown)", style="dim")
    others = len(scores) - len(same)
    if others:
        text.append(f"; {others} on the other scale not plotted", style="dim")
    text.append("\n")
    for level in levels:
        text.append(f"{level:>3} ┤", style="dim")
        for score in shown:
            row = levels[min(range(len(levels)), key=lambda i: abs(levels[i] - score.score))]
            if row != level:
                text.append("  ")
            elif score.is_low:
                text.append("▼ ", style="bold red")
            else:
                text.append("● ", style="bold green")
        if level == LOW_SCORE[on_scale] - (LOW_SCORE[on_scale] - low) % step:
            text.append(f"  low: {LOW_SCORE[on_scale]} and under", style="dim")
        text.append("\n")
    text.append("    └" + "─" * (2 * len(shown)), style="dim")
    text.append("\n")
    first, last = shown[0].scored_on.isoformat(), shown[-1].scored_on.isoformat()
    axis = first if first == last else first + " " * max(2, 2 * len(shown) - 19) + last
    text.append("     " + axis, style="dim")
    text.append("\n")
    text.append(f"latest {found.latest}")
    if found.current_avg is not None:
        text.append(f" · last {TREND_PERIOD_DAYS} days avg {found.current_avg:.1f}")
        if found.previous_avg is not None:
            text.append(f" ({found.previous_avg:.1f} the {TREND_PERIOD_DAYS} days before)")
    elif found.change is not None:
        text.append(f" · {found.change:+g} vs the score before")
    return text
