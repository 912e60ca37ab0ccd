"""Companies as accounts: adding, finding, changing and archiving them, people joining and
leaving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from tinycrm import validation
from tinycrm.errors import Ambiguous, Conflict, NotFound, UsageError
from tinycrm.models.companies import Company
from tinycrm.models.companies import Departure as Departed
from tinycrm.models.contacts import Contact
from tinycrm.models.history import Change
from tinycrm.models.satisfaction import Score
from tinycrm.money import format_minor
from tinycrm.purchases import median_gap, purchase_interval
from tinycrm.services import history, identity
from tinycrm.services.trend import Trend, trend
from tinycrm.store import Store
from tinycrm.store.cases import CaseRow
from tinycrm.store.companies import CompanyFilter, CompanyRow
from tinycrm.store.contacts import ContactFilter
from tinycrm.store.sales import SaleRow
from tinycrm.wording import plural


def resolve_company(store: Store, ref: str, *, archived: bool | None = None) -> Company:
    """A company id, its name (case and spaces aside), or text found in one company's name."""
    text = ref.strip()
    if not text:
        raise UsageError("empty company reference")
    number = validation.row_id(text)
    found = store.companies.get(number) if number is not None else None
    found = found or store.companies.find(text)
    if found is not None:
        return found
    candidates = store.companies.find_containing(text, archived=archived)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(f"no company matches {ref!r} (`crm companies list` shows them)")
    listed = [f"{c.id}: {c.name}" for c in candidates]
    raise Ambiguous(
        f"{ref!r} matches {len(listed)} companies: {'; '.join(listed)} (use the id)", listed
    )


def _cadence(text: str | None, current: int | None) -> int | None:
    if text is None:
        return current
    value = text.strip().lower()
    return None if value in ("", "default") else validation.cadence(value) or None


def _no_namesake(store: Store, name: str, company_id: int | None = None) -> None:
    """A name equal but for case and spaces to another company's is that company: say so."""
    other = store.companies.find(name)
    if other is not None and other.id != company_id:
        raise Conflict(
            f"{other.name!r} (id {other.id}) is already a company, equal but for case or spaces:"
            f" use it (`crm companies show {other.id}`); nothing was changed"
        )


def add_company(
    store: Store, name: str, *, owner: str | None = None, cadence: str | None = None
) -> Company:
    text = validation.company_name(name)
    if not text:
        raise UsageError("a company needs a name")
    with store.write():
        _no_namesake(store, text)
        manager = identity.owner_for(store, owner) if owner is not None else None
        company = Company(
            name=text,
            owner=manager.name if manager else None,
            owner_id=manager.id if manager else None,
            cadence_days=_cadence(cadence, None),
        )
        company_id = store.companies.insert(company)
        history.record(store, [history.added("company", company_id, None, text)])
    return replace(company, id=company_id)


def edit_company(
    store: Store,
    ref: str,
    *,
    name: str | None = None,
    owner: str | None = None,
    cadence: str | None = None,
) -> Company:
    """Rename it (its people's search documents follow), set or clear ('') its owner, its
    cadence ('default': its people's own)."""
    with store.write():
        current = resolve_company(store, ref)
        changed = current
        if name is not None:
            text = validation.company_name(name)
            if not text:
                raise UsageError("a company needs a name")
            _no_namesake(store, text, current.id)
            changed = replace(changed, name=text)
        if owner is not None:
            manager = identity.owner_for(store, owner)
            changed = replace(
                changed,
                owner=manager.name if manager else None,
                owner_id=manager.id if manager else None,
            )
        changed = replace(changed, cadence_days=_cadence(cadence, current.cadence_days))
        store.companies.update(changed)
        history.record(store, _company_changes(current, changed))
        for person in store.companies.people_ids(current.id or 0):
            store.contacts.reindex(person)
    return store.companies.get(current.id or 0) or changed


def archive_company(
    store: Store, ref: str, *, archived: bool = True, force: bool = False
) -> Company:
    """Archive a company (hidden from lists; its people stay as they are). Its people's open
    cases stop it unless `force`."""
    with store.write():
        company = resolve_company(store, ref)
        if archived and not force:
            cases = open_cases(store, company)
            if cases:
                raise Conflict(
                    f"{company.name} has {plural(len(cases), 'open case')}"
                    f" ({', '.join(f'{r.case.id}: {r.case.title}' for r in cases[:3])}):"
                    " archive anyway with --force; nothing was changed"
                )
        store.companies.update(replace(company, archived=archived))
        history.record(store, _company_changes(company, replace(company, archived=archived)))
    return replace(company, archived=archived, version=company.version + 1)


