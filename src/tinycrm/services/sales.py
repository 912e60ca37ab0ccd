"""Recording sales (with the after-sale playbook) and money spent on customers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from tinycrm import money, validation
from tinycrm.config import PlaybookStep
from tinycrm.dates import PartialDate, next_open_day
from tinycrm.errors import UsageError
from tinycrm.models.contacts import Anniversary, Contact
from tinycrm.models.followups import FollowUp
from tinycrm.models.sales import Cost, Sale
from tinycrm.services import history, referrals
from tinycrm.services.contacts import record_contact_changes, resolve_ref
from tinycrm.store import Store
from tinycrm.store.sales import SaleRow
from tinycrm.vocabulary import FollowUpKind

CUSTOMER_SINCE = "customer since"
COST_KINDS = ("gift", "discount")


@dataclass
class SaleResult:
    sale: Sale
    contact_name: str
    follow_ups: list[FollowUp] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)  # already past when recorded
    customer_since_set: bool = False
    referral_thanks: FollowUp | None = None  # for the one who referred a first-time buyer


def product_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise UsageError("a product name cannot be empty")
    if len(name) > 200:
        raise UsageError("a product name can be at most 200 characters")
    return name


def add_sale(
    store: Store,
    ref: str,
    amount: str,
    *,
    sold_on: date,
    today: date,
    currency: str,
    products: list[str] | None = None,
    playbook: tuple[PlaybookStep, ...] = (),
    follow_up: bool = True,
    open_days: frozenset[int] | None = None,
    thank_referrer: bool = True,
) -> SaleResult:
    """Record a sale in one transaction: the sale and its products, the after-sale playbook's
    follow-ups (steps already in the past on `today` are skipped), and "customer since" on the
    first sale when the contact has none. A sale also counts as an interaction. A step that
    falls on a closed day (not in `open_days`, the config's business days) moves to the next
    open one. A referred contact's first sale thanks the referrer (`thank_referrer`, the
    config's [playbook] after_referral), unless `follow_up` is off."""
    validation.happened_on(sold_on, today, "the sale's date")
    code = money.currency(currency)
    minor = money.parse_amount(amount, code)
    items = tuple(product_name(p) for p in products or [])
    steps = [(_playbook_kind(step), step) for step in playbook] if follow_up else []
    with store.write():
        contact = resolve_ref(store, ref)
        assert contact.id is not None
        first = store.sales.count_for_contact(contact.id) == 0
        sale = Sale(contact.id, sold_on, minor, code, items)
        sale = replace(sale, id=store.sales.insert(sale))
        history.record(store, [history.sale_added(sale)])
        result = SaleResult(sale, contact.name)
        _add_playbook_steps(store, result, steps, today, open_days)
        if first and not any(a.label.lower() == CUSTOMER_SINCE for a in contact.anniversaries):
            _set_customer_since(store, contact, sold_on)
            result.customer_since_set = True
        if first and follow_up and thank_referrer:
            result.referral_thanks = referrals.thank_referrer(
                store, contact, sold_on, today, open_days
            )
        store.contacts.touch(contact.id, sold_on)
    return result


def _add_playbook_steps(
    store: Store,
    result: SaleResult,
    steps: list[tuple[FollowUpKind, PlaybookStep]],
    today: date,
    open_days: frozenset[int] | None,
) -> None:
    """The after-sale playbook's follow-ups for `result`'s sale, each on its first open day;
    steps already past on `today` are skipped."""
    sale = result.sale
    for kind, step in steps:
        due = next_open_day(sale.sold_on + timedelta(days=step.days), open_days)
        if due < today:
            result.skipped_steps.append(step.title)
            continue
        item = FollowUp(
            contact_id=sale.contact_id, title=step.title, kind=kind, due_on=due,
            source=f"sale:{sale.id}",
        )  # fmt: skip
        result.follow_ups.append(replace(item, id=store.follow_ups.insert(item)))
        history.record(store, [history.follow_up_added(result.follow_ups[-1])])


def _set_customer_since(store: Store, contact: Contact, sold_on: date) -> None:
    """A first sale is the "customer since" anniversary (kept in the contact's history)."""
    since = Anniversary(CUSTOMER_SINCE, PartialDate(sold_on.month, sold_on.day, sold_on.year))
    before = replace(contact)
    contact.anniversaries = [*contact.anniversaries, since]
    store.contacts.update(contact)
    record_contact_changes(store, before, contact)


def _playbook_kind(step: PlaybookStep) -> FollowUpKind:
    try:
        return FollowUpKind(step.kind)
    except ValueError:
        allowed = ", ".join(k.value for k in FollowUpKind)
        raise UsageError(
            f"config: playbook step kind {step.kind!r} is not a follow-up kind ({allowed})"
        ) from None


def list_sales(store: Store, ref: str | None = None, limit: int | None = None) -> list[SaleRow]:
    contact_id = resolve_ref(store, ref).id if ref else None
    return store.sales.query(contact_id, limit)


def add_cost(
    store: Store,
    ref: str,
    amount: str,
    *,
    kind: str,
    spent_on: date,
    currency: str,
    note: str | None = None,
) -> Cost:
    """Record a gift or a discount granted: it counts against the customer's profit."""
    kind = kind.strip().lower()
    if kind not in COST_KINDS:
        raise UsageError(f"unknown cost kind {kind!r} (one of: {', '.join(COST_KINDS)})")
    code = money.currency(currency)
    minor = money.parse_amount(amount, code, allow_zero=False)
    with store.write():
        contact = resolve_ref(store, ref)
        cost = Cost(contact.id or 0, spent_on, kind, minor, code, (note or "").strip() or None)
        cost = replace(cost, id=store.sales.insert_cost(cost))
        history.record(store, [history.cost_added(cost)])
        return cost
