"""The analytical reports: who is due to reorder, top customers, satisfaction by month, and what
to offer next (who is at risk: services/atrisk.py). Every report answers for an `as_of` date."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from itertools import islice

from tinycrm import money
from tinycrm.dates import add_months
from tinycrm.errors import UsageError
from tinycrm.models.reports import Page, ReorderRow, TopCustomer
from tinycrm.money import DEFAULT_CURRENCY
from tinycrm.purchases import median_gap, purchase_interval
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.reports import RECENT_DAYS

REORDER_WINDOW_DAYS = 7


def reorder(
    store: Store, as_of: date, window_days: int = REORDER_WINDOW_DAYS, limit: int | None = None
) -> Page[ReorderRow]:
    """Customers with at least 3 purchase days whose median interval since the last purchase
    has elapsed on `as_of` or will within `window_days`; most overdue first."""
    total, rows = store.reports.reorder(as_of, as_of + timedelta(days=window_days), limit)
    return Page(total, rows)


def reorder_by_company(
    store: Store, as_of: date, window_days: int = REORDER_WINDOW_DAYS, limit: int | None = None
) -> Page[ReorderRow]:
    """`reorder` for companies (a row's `contact_id` is the company's id): their people's
    purchase days together, by the same interval rule (purchases.py)."""
    until = as_of + timedelta(days=window_days)
    rows = []
    for company_id, (name, days) in store.companies.purchase_days(as_of).items():
        gap = median_gap(days)
        if gap is None:
            continue
        due = days[-1] + timedelta(days=purchase_interval(gap))
        if due <= until:
            rows.append(ReorderRow(company_id, name, len(set(days)), days[-1], gap, due))
    rows.sort(key=lambda r: (r.due_on, r.name.lower(), r.contact_id))
    return Page(len(rows), rows[:limit] if limit else rows)


@dataclass(frozen=True)
class TopReport:
    start: date
    end: date
    by: str
    hourly_minor: int | None
    hourly_currency: str
    rows: list[TopCustomer]
    per_company: bool = False  # rows are companies (`contact_id` holds the company's id)


def top(
    store: Store,
    as_of: date,
    *,
    since: date | None = None,
    by: str = "revenue",
    hourly_cost: str | None = None,
    cost_currency: str = DEFAULT_CURRENCY,
    limit: int | None = 20,
    per_company: bool = False,
) -> TopReport:
    """Customers by revenue over [since, as_of] (default: the 12 months up to as_of), per
    currency; with profit = revenue - gifts/discounts - logged minutes x hourly cost, where the
    hourly cost is configured (time in other currencies than the configured one: unknown)."""
    if by not in ("revenue", "profit"):
        raise UsageError(f"--by must be revenue or profit, not {by!r}")
    start = since or add_months(as_of, -12) + timedelta(days=1)
    if start > as_of:
        raise UsageError(f"the period starts ({start}) after it ends ({as_of})")
    code = money.currency(cost_currency)
    hourly = money.parse_amount(hourly_cost, code) if hourly_cost is not None else None
    # Companies by profit sum their people's time for every company read: walking them cost
    # more than the whole report (PostgreSQL, 100k contacts: 12.4 s against 4.0 s).
    if limit and not (per_company and by == "profit"):
        rows = _top_page(store, start, as_of, by == "profit", hourly or 0, limit, per_company)
    else:
        rows = store.reports.top(start, as_of, by == "profit", hourly or 0, limit, per_company)
    result = []
    for r in rows:
        known = r.minutes == 0 or (hourly is not None and r.currency == code)
        time_cost = 0
        if r.minutes and hourly is not None:
            time_cost = round_half_up(r.minutes * hourly, 60)
        profit = r.revenue_minor - r.costs_minor - time_cost if known else None
        result.append(replace(r, profit_minor=profit))
    return TopReport(start, as_of, by, hourly, code, result, per_company)


# Customers whose period is read at a time while walking down their lifetime totals.
TOP_BATCH = 200


def _top_page(
    store: Store, start: date, end: date, by_profit: bool, hourly: int, limit: int,
    per_company: bool,
) -> list[TopCustomer]:  # fmt: skip
    """`limit` rows of `store.reports.top`, without summing every customer's period.

    Per currency, in the report's order, the customers (or companies) are walked down a kept
    bound of what they bought in the period, a batch's period read at a time; revenue bounds
    profit (costs and time only take away). A walk stops when the next bound is below the
    page's last value: no one further down can reach the page. The bound is what they bought
    in the year up to their last purchase for those whose last purchase falls in the period
    within a year of its start; the few who bought later (a look back, or a period longer
    than a year) are walked by their lifetime totals. The page is then ordered by the
    report's own query over the customers read whose value reaches it."""
    until = min(end, start + timedelta(days=RECENT_DAYS))
    look_back = store.reports.sold_after(until)
    chosen: set[int] = set()
    found = 0  # rows of the earlier currencies, all of them on the page
    for currency in store.reports.sale_currencies(per_company):
        need = limit - found
        values: list[tuple[int, int]] = []  # (value, id) of every customer read
        period = partial(_values, store, start, end, by_profit, hourly, per_company,
                         currency=currency)  # fmt: skip
        _read(store.reports.by_recent_total(currency, per_company, start, until), period,
              values, need)  # fmt: skip
        if look_back:
            floor = _nth_largest(values, need) // 60 if len(values) >= need else 0
            _read(store.reports.by_lifetime_total(currency, per_company, until, floor), period,
                  values, need)  # fmt: skip
        if len(values) >= need:
            least = _nth_largest(values, need)
            chosen |= {key for v, key in values if v >= least}
            break
        chosen |= {key for _, key in values}
        found += len(values)
    return store.reports.top(start, end, by_profit, hourly, limit, per_company, sorted(chosen))


