"""Customers at risk: the report `crm report at-risk` and the digest share."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from tinycrm.models.reports import Page
from tinycrm.services.followups import OwnerScope
from tinycrm.store import Store
from tinycrm.store.atrisk import AtRiskRow
from tinycrm.store.owners import Owner
from tinycrm.wording import due_text, plural

SHORT_LIST = 10  # the digest names the most urgent; `crm report at-risk` lists them all
# Companies whose people at risk are read by their ids (a query's parameters) for a page.
PAGE_BY_COMPANIES = 500


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


def at_risk_by_company(store: Store, as_of: date, limit: int | None = None) -> Page[CompanyRisk]:
    """Companies at risk on `as_of`, by the people's rule (`at_risk`) rolled up: most reasons
    first, then by name; the first `limit` (all without one) and how many there are.

    The people at risk are read a batch at a time rather than held, to count each company's
    reasons; then the page's companies' people at risk are read again (all of them when
    the page has more than PAGE_BY_COMPANIES companies)."""
    with store.read():
        names = store.companies.active_names()
        clocks = store.companies.touch_clocks()
        with_cadence = store.companies.people_with_cadence()
        reasons: Counter[int] = Counter()  # the people's reasons per company
        late: Counter[int] = Counter()  # people losing touch (with a cadence) per company
        for company_id, row in store.at_risk.everyone(as_of):
            if company_id in names:
                reasons[company_id] += len(_person_reasons(row))
                late[company_id] += row.days_late is not None and row.cadence_days is not None
        own = {
            company_id: why
            for company_id in names
            if (why := _company_reason(as_of, clocks.get(company_id),
                                       with_cadence.get(company_id, 0), late[company_id]))
        }  # fmt: skip
        ranked = [
            (-(reasons[company_id] + (company_id in own)), name.lower(), company_id)
            for company_id, name in names.items()
            if reasons[company_id] or company_id in own
        ]
        page = heapq.nsmallest(limit, ranked) if limit else sorted(ranked)
        people: dict[int, list[AtRiskRow]] = {company_id: [] for _, _, company_id in page}
        only = list(people) if len(people) <= PAGE_BY_COMPANIES else None
        for company_id, row in store.at_risk.everyone(as_of, only):
            if company_id in people:
                people[company_id].append(row)
    found = []
    for _, _, company_id in page:
        rows = sorted(people[company_id], key=AtRiskRow.rank)
        listed = [own[company_id]] if company_id in own else []
        listed += [f"{r.name}: {reason}" for r in rows for reason in _person_reasons(r)]
        found.append(CompanyRisk(company_id, names[company_id], listed, rows))
    return Page(len(ranked), found)


def _company_reason(
    as_of: date, clock: tuple[int, date] | None, with_cadence: int, late: int
) -> str | None:
    """Why a company is at risk itself: nobody there contacted within its cadence (`clock`:
    the cadence and the day its clock starts) or, without one, every one of its people with
    a cadence (`with_cadence` of them) losing touch (`late` of them)."""
    if clock is not None:
        cadence, start = clock
        due = start + timedelta(days=cadence)
        if due >= as_of:
            return None
        late_by = due_text((as_of - due).days)
        return f"nobody there contacted within {cadence} days (last {start}, {late_by})"
    if with_cadence and late == with_cadence:
        return "every person there is losing touch"
    return None


def _person_reasons(row: AtRiskRow) -> list[str]:
    """A person's reasons in their company's row: losing touch is the company's own."""
    return [reason for reason in risk_reasons(row) if row.days_late is None
            or not reason.startswith("check-in")]  # fmt: skip


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
        reasons.append(f"{plural(row.open_cases, 'open case')} (target {row.next_case_target})")
    return reasons
