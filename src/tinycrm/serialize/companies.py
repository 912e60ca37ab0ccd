"""Companies (`crm companies … --json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinycrm.serialize.cases import case_dict
from tinycrm.serialize.contacts import contact_dict
from tinycrm.serialize.sales import sale_dict
from tinycrm.serialize.satisfaction import score_dict

if TYPE_CHECKING:
    from tinycrm.models.companies import Company
    from tinycrm.services.companies import CompanyCard
    from tinycrm.store.companies import CompanyRow


def company_dict(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "owner": company.owner,
        "owner_id": company.owner_id,
        "cadence_days": company.cadence_days,
        "archived": company.archived,
        "version": company.version,
    }


def company_row_dict(row: CompanyRow) -> dict[str, Any]:
    return {**company_dict(row.company), "owner_in_force": row.owner, "people": row.people}


def company_card_dict(card: CompanyCard) -> dict[str, Any]:
    last = card.last_interaction
    return {
        **company_dict(card.company),
        "owner_in_force": card.owner,
        "people": [contact_dict(p) for p in card.people],
        "revenue_minor": card.revenue,
        "sales": [sale_dict(r.sale, r.contact_name) for r in card.sales],
        "purchase_interval_days": card.interval_days,
        "next_purchase_on": card.next_purchase_on.isoformat() if card.next_purchase_on else None,
        "open_cases": [case_dict(r.case, r.contact_name) for r in card.open_cases],
        "satisfaction": [
            {"contact": name, **score_dict(score)} for name, score in card.latest_scores
        ],
        "last_interaction": {"contact": last[0], "on": last[1].isoformat()} if last else None,
        "left": [
            {
                "contact_id": d.contact_id,
                "name": d.contact_name,
                "role": d.role,
                "left_on": d.left_on.isoformat(),
            }
            for d in card.departures
        ],
    }
