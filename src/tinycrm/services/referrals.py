"""Referrals: thanking the one who referred a new customer, and who brought whom."""

from __future__ import annotations

import heapq
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date, timedelta
from itertools import groupby

from tinycrm.dates import next_open_day
from tinycrm.models.contacts import Contact
from tinycrm.models.followups import FollowUp
from tinycrm.models.referrals import ReferredContact, Referrer
from tinycrm.models.reports import Page
from tinycrm.services import history
from tinycrm.store import Store
from tinycrm.store.referrals import RankKey, ReferralSales
from tinycrm.vocabulary import FollowUpKind
from tinycrm.wording import TOTAL_LIMIT

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
    `limit` of them and how many there are (with a limit, counted up to TOTAL_LIMIT past the
    page only: wording.py).

    A page is read from the kept counts and sums (schema 21) in their rank order: the first
    `limit` referrers with revenue in `currency`, those without (fewer customers, or revenue
    0 in it) that could rank among them, and the referrers one of whose people bought after
    `as_of` (their kept sums are too new); only those are built from their sales and ranked.
    A look back past more than TOTAL_LIMIT such referrers ranks them all, as without a limit."""

    def rank(r: Referrer) -> tuple[int, int, int, str, int]:
        return (-r.customers, -r.revenue.get(currency, 0), -len(r.referred), r.name.lower(),
                r.contact_id)  # fmt: skip

    late = store.referrals.late_referrers(as_of) if limit else set()
    if not limit or len(late) > TOTAL_LIMIT:
        everyone = sorted(_referrers(store.referrals.sales(as_of)), key=rank)
        return Page(len(everyone), everyone[:limit] if limit else everyone)
    with_revenue = _head(store.referrals.ranked_in(currency), late, limit)
    least = 0
    if len(with_revenue) >= limit:
        # Who has no revenue in `currency` ranks after the page's last unless they brought
        # more customers (or as many, when the last one's revenue is 0).
        customers, revenue, _ = with_revenue[limit - 1][1]
        least = customers + 1 if revenue > 0 else customers
    without = _head(store.referrals.ranked_without(currency, least), late, limit)
    candidates = {referrer for referrer, _ in with_revenue + without} | late
    rows = heapq.nsmallest(
        limit, _referrers(store.referrals.sales(as_of, sorted(candidates))), key=rank
    )
    return Page(store.referrals.count(TOTAL_LIMIT + 1 + limit), rows)


def _head(
    ranked: Generator[tuple[int, RankKey], None, None], skipped: set[int], size: int
) -> list[tuple[int, RankKey]]:
    """The first `size` referrers of a walk in rank order, and every one tied with the last
    of them (the name decides between them, in Python's case folding); `skipped` left out.
    Stops the walk there."""
    taken: list[tuple[int, RankKey]] = []
    with closing(ranked):
        for referrer, key in ranked:
            if len(taken) >= size and key != taken[size - 1][1]:
                break
            if referrer not in skipped:
                taken.append((referrer, key))
    return taken


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
