"""Money, sales and costs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinycrm.money import plain_minor
from tinycrm.serialize.followups import follow_up_brief

if TYPE_CHECKING:
    from tinycrm.models.sales import Cost, Sale
    from tinycrm.services.sales import SaleResult


def money_dict(minor: int, currency: str) -> dict[str, Any]:
    return {"amount": plain_minor(minor, currency), "amount_minor": minor, "currency": currency}


def sale_dict(sale: Sale, contact_name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sale.id,
        "contact_id": sale.contact_id,
        "date": sale.sold_on.isoformat(),
        **money_dict(sale.amount_minor, sale.currency),
        "products": list(sale.products),
    }
    if contact_name is not None:
        data["contact"] = contact_name
    return data


def cost_dict(cost: Cost) -> dict[str, Any]:
    return {
        "id": cost.id,
        "contact_id": cost.contact_id,
        "date": cost.spent_on.isoformat(),
        "kind": cost.kind,
        **money_dict(cost.amount_minor, cost.currency),
        "note": cost.note,
    }


def sale_result_dict(result: SaleResult) -> dict[str, Any]:
    return {
        **sale_dict(result.sale, result.contact_name),
        "follow_ups": [follow_up_brief(f) for f in result.follow_ups],
        "skipped_steps": result.skipped_steps,
        "customer_since_set": result.customer_since_set,
        "referral_thanks": follow_up_brief(result.referral_thanks)
        if result.referral_thanks is not None
        else None,
    }
