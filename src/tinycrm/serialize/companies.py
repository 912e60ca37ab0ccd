"""Companies (`crm companies … --json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models import Company
    from tinycrm.store.companies import CompanyRow


def company_dict(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "owner": company.owner,
        "cadence_days": company.cadence_days,
        "archived": company.archived,
        "version": company.version,
    }


def company_row_dict(row: CompanyRow) -> dict[str, Any]:
    return {**company_dict(row.company), "owner_in_force": row.owner, "people": row.people}
