"""Referrals: who brought whom, and what the people they brought bought."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ReferredContact:
    """A contact someone referred, with their purchases (up to the report's date)."""

    contact_id: int
    name: str
    first_purchase_on: date | None  # None: not a customer (yet)
    revenue: dict[str, int]  # currency → amount in minor units

    @property
    def is_customer(self) -> bool:
        return self.first_purchase_on is not None


@dataclass(frozen=True, slots=True)
class Referrer:
    """One row of `crm report referrals`: a referrer and the contacts they brought."""

    contact_id: int
    name: str
    referred: tuple[ReferredContact, ...]

    @property
    def customers(self) -> int:
        return sum(1 for r in self.referred if r.is_customer)

    @property
    def revenue(self) -> dict[str, int]:
        """The referred customers' revenue per currency, by currency code."""
        totals: dict[str, int] = {}
        for person in self.referred:
            for currency, minor in person.revenue.items():
                totals[currency] = totals.get(currency, 0) + minor
        return dict(sorted(totals.items()))
