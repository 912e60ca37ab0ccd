"""The analytical reports (`crm report … --json`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tinycrm.serialize.sales import money_dict
from tinycrm.services import atrisk
from tinycrm.wording import TOTAL_LIMIT, total_exact

if TYPE_CHECKING:
    from tinycrm.models.reports import Page, ReorderRow
    from tinycrm.services.analytics import MonthScores, Suggestions, TopReport
    from tinycrm.services.atrisk import CompanyRisk
    from tinycrm.services.lifecycle import LifecycleItem
    from tinycrm.services.team import TeamReport
    from tinycrm.store.atrisk import AtRiskRow


def _whose(row_id: int, name: str, per_company: bool) -> dict[str, Any]:
    """A row's subject: a contact, or with --by company a company."""
    if per_company:
        return {"company_id": row_id, "company": name}
    return {"contact_id": row_id, "contact": name}


def reorder_dict(
    day: date, window_days: int, page: Page[ReorderRow], *, per_company: bool = False
) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "window_days": window_days,
        "total": page.total,
        "total_exact": total_exact(page.total, len(page.rows)),
        "rows": [
            {
                **_whose(r.contact_id, r.name, per_company),
                "purchases": r.purchases,
                "last_purchase_on": r.last_on.isoformat(),
                "median_interval_days": r.median_gap,
                "due_on": r.due_on.isoformat(),
                "days_overdue": (day - r.due_on).days,
            }
            for r in page.rows
        ],
    }


def at_risk_dict(day: date, page: Page[AtRiskRow]) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "total": page.total,
        "total_exact": total_exact(page.total, len(page.rows)),
        "rows": [
            {
                "contact_id": r.contact_id,
                "contact": r.name,
                "reasons": atrisk.risk_reasons(r),
                "cadence_days": r.cadence_days,
                "last_contact_on": _iso(r.last_contact_on),
                "check_in_due_on": _iso(r.check_in_due_on),
                "days_late": r.days_late,
                "satisfaction": r.satisfaction,
                "scale": r.scale,
                "score": r.score,
                "previous_score": r.previous_score,
                "open_cases": r.open_cases,
                "next_case_target": _iso(r.next_case_target),
            }
            for r in page.rows
        ],
    }


def company_risk_dict(day: date, total: int, rows: list[CompanyRisk]) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "total": total,
        "rows": [
            {
                "company_id": c.company_id,
                "company": c.name,
                "reasons": c.reasons,
                "people_at_risk": [{"contact_id": r.contact_id, "contact": r.name}
                                   for r in c.people],
            }
            for c in rows
        ],
    }  # fmt: skip


def top_dict(report: TopReport) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "by": report.by,
        "hourly_cost": money_dict(report.hourly_minor, report.hourly_currency)
        if report.hourly_minor is not None
        else None,
        "per": "company" if report.per_company else "contact",
        "rows": [
            {
                **_whose(r.contact_id, r.name, report.per_company),
                "currency": r.currency,
                "sales": r.sales,
                "revenue": money_dict(r.revenue_minor, r.currency),
                "minutes": r.minutes,
                "gifts_and_discounts": money_dict(r.costs_minor, r.currency),
                "profit": money_dict(r.profit_minor, r.currency)
                if r.profit_minor is not None
                else None,
            }
            for r in report.rows
        ],
    }


def lifecycle_dict(day: date, page: Page[LifecycleItem]) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "total": page.total,
        "total_exact": total_exact(page.total, len(page.rows)),
        "rows": [
            {
                "contact_id": i.row.contact_id,
                "contact": i.row.name,
                "stage": i.row.stage,
                "stage_since": _iso(i.row.stage_since),
                "last_activity_on": _iso(i.last_activity),
                "purchases": i.row.purchases,
                "suggested_stage": i.suggested.value if i.suggested else None,
                "reason": i.reason,
            }
            for i in page.rows
        ],
    }


def satisfaction_dict(day: date, months: list[MonthScores]) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "months": [
            {
                "month": m.month,
                "csat": {
                    "count": m.csat_count,
                    "average": round(m.csat_average, 2) if m.csat_average is not None else None,
                    "distribution": {str(k): v for k, v in m.csat_distribution.items()},
                },
                "nps": {
                    "count": m.nps_count,
                    "score": m.nps,
                    "promoters": m.promoters,
                    "passives": m.passives,
                    "detractors": m.detractors,
                },
                "origin": {
                    "survey": m.by_survey,
                    "typed": m.typed,
                    "csat_average_survey": _round(m.survey_csat_average),
                    "csat_average_typed": _round(m.typed_csat_average),
                },
                "surveys": {
                    "sent": m.surveys_sent,
                    "bounced": m.surveys_bounced,
                    "answered": m.surveys_answered,
                    "response_rate": _round(m.response_rate),
                },
            }
            for m in months
        ],
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def suggestions_dict(found: Suggestions) -> dict[str, Any]:
    return {
        "contact_id": found.contact_id,
        "contact": found.name,
        "similar_customers": found.similar_customers,
        "suggestions": [{"product": s.product, "evidence": s.evidence} for s in found.items],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def team_dict(report: TeamReport) -> dict[str, Any]:
    return {
        "since": report.since.isoformat(),
        "as_of": report.as_of.isoformat(),
        "people": [
            {
                "user_id": r.user_id,
                "name": r.name,
                "active": r.active,
                "interactions": r.activity.interactions,
                "follow_ups_done_on_time": r.activity.done_on_time,
                "follow_ups_done_late": r.activity.done_late,
                "open_cases": r.open_cases,
                "at_risk": r.at_risk,
                "at_risk_exact": r.at_risk <= TOTAL_LIMIT,
                "satisfaction": [
                    {"scale": s.scale, "customers": s.customers, "average": round(s.average, 2)}
                    for s in r.satisfaction
                ],
            }
            for r in report.rows
        ],
    }
