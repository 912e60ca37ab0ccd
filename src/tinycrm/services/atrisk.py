"""Customers at risk: the report `crm report at-risk` and the digest share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tinycrm.models.reports import Page
from tinycrm.services.followups import OwnerScope
from tinycrm.store import Store
from tinycrm.store.atrisk import AtRiskRow, Owner
from tinycrm.store.companies import CompanyFilter
from tinycrm.wording import due_text

SHORT_LIST = 10  # the digest names the most urgent; `crm report at-risk` lists them all


def at_risk(
    store: Store, as_of: date, limit: int | None = None, scope: OwnerScope | None = None
) -> Page[AtRiskRow]:
    """The at-risk customers on `as_of`, most urgent first: the first `limit` (all without
    one), and how many there are (counted up to TOTAL_LIMIT past the page, wording.py). With
    `scope`, those one user owns (or nobody)."""
    owner = None if scope is None else Owner(scope.user_id)
    total, rows = store.at_risk.at_risk(as_of, limit, owner)
    return Page(total, rows)


def short_list(store: Store, as_of: date, scope: OwnerScope | None = None) -> Page[AtRiskRow]:
    """The SHORT_LIST most urgent at-risk customers (as `at_risk` ranks them), and how many
    there are: the digest's section. With `scope`, those one user owns (or nobody)."""
    return at_risk(store, as_of, SHORT_LIST, scope)


@dataclass(frozen=True)
class CompanyRisk:
    """A company at risk: nobody there contacted within its cadence (or, without one, every
    person with a cadence losing touch), or its people's own at-risk reasons."""

    company_id: int
    name: str
    reasons: list[str]
    people: list[AtRiskRow]  # its people at risk, as `at_risk` has them


def at_risk_by_company(store: Store, as_of: date) -> Page[CompanyRisk]:
    """Companies at risk on `as_of`, by the people's rule (`at_risk`) rolled up: most reasons
    first, then by name."""
    with store.read():
        people = at_risk(store, as_of).rows
        member_of = store.companies.memberships()
        clocks = store.companies.touch_clocks()
        names = {r.company.id: r for r in store.companies.rows(CompanyFilter())}
        with_cadence = store.companies.people_with_cadence()
    at_risk_people: dict[int, list[AtRiskRow]] = {}
    for row in people:
        if row.contact_id in member_of:
            at_risk_people.setdefault(member_of[row.contact_id], []).append(row)
    found = []
    for company_id, listing in names.items():
        rows = at_risk_people.get(company_id or 0, [])
        reasons = []
        if company_id in clocks:
            cadence, clock = clocks[company_id]
            due = clock + timedelta(days=cadence)
            if due < as_of:
                reasons.append(
                    f"nobody there contacted within {cadence} days (last {clock},"
                    f" {due_text((as_of - due).days)})"
                )
        else:
            late = {r.contact_id for r in rows if r.days_late is not None}
            expected = with_cadence.get(company_id or 0, set())
            if expected and expected <= late:
                reasons.append("every person there is losing touch")
        reasons += [f"{r.name}: {reason}" for r in rows for reason in risk_reasons(r)
                    if r.days_late is None or not reason.startswith("check-in")]  # fmt: skip
        if reasons:
            found.append(CompanyRisk(company_id or 0, listing.company.name, reasons, rows))
    found.sort(key=lambda c: (-len(c.reasons), c.name.lower(), c.company_id))
    return Page(len(found), found)


def risk_reasons(row: AtRiskRow) -> list[str]:
    reasons = []
    if row.days_late is not None:
        since = f"last contact {row.last_contact_on}" if row.last_contact_on else "never contacted"
        reasons.append(
            f"check-in {due_text(row.days_late)} (every {row.cadence_days} days, {since})"
        )
    if row.score is not None and row.scale is not None:
        scale = row.scale.upper()
        if row.satisfaction == "falling":
            reasons.append(f"{scale} falling {row.previous_score}→{row.score}")
        else:
            reasons.append(f"low {scale} {row.score}")
    if row.open_cases:
        plural_s = "s" if row.open_cases > 1 else ""
        reasons.append(f"{row.open_cases} open case{plural_s} (target {row.next_case_target})")
    return reasons
