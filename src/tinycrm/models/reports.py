"""The analytical reports' rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Page(NamedTuple, Generic[T]):
    """A page of a long list and how many there are (wording.py: maybe "more than")."""

    total: int
    rows: list[T]


@dataclass(frozen=True, slots=True)
class ReorderRow:
    contact_id: int
    name: str
    purchases: int
    last_on: date
    median_gap: float
    due_on: date


@dataclass(frozen=True, slots=True)
class TopCustomer:
    contact_id: int
    name: str
    currency: str
    revenue_minor: int
    sales: int
    minutes: int
    costs_minor: int
    profit_minor: int | None = None  # None when the cost of the time spent is unknown


@dataclass(frozen=True, slots=True)
class LifecycleRow:
    contact_id: int
    name: str
    stage: str | None
    stage_since: date | None
    cadence_days: int | None
    last_touch_on: date | None
    purchases: int
    last_sale_on: date | None
    median_gap: float | None


@dataclass(frozen=True, slots=True)
class ScoreCount:
    month: str
    scale: str
    score: int
    count: int
    by_survey: bool = False  # the score came back from an e-mailed survey (source 'survey')
