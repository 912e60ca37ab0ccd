"""Sales, scores, cases and report rows as JSON-ready dicts with stable keys.

Money is given both exactly as a decimal string ("12.50") and in integer minor units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinycrm.money import plain_minor

if TYPE_CHECKING:
    from tinycrm.models import FollowUp
    from tinycrm.store.cases import Case
    from tinycrm.store.sales import Cost, Sale
    from tinycrm.store.satisfaction import Score


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


def score_dict(score: Score) -> dict[str, Any]:
    return {
        "id": score.id,
        "contact_id": score.contact_id,
        "date": score.scored_on.isoformat(),
        "scale": score.scale.value,
        "score": score.score,
        "low": score.is_low,
        "source": score.source,
        "comment": score.comment,
    }


def case_dict(case: Case, contact_name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id,
        "contact_id": case.contact_id,
        "title": case.title,
        "severity": case.severity.value,
        "status": "open" if case.is_open else "resolved",
        "opened_on": case.opened_on.isoformat(),
        "target_on": case.target_on.isoformat(),
        "escalated_to": case.escalated_to,
        "escalated_on": case.escalated_on.isoformat() if case.escalated_on else None,
        "resolved_on": case.resolved_on.isoformat() if case.resolved_on else None,
        "resolution": case.resolution,
    }
    if contact_name is not None:
        data["contact"] = contact_name
    return data


def follow_up_brief(item: FollowUp) -> dict[str, Any]:
    return {
        "id": item.id,
        "contact_id": item.contact_id,
        "kind": item.kind.value,
        "title": item.title,
        "due": item.due_on.isoformat(),
        "source": item.source,
    }
