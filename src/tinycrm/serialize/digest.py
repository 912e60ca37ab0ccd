"""The digest (`crm digest --format json`)."""

from __future__ import annotations

from typing import Any

from tinycrm.services.digest import (
    TODAY_GROUPS,
    AtRiskCustomer,
    BouncedSurvey,
    Digest,
    DigestItem,
)
from tinycrm.wording import TOTAL_LIMIT


def item_dict(item: DigestItem) -> dict[str, Any]:
    return {
        "handle": item.handle,
        "contact_id": item.contact_id,
        "contact": item.contact_name,
        "company": item.company,
        "kind": item.kind,
        "title": item.title,
        "due_on": item.due_on.isoformat(),
        "days_late": item.days_late,
        "detail": item.detail,
        "years": item.years,
        "recurring": item.recurring,
    }


def at_risk_dict(customer: AtRiskCustomer) -> dict[str, Any]:
    return {
        "contact_id": customer.contact_id,
        "contact": customer.contact_name,
        "company": customer.company,
        "reasons": list(customer.reasons),
    }


def bounced_dict(bounce: BouncedSurvey) -> dict[str, Any]:
    return {
        "contact_id": bounce.contact_id,
        "contact": bounce.contact_name,
        "company": bounce.company,
        "address": bounce.address,
        "bounced_on": bounce.bounced_on.isoformat(),
        "reason": bounce.reason,
        "phone": bounce.phone,
    }


def digest_dict(digest: Digest) -> dict[str, Any]:
    """The digest; a person's (`--each-owner`) also says whose it is, and the coordinator's
    has the rows nobody owns under "unassigned"."""
    found = _sections_dict(digest)
    if digest.scope is not None:
        found["owner"] = digest.owner
        found["unassigned"] = digest_dict(digest.unassigned) if digest.unassigned else None
    return found


def _sections_dict(digest: Digest) -> dict[str, Any]:
    groups: dict[str, list[DigestItem]] = {key: [] for key, _, _ in TODAY_GROUPS}
    for key, _, items in digest.today_groups():
        groups[key] = items
    return {
        "as_of": digest.as_of.isoformat(),
        "covered_from": digest.covered_from.isoformat(),
        "until": digest.until.isoformat(),
        "days": digest.days,
        "item_count": digest.item_count,
        "overdue": {
            "total": digest.overdue_total,
            "total_exact": digest.overdue_total <= TOTAL_LIMIT,
            "shown": len(digest.overdue),
            "items": [item_dict(item) for item in digest.overdue],
        },
        "today": {key: [item_dict(item) for item in items] for key, items in groups.items()},
        "today_total": digest.today_total,
        "today_total_exact": digest.today_total <= TOTAL_LIMIT,
        "birthdays_and_anniversaries": [item_dict(item) for item in digest.dates],
        "birthdays_and_anniversaries_total": digest.dates_total,
        "at_risk": [at_risk_dict(customer) for customer in digest.at_risk],
        "at_risk_total": digest.at_risk_total,
        "at_risk_total_exact": digest.at_risk_total <= TOTAL_LIMIT,
        "bounced_surveys": [bounced_dict(bounce) for bounce in digest.bounced],
        "bounced_surveys_total": digest.bounced_total,
        "bounced_since": digest.bounced_since.isoformat(),
        "held_for_review": [
            {
                "id": held.id,
                "sender": held.sender,
                "contact": held.contact_name,
                "subject": held.subject,
                "reason": held.reason,
            }
            for held in digest.held
        ],
        "held_for_review_total": digest.held_total,
    }
