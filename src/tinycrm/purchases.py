"""A customer's usual purchase interval: the rules the reorder queue, the reorder report and
lifecycle share (schema version 1's sale_stats trigger applies the same ones in SQL)."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable
from datetime import date

# Purchase days (several sales on one day count once) before a customer has a usual interval.
REPEAT_PURCHASE_DAYS = 3


def median_gap(days: Iterable[date]) -> float | None:
    """The median number of days between purchase days (several sales on one day count once),
    once there are REPEAT_PURCHASE_DAYS of them: a company's, from all its sales (a contact's
    is kept in sale_stats by the same rule in SQL)."""
    distinct = sorted(set(days))
    if len(distinct) < REPEAT_PURCHASE_DAYS:
        return None
    return statistics.median((b - a).days for a, b in itertools.pairwise(distinct))


def purchase_interval(median_gap: float) -> int:
    """The median gap in whole days, halves rounded up as SQLite's round() does (30.5 → 31)."""
    return math.floor(median_gap + 0.5)
