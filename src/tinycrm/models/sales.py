"""Sales, and money spent on customers (gifts, discounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Sale:
    contact_id: int
    sold_on: date
    amount_minor: int
    currency: str
    products: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Cost:
    """Money spent on a customer (a gift, a discount granted): part of the cost to serve."""

    contact_id: int
    spent_on: date
    kind: str  # gift, discount
    amount_minor: int
    currency: str
    note: str | None = None
    id: int | None = None
