"""The fast at-risk ranking returns exactly what an independent reference returns
(tests/at_risk_reference.py, plain Python over the raw rows): same total, same rows in the same
order, for as-of days before, among and after the data (the history recomputation), every page
size, archived contacts, skipped and snoozed check-ins, contacts with several reasons and ties
on the check-in day."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from at_risk_reference import at_risk_reference
from tinycrm.services import cases, satisfaction
from tinycrm.services.contacts import ContactFields, add_contact, set_archived
from tinycrm.services.followups.actions import skip, snooze
from tinycrm.services.notes import add_note
from tinycrm.store import Store

START = date(2025, 1, 1)
TYPES = [None, "dedicated", "personal", "long-term", "community"]
AS_OF = [date(2024, 12, 1), date(2025, 3, 1), date(2025, 6, 15), date(2025, 9, 30),
         date(2026, 1, 10), date(2027, 1, 1)]  # fmt: skip


def day(rng: random.Random, span: int = 540) -> date:
    return START + timedelta(days=rng.randrange(span))


def populate(store: Store, seed: int, contacts: int = 240) -> None:
    rng = random.Random(seed)
    for n in range(contacts):
        # A few creation days only, so that many contacts share a check-in day (ties by id).
        created = START + timedelta(days=rng.choice([0, 0, 0, 30, 90, 200]))
        cadence = rng.choice([None, None, None, "0", "7", "45"])
        contact = add_contact(
            store,
            ContactFields(name=f"C{n}", relationship_type=rng.choice(TYPES), cadence=cadence),
            created,
        )
        assert contact.id is not None
        ref = str(contact.id)
        for _ in range(rng.choice([0, 0, 1, 2])):
            add_note(store, ref, "call", day(rng), "call")
        due = store.follow_ups.check_in_due_on(contact.id)
        if due is not None and rng.random() < 0.2:
            handle = f"c{contact.id}-{due}"
            acted = due + timedelta(days=rng.randrange(-5, 60))
            if rng.random() < 0.5:
                skip(store, handle, max(acted, due))
            else:
                snooze(store, handle, due + timedelta(days=rng.randrange(1, 90)), due)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            scale = rng.choice(["csat", "nps"])
            score = rng.randint(1, 5) if scale == "csat" else rng.randint(0, 10)
            on = day(rng)
            satisfaction.add_score(store, ref, str(score), on=on, today=on, scale_name=scale)
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            opened = day(rng)
            case = cases.open_case(store, ref, "problem", today=opened)
            if rng.random() < 0.5:
                cases.resolve(store, str(case.id), "fixed",
                              today=opened + timedelta(days=rng.randrange(60)))  # fmt: skip
        if rng.random() < 0.12:
            set_archived(store, ref)


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_at_risk_matches_the_reference(store: Store, seed: int) -> None:
    populate(store, seed)
    several = 0
    for as_of in AS_OF:
        for limit in (None, 0, 1, 10, 50, 100):
            got = store.at_risk.at_risk(as_of, limit)
            assert got == at_risk_reference(store.db.conn, as_of, limit), (as_of, limit)
        total, rows = store.at_risk.at_risk(as_of)
        assert total == len(rows)
        several += sum(
            (r.days_late is not None) + (r.score is not None) + (r.open_cases > 0) > 1 for r in rows
        )
    # The data set exercises what the fast path treats apart.
    assert several > 0


def test_empty_database(store: Store) -> None:
    assert store.at_risk.at_risk(date(2026, 11, 26), 10) == (0, [])
    assert at_risk_reference(store.db.conn, date(2026, 11, 26), 10) == (0, [])
