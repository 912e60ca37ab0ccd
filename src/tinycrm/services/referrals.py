"""Referrals: thanking the one who referred a new customer, and who brought whom."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from itertools import groupby

from tinycrm.dates import next_open_day
from tinycrm.models import Contact, FollowUp
from tinycrm.models.referrals import ReferredContact, Referrer
from tinycrm.services import history
from tinycrm.services.atrisk import Page
from tinycrm.store import Store
from tinycrm.store.referrals import ReferralSales
from tinycrm.vocabulary import FollowUpKind

# The thank-you falls due this many days after the first purchase, as the after-sale call does.
THANKS_DAYS = 2


def thanks_source(contact_id: int) -> str:
    """What the thank-you for referring `contact_id` is stored as created by: one per contact."""
    return f"referral:{contact_id}"


def thanks_title(referrer: str, referred: str) -> str:
    return f"Thank {referrer} for referring {referred}"


def forget_in_thanks(store: Store, contact_id: int, placeholder: str) -> None:
    """The thank-you for referring a forgotten contact names `placeholder` instead."""
    for follow_up_id, referrer_id in store.referrals.thanks(thanks_source(contact_id)):
        referrer = store.contacts.get(referrer_id)
        if referrer is not None:
            store.referrals.retitle(follow_up_id, thanks_title(referrer.name, placeholder))


def thank_referrer(
    store: Store,
    contact: Contact,
    sold_on: date,
    today: date,
    open_days: frozenset[int] | None = None,
) -> FollowUp | None:
    """On a referred contact's first purchase, a thank-you follow-up for the (active) contact
    who referred them, due two days after the sale (today at the earliest): once per referred
    contact, whatever happens to their sales later."""
    if contact.referred_by is None or contact.id is None:
        return None
    source = thanks_source(contact.id)
    referrer = store.contacts.get(contact.referred_by)
    if referrer is None or referrer.archived or store.referrals.thanks(source):
        return None
    assert referrer.id is not None
    due = next_open_day(max(sold_on + timedelta(days=THANKS_DAYS), today), open_days)
    item = FollowUp(
        contact_id=referrer.id,
        title=thanks_title(referrer.name, contact.name),
        kind=FollowUpKind.THANK_YOU,
        due_on=due,
        source=source,
    )
    item = replace(item, id=store.follow_ups.insert(item))
    history.record(store, [history.follow_up_added(item)])
    return item


def referrals_report(
    store: Store, as_of: date, currency: str, limit: int | None = None
) -> Page[Referrer]:
    """Every referrer with the contacts they brought and those contacts' purchases up to
    `as_of`: the one who brought the most customers first, then the most revenue in
    `currency` (the shop's own), then the most people referred, then by name. The first
    `limit` of them and how many there are; only a page of referrers is held at a time."""
    total = 0

    def counted() -> Iterator[Referrer]:
        nonlocal total
        for referrer in _referrers(store.referrals.sales(as_of)):
            total += 1
            yield referrer

    def rank(r: Referrer) -> tuple[int, int, int, str, int]:
        return (-r.customers, -r.revenue.get(currency, 0), -len(r.referred), r.name.lower(),
                r.contact_id)  # fmt: skip

    rows = heapq.nsmallest(limit, counted(), key=rank) if limit else sorted(counted(), key=rank)
    return Page(total, rows)


def _referrers(rows: Iterator[ReferralSales]) -> Iterator[Referrer]:
    """One referrer at a time from their rows (which come by referrer)."""
    for referrer_id, group in groupby(rows, key=lambda row: row.referrer_id):
        name = ""
        referred: dict[int, ReferredContact] = {}
        for row in group:
            name = row.referrer
            person = referred.setdefault(
                row.contact_id, ReferredContact(row.contact_id, row.name, None, {})
            )
            if row.currency is not None:
                person.revenue[row.currency] = row.revenue_minor
                first = min(d for d in (person.first_purchase_on, row.first_on) if d is not None)
                referred[row.contact_id] = replace(person, first_purchase_on=first)
        yield Referrer(referrer_id, name, tuple(referred.values()))
