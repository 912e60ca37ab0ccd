"""Demo data for sales, satisfaction and cases (registered in demo.EXTRA_SEEDERS).

Regular buyers make the reorder report show; a falling score trend and a low score show in
at-risk (the low one also creates a recovery follow-up); one case is open, one escalated."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tinycrm.config import DEFAULT_PLAYBOOK
from tinycrm.money import DEFAULT_CURRENCY
from tinycrm.services import cases, sales, satisfaction
from tinycrm.store import Store

PRODUCTS = [
    ("Helmet", "59.00"), ("Lights set", "34.50"), ("Tubeless tyre", "48.00"),
    ("Spring service", "89.00"), ("Chain", "24.99"), ("Bike computer", "129.00"),
    ("Rain jacket", "99.00"), ("E-bike battery check", "25.00"), ("Kids' helmet", "39.00"),
    ("Gravel bike", "1849.00"), ("Bottle cage", "12.00"), ("Brake pads", "18.50"),
]  # fmt: skip

# (person index, days between purchases, days since the last one, purchases, products)
REGULARS = [
    (0, 30, 28, 5, ["Chain", "Brake pads"]),
    (4, 45, 50, 4, ["Spring service"]),
    (12, 60, 58, 4, ["E-bike battery check", "Lights set"]),
    (5, 21, 20, 6, ["Spring service", "Tubeless tyre"]),
]


def seed_sales(store: Store, ids: list[int], today: date, rng: random.Random) -> dict[str, int]:
    """Sales, scores and cases for the demo shop; how many of each."""
    return {
        "sales": _add_sales(store, ids, today, rng),
        "scores": _add_scores(store, ids, today),
        "cases": _add_cases(store, ids, today),
    }


def _add_sales(store: Store, ids: list[int], today: date, rng: random.Random) -> int:
    count = 0
    for index, every, last, purchases, items in REGULARS:
        for k in range(purchases):
            on = today - timedelta(days=last + every * (purchases - 1 - k))
            product = items[k % len(items)]
            price = dict(PRODUCTS)[product]
            sales.add_sale(
                store, str(ids[index]), price, sold_on=on, today=today, currency=DEFAULT_CURRENCY,
                products=[product], playbook=DEFAULT_PLAYBOOK,
            )  # fmt: skip
            count += 1
    for index in range(len(ids)):
        if index in {r[0] for r in REGULARS} or index % 3 == 2:
            continue
        for _ in range(rng.randint(1, 2)):
            chosen = rng.sample(PRODUCTS, rng.randint(1, 2))
            cents = sum(int(price.replace(".", "")) for _, price in chosen)
            sales.add_sale(
                store, str(ids[index]), f"{cents // 100}.{cents % 100:02d}",
                sold_on=today - timedelta(days=rng.randint(3, 300)), today=today,
                currency=DEFAULT_CURRENCY, products=[name for name, _ in chosen],
                playbook=DEFAULT_PLAYBOOK,
            )  # fmt: skip
            count += 1
    return count


def _add_scores(store: Store, ids: list[int], today: date) -> int:
    count = 0
    # A falling trend (Ben: 5, 4, 3), a low score (Oliver: 1), NPS from a few promoters.
    for index, values, scale in [
        (1, [5, 4, 3], "csat"), (14, [3, 1], "csat"), (2, [9, 10], "nps"),
        (16, [8, 6], "nps"), (7, [5, 5], "csat"), (25, [4], "csat"),
    ]:  # fmt: skip
        for k, value in enumerate(values):
            on = today - timedelta(days=20 + 40 * (len(values) - 1 - k))
            satisfaction.add_score(
                store, str(ids[index]), str(value), on=on, today=today, scale_name=scale,
                source="survey", comment="after the spring service" if k == 0 else None,
            )  # fmt: skip
            count += 1
    return count


def _add_cases(store: Store, ids: list[int], today: date) -> int:
    cases.open_case(store, str(ids[5]), "Courier bike brakes squeal", today=today)
    escalated = cases.open_case(
        store, str(ids[16]), "Rental fleet delivered late", severity="high", today=today
    )
    cases.escalate(store, str(escalated.id), "Workshop lead", today)
    return 2
