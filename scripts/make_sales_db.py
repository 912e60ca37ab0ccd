"""Generate a large seeded database for timing the sales reports (not part of the test suite).

    .venv/bin/python scripts/make_sales_db.py /tmp/sales100k.db [--contacts 100000] [--sales 500000]

Rows go in with executemany in one transaction; dates are relative to --today (default 2026-11-26).
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

from tinycrm.store import Store

TYPES = ["transactional", "long-term", "personal", "dedicated", "self-service", "community", None]
STAGES = ["exploration", "awareness", "expansion", "commitment", "dissolution", None]
PRODUCTS = [f"product-{n:03d}" for n in range(200)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=500_000)
    parser.add_argument("--scores", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--today", default="2026-11-26")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    path = Path(args.path)
    if path.exists():
        raise SystemExit(f"{path} exists")
    today = date.fromisoformat(args.today)
    rng = random.Random(args.seed)
    store = Store.open(path, create=True)
    stamp = "2026-01-01T00:00:00+00:00"

    def day(back: int) -> str:
        return (today - timedelta(days=back)).isoformat()

    with store.write() as conn:
        conn.executemany(
            """INSERT INTO contacts (id, name, relationship_type, stage, last_touch_on,
                 touch_anchor_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (i, f"Contact {i}", rng.choice(TYPES), rng.choice(STAGES),
                 day(rng.randint(0, 400)) if rng.random() < 0.8 else None, day(900), stamp, stamp)
                for i in range(1, args.contacts + 1)
            ],
        )  # fmt: skip
        sales = []
        items = []
        # Regular buyers (interval per contact) for a third; random dates for the rest.
        per_contact = max(1, args.sales // args.contacts)
        sale_id = 0
        while sale_id < args.sales:
            contact = rng.randint(1, args.contacts)
            regular = contact % 3 == 0
            interval = 20 + contact % 70
            start = rng.randint(0, 200)
            for k in range(rng.randint(1, per_contact * 2 - 1)):
                sale_id += 1
                back = start + k * interval if regular else rng.randint(0, 1000)
                sales.append((sale_id, contact, day(back), rng.randint(500, 50_000), "EUR", stamp))
                items.append((sale_id, 0, PRODUCTS[(contact + k * rng.randint(0, 3)) % 200]))
                if sale_id >= args.sales:
                    break
        conn.executemany(
            """INSERT INTO sales (id, contact_id, sold_on, amount_minor, currency, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            sales,
        )
        conn.executemany(
            "INSERT INTO sale_items (sale_id, position, product) VALUES (?, ?, ?)", items
        )
        conn.executemany(
            """INSERT INTO satisfaction (contact_id, scored_on, scale, score, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            [
                (rng.randint(1, args.contacts), day(rng.randint(0, 700)), "csat",
                 rng.randint(1, 5), stamp)
                for _ in range(args.scores)
            ],
        )  # fmt: skip
        cases = []
        for n in range(args.cases):
            opened = rng.randint(0, 300)
            resolved = day(max(0, opened - rng.randint(0, 10))) if n % 4 else None
            cases.append((rng.randint(1, args.contacts), f"case {n}", "normal", day(opened),
                          day(opened - 3), resolved, stamp))  # fmt: skip
        conn.executemany(
            """INSERT INTO cases (contact_id, title, severity, opened_on, target_on, resolved_on,
                 created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            cases,
        )
    store.db.conn.execute("ANALYZE")
    store.close()
    print(f"{path}: {args.contacts} contacts, {len(sales)} sales, {args.scores} scores")


if __name__ == "__main__":
    main()
