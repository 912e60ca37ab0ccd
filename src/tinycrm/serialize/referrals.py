"""The referrals report (`crm report referrals --json`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tinycrm.models.referrals import Referrer
from tinycrm.serialize.sales import money_dict
from tinycrm.wording import total_exact


def _revenue(totals: dict[str, int]) -> list[dict[str, Any]]:
    return [money_dict(minor, currency) for currency, minor in totals.items()]


def referrals_dict(day: date, total: int, rows: list[Referrer]) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "total": total,
        "total_exact": total_exact(total, len(rows)),
        "rows": [
            {
                "contact_id": r.contact_id,
                "contact": r.name,
                "referred_count": len(r.referred),
                "customers": r.customers,
                "revenue": _revenue(r.revenue),
                "referred": [
                    {
                        "contact_id": p.contact_id,
                        "contact": p.name,
                        "customer": p.is_customer,
                        "first_purchase_on": p.first_purchase_on.isoformat()
                        if p.first_purchase_on
                        else None,
                        "revenue": _revenue(p.revenue),
                    }
                    for p in r.referred
                ],
            }
            for r in rows
        ],
    }