def _company_fields(company: Company) -> list[tuple[str, object]]:
    cadence = {None: "default", 0: "none"}
    return [
        ("name", company.name),
        ("owner", company.owner),
        ("cadence", cadence.get(company.cadence_days, company.cadence_days)),
        ("archived", "yes" if company.archived else "no"),
    ]


def _company_changes(before: Company, after: Company) -> list[Change]:
    """History: one row per field of a company that changed."""
    fields_before, fields_after = _company_fields(before), _company_fields(after)
    return history.differences("company", before.id, None, fields_before, fields_after)


def open_cases(store: Store, company: Company) -> list[CaseRow]:
    return store.cases.query(open_only=True, company_id=company.id)


@dataclass(frozen=True)
class CompanyCard:
    """Everything `companies show` and the TUI's company screen display."""

    company: Company
    owner: str | None  # the key account manager, else the owner of most of its people
    people: list[Contact]  # active, by name
    departures: list[Departed]
    sales: list[SaleRow]  # newest first, every sale that belongs to it
    revenue: dict[str, int]  # minor units per currency
    interval_days: int | None  # the usual gap between its purchase days (3 days or more)
    next_purchase_on: date | None
    open_cases: list[CaseRow]
    satisfaction: Trend | None  # every score of its people, on the latest one's scale
    latest_scores: list[tuple[str, Score]]  # each scored person's latest score
    last_interaction: tuple[str, date] | None  # who and when


def company_card(store: Store, ref: str, today: date) -> CompanyCard:
    with store.read():
        company = resolve_company(store, ref)
        assert company.id is not None
        (row,) = store.companies.rows(CompanyFilter(archived=None, ids=(company.id,)))
        people = store.contacts.query(ContactFilter(company_id=company.id))
        sales = store.sales.query(company_id=company.id)
        scores = {p.name: store.scores.for_contact(p.id or 0, until=today) for p in people}
        cases = open_cases(store, company)
        departures = store.companies.departures(company.id)
    revenue: dict[str, int] = {}
    for item in sales:
        revenue[item.sale.currency] = revenue.get(item.sale.currency, 0) + item.sale.amount_minor
    gap = median_gap(r.sale.sold_on for r in sales)
    interval = purchase_interval(gap) if gap is not None else None
    touched = [(p.name, p.last_touch_on) for p in people if p.last_touch_on]
    everyone = sorted((s for group in scores.values() for s in group), key=_score_order)
    return CompanyCard(
        company=company,
        owner=row.owner,
        people=people,
        departures=departures,
        sales=sales,
        revenue=revenue,
        interval_days=interval,
        next_purchase_on=sales[0].sale.sold_on + timedelta(days=interval) if interval else None,
        open_cases=cases,
        satisfaction=trend(everyone, today),
        latest_scores=[(name, group[-1]) for name, group in scores.items() if group],
        last_interaction=max(touched, key=lambda t: t[1]) if touched else None,
    )


def card_summary(card: CompanyCard) -> list[tuple[str, str | None]]:
    """The card's summary lines, as `companies show` and the TUI's company screen show them."""
    company = card.company
    owner = company.owner or (f"{card.owner} (owner of its people)" if card.owner else None)
    sales = ", ".join(format_minor(v, k) for k, v in sorted(card.revenue.items()))
    interval = (
        f"every {card.interval_days} days (next around {card.next_purchase_on})"
        if card.interval_days
        else "fewer than 3 purchase days"
        if card.sales
        else None
    )
    scores = [f"{name} {s.score} {s.scale.value.upper()}" + (" (low)" if s.is_low else "")
              for name, s in card.latest_scores]  # fmt: skip
    last = card.last_interaction
    return [
        ("Owner", owner),
        ("Keep in touch", f"every {company.cadence_days} days" if company.cadence_days
         else "each person's own cadence"),
        ("Sales", f"{len(card.sales)}: {sales}" if card.sales else None),
        ("Buys", interval),
        ("Open cases", str(len(card.open_cases)) if card.open_cases else None),
        ("Satisfaction", card.satisfaction.describe() if card.satisfaction else None),
        ("Latest scores", ", ".join(scores) or None),
        ("Last interaction", f"{last[1]} with {last[0]}" if last else None),
        ("Archived", "yes" if company.archived else None),
    ]  # fmt: skip


def _score_order(score: Score) -> tuple[date, int]:
    return score.scored_on, score.id or 0


def list_companies(store: Store, *, archived: bool = False) -> list[CompanyRow]:
    """Companies by name, with their people counted and their owner in force."""
    return store.companies.rows(CompanyFilter(archived=archived))
