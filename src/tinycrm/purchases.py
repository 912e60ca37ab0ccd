"""A customer's usual purchase interval: the rules the reorder queue, the reorder report and
lifecycle share (schema version 1's sale_stats trigger applies the same ones in SQL)."""

from __future__ import annotations

import math

# Purchase days (several sales on one day count once) before a customer has a usual interval.
REPEAT_PURCHASE_DAYS = 3


def purchase_interval(median_gap: float) -> int:
    """The median gap in whole days, halves rounded up as SQLite's round() does (30.5 → 31)."""
    return math.floor(median_gap + 0.5)
