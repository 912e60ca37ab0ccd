"""Lifecycle: each customer's stage, and changes suggested by their activity."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import date

from tinycrm.models.reports import LifecycleRow, Page
from tinycrm.purchases import REPEAT_PURCHASE_DAYS, purchase_interval
from tinycrm.store import Store
from tinycrm.vocabulary import Stage
from tinycrm.wording import TOTAL_LIMIT

EARLY = (None, Stage.EXPLORATION.value, Stage.AWARENESS.value)


@dataclass(frozen=True)
class LifecycleItem:
    row: LifecycleRow
    last_activity: date | None  # latest interaction or purchase
    suggested: Stage | None
    reason: str | None


def suggest_stage(row: LifecycleRow, as_of: date) -> tuple[Stage | None, str | None]:
    """The rules, in order:
    1. no interaction or purchase for twice the cadence (keep-in-touch cadence, else the median
       purchase interval) → dissolution;
    2. in dissolution but active since the stage was set → expansion (won back);
    3. no stage, exploration or awareness, with a purchase → expansion;
    4. expansion with 3 or more purchase days → commitment."""
    activity = _last_activity(row)
    cadence = row.cadence_days or (
        purchase_interval(row.median_gap)
        if row.median_gap and row.purchases >= REPEAT_PURCHASE_DAYS
        else None
    )
    stage = row.stage
    if stage != Stage.DISSOLUTION.value and cadence and activity:
        silent = (as_of - activity).days
        if silent > 2 * cadence:
            return Stage.DISSOLUTION, (
                f"no interaction or purchase for {silent} days (twice the cadence is {2 * cadence})"
            )
    if (
        stage == Stage.DISSOLUTION.value
        and activity
        and row.stage_since
        and activity > row.stage_since
    ):
        return Stage.EXPANSION, f"active again on {activity} after dissolution"
    if stage in EARLY and row.purchases >= 1 and row.last_sale_on:
        return Stage.EXPANSION, f"{row.purchases} purchase day(s), last on {row.last_sale_on}"
    if stage == Stage.EXPANSION.value and row.purchases >= REPEAT_PURCHASE_DAYS:
        return Stage.COMMITMENT, f"a repeat customer: {row.purchases} purchase days"
    return None, None


def _last_activity(row: LifecycleRow) -> date | None:
    candidates = [d for d in (row.last_touch_on, row.last_sale_on) if d is not None]
    return max(candidates) if candidates else None


def lifecycle_report(
    store: Store, as_of: date, changes_only: bool = False, limit: int | None = None
) -> Page[LifecycleItem]:
    """Active customers by name with their suggested change (only those with one:
    `changes_only`): the first `limit`, and a total counted up to TOTAL_LIMIT past them
    (wording.py). The rows are read a batch at a time and the walk stops at that count, so
    memory holds a page and the time grows with the page, not the customers."""
    items: list[LifecycleItem] = []
    total = 0
    counted = limit + TOTAL_LIMIT + 1 if limit else None
    with closing(store.reports.lifecycle(as_of)) as rows:
        for row in rows:
            suggested, reason = suggest_stage(row, as_of)
            if changes_only and suggested is None:
                continue
            total += 1
            if limit is None or len(items) < limit:
                items.append(LifecycleItem(row, _last_activity(row), suggested, reason))
            if total == counted:
                break
    return Page(total, items)
