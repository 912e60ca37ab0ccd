"""Customers at risk: the report `crm report at-risk` and the digest share."""

from __future__ import annotations

from datetime import date
from typing import Generic, NamedTuple, TypeVar

from tinycrm.store import Store
from tinycrm.store.atrisk import AtRiskRow
from tinycrm.wording import due_text

T = TypeVar("T")

SHORT_LIST = 10  # the digest names the most urgent; `crm report at-risk` lists them all


class Page(NamedTuple, Generic[T]):
    total: int
    rows: list[T]


def at_risk(store: Store, as_of: date, limit: int | None = None) -> Page[AtRiskRow]:
    total, rows = store.at_risk.at_risk(as_of, limit)
    return Page(total, rows)


def short_list(store: Store, as_of: date) -> Page[AtRiskRow]:
    """The SHORT_LIST most urgent at-risk customers (as `at_risk` ranks them), and how many
    there are in all: the digest's section."""
    return at_risk(store, as_of, limit=SHORT_LIST)


def risk_reasons(row: AtRiskRow) -> list[str]:
    reasons = []
    if row.days_late is not None:
        since = f"last contact {row.last_contact_on}" if row.last_contact_on else "never contacted"
        reasons.append(
            f"check-in {due_text(row.days_late)} (every {row.cadence_days} days, {since})"
        )
    if row.score is not None and row.scale is not None:
        scale = row.scale.upper()
        if row.satisfaction == "falling":
            reasons.append(f"{scale} falling {row.previous_score}→{row.score}")
        else:
            reasons.append(f"low {scale} {row.score}")
    if row.open_cases:
        plural_s = "s" if row.open_cases > 1 else ""
        reasons.append(f"{row.open_cases} open case{plural_s} (target {row.next_case_target})")
    return reasons