def _read(
    walk: Generator[tuple[int, int], None, None],
    period: Callable[[list[int]], list[tuple[int, int]]],
    values: list[tuple[int, int]],
    need: int,
) -> None:
    """Adds to `values` the period's values of the walk's (id, bound)s, a batch at a time,
    until the next bound is below the `need`th largest value read."""
    with closing(walk):
        for batch in _batches(walk, TOP_BATCH):
            if len(values) >= need and batch[0][1] * 60 < _nth_largest(values, need):
                break
            values += period([key for key, _ in batch])


def _values(
    store: Store, start: date, end: date, by_profit: bool, hourly: int, per_company: bool,
    keys: list[int], currency: str,
) -> list[tuple[int, int]]:  # fmt: skip
    """(what orders the report x 60, id) of `keys` in `currency`: revenue alone needs no
    time nor gifts."""
    if not by_profit:
        return [(revenue * 60, key) for key, code, revenue
                in store.reports.period_revenue(start, end, per_company, keys)
                if code == currency]  # fmt: skip
    rows = store.reports.top(start, end, by_profit, hourly, None, per_company, keys)
    return [
        ((r.revenue_minor - r.costs_minor) * 60 - r.minutes * hourly, r.contact_id)
        for r in rows
        if r.currency == currency
    ]


def _batches(walk: Iterator[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    while batch := list(islice(walk, size)):
        yield batch


def _nth_largest(values: list[tuple[int, int]], n: int) -> int:
    return heapq.nlargest(n, values)[-1][0]


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding halves up (minor units stay integers)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass
class MonthScores:
    month: str  # YYYY-MM
    csat_count: int = 0
    csat_total: int = 0
    csat_distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    nps_count: int = 0
    promoters: int = 0  # 9-10
    passives: int = 0  # 7-8
    detractors: int = 0  # 0-6
    by_survey: int = 0  # scores that came back from e-mailed surveys (both scales)
    typed: int = 0  # scores recorded by hand (a call, a follow-up done with --score…)
    survey_csat_count: int = 0
    survey_csat_total: int = 0
    surveys_sent: int = 0  # e-mailed this month
    surveys_answered: int = 0  # of those, answered (whenever)
    surveys_bounced: int = 0  # of those, came back undelivered (and not answered)

    @property
    def csat_average(self) -> float | None:
        return self.csat_total / self.csat_count if self.csat_count else None

    @property
    def survey_csat_average(self) -> float | None:
        count = self.survey_csat_count
        return self.survey_csat_total / count if count else None

    @property
    def typed_csat_average(self) -> float | None:
        count = self.csat_count - self.survey_csat_count
        return (self.csat_total - self.survey_csat_total) / count if count else None

    @property
    def surveys_delivered(self) -> int:
        return self.surveys_sent - self.surveys_bounced

    @property
    def response_rate(self) -> float | None:
        """The share of this month's delivered surveys that were answered (0-1)."""
        delivered = self.surveys_delivered
        return self.surveys_answered / delivered if delivered else None

    @property
    def nps(self) -> int | None:
        """% promoters - % detractors, rounded to a whole number (-100..100)."""
        if not self.nps_count:
            return None
        return round(100 * (self.promoters - self.detractors) / self.nps_count)


def satisfaction_by_month(store: Store, as_of: date, months: int = 12) -> list[MonthScores]:
    """Each of the last `months` calendar months up to as_of (oldest first): CSAT average and
    distribution, NPS with promoters, passives and detractors. Months without scores are kept."""
    if not 1 <= months <= 120:
        raise UsageError(f"--months must be between 1 and 120, not {months}")
    first = add_months(as_of.replace(day=1), -(months - 1))
    result = {}
    for i in range(months):
        month = add_months(first, i).strftime("%Y-%m")
        result[month] = MonthScores(month)
    for count in store.reports.score_counts(first, as_of):
        entry = result[count.month]
        if count.by_survey:
            entry.by_survey += count.count
        else:
            entry.typed += count.count
        if count.scale == "csat":
            entry.csat_count += count.count
            entry.csat_total += count.score * count.count
            entry.csat_distribution[count.score] += count.count
            if count.by_survey:
                entry.survey_csat_count += count.count
                entry.survey_csat_total += count.score * count.count
        else:
            entry.nps_count += count.count
            if count.score >= 9:
                entry.promoters += count.count
            elif count.score >= 7:
                entry.passives += count.count
            else:
                entry.detractors += count.count
    for month, sent, answered in store.reports.survey_counts(first, as_of):
        result[month].surveys_sent, result[month].surveys_answered = sent, answered
    for month, bounced in store.reports.bounced_surveys(first, as_of).items():
        result[month].surveys_bounced = bounced
    return list(result.values())


@dataclass(frozen=True)
class Suggestion:
    product: str
    evidence: int  # similar customers who bought it


@dataclass(frozen=True)
class Suggestions:
    contact_id: int
    name: str
    similar_customers: int
    items: list[Suggestion]


def suggest(store: Store, ref: str, limit: int = 10) -> Suggestions:
    """Products bought by customers who share at least one product with this customer, that
    this customer has not bought, ranked by how many of those customers bought them."""
    contact = resolve_ref(store, ref)
    peers, rows = store.reports.co_purchases(contact.id or 0, limit)
    return Suggestions(contact.id or 0, contact.name, peers, [Suggestion(p, n) for p, n in rows])
