"""TUI targets at scale: queue screen ready, customer card with 1,000 notes, peak memory.

    python bench/tui_startup.py [--db PATH] [--contacts 100000] [--follow-ups 200000]

Builds the database once (bulk SQL, outside the product's code path), then measures in a fresh
process each: from process start to the queue screen drawn in a headless `run_test`; opening a
customer with 1,000 notes; peak RSS. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 11, 26)
KINDS = ["thank-you", "check-in", "reorder", "recovery", "case", "pass-on", "custom"]
TYPES = ["transactional", "long-term", "personal", "dedicated", "community", None]
STAGES = ["exploration", "awareness", "expansion", "commitment", "dissolution"]


def build(path: Path, contacts: int, follow_ups: int) -> None:
    from tinycrm.store import Store

    if path.exists():
        return
    rng = random.Random(7)
    store = Store.open(path)
    stamp = "2026-01-01T00:00:00+00:00"
    with store.write() as conn:
        conn.executemany(
            """INSERT INTO contacts (id, name, relationship_type, stage, touch_anchor_on,
                 birthday, birthday_md, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    i,
                    f"Customer {i:06d} {rng.choice(['Souza', 'Okafor', 'Martin', 'Ivanov'])}",
                    rng.choice(TYPES),
                    rng.choice(STAGES),
                    (TODAY - timedelta(days=rng.randint(0, 700))).isoformat(),
                    f"1980-{m:02d}-{d:02d}",
                    f"{m:02d}-{d:02d}",
                    stamp,
                    stamp,
                )
                for i in range(1, contacts + 1)
                for m, d in [(rng.randint(1, 12), rng.randint(1, 28))]
            ],
        )
        conn.executemany(
            """INSERT INTO follow_ups (contact_id, title, kind, due_on, status, created_at)
               VALUES (?, ?, ?, ?, 'open', ?)""",
            [
                (
                    rng.randint(1, contacts),
                    f"Follow-up {i}",
                    rng.choice(KINDS),
                    (TODAY + timedelta(days=rng.randint(-400, 200))).isoformat(),
                    stamp,
                )
                for i in range(follow_ups)
            ],
        )
        conn.executemany(
            """INSERT INTO notes (contact_id, body, channel, noted_on, created_at)
               VALUES (1, ?, ?, ?, ?)""",
            [
                (f"Note {i} about the order", rng.choice([None, "call", "email"]),
                 (TODAY - timedelta(days=i)).isoformat(), stamp)
                for i in range(1000)
            ],
        )  # fmt: skip
        conn.execute(
            "INSERT INTO search_index (rowid, body, contact_id) SELECT -id, name, id FROM contacts"
        )
    store.close()


CHILD = r"""
import asyncio, json, resource, sys, time
t0 = float(sys.argv[2])
from datetime import date
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.screens.customer import CustomerScreen

async def main():
    app = CrmApp(Store.open(sys.argv[1]), date(2026, 11, 26))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        ready = time.time() - t0
        start = time.perf_counter()
        app.open_customer(1)
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        card = time.perf_counter() - start
        start = time.perf_counter()
        app.screen.action_more_notes(); app.screen.action_more_notes()
        app.screen.action_more_notes(); app.screen.action_more_notes()
        app.screen.action_more_notes()
        await pilot.pause()
        all_notes = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"queue_ready_s": round(ready, 3), "open_customer_1000_notes_ms":
        round(card * 1000, 1), "all_1000_notes_ms": round(all_notes * 1000, 1),
        "peak_rss_mb": round(peak, 1)}))

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/tinycrm-bench-tui.db")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--follow-ups", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.db)
    build(path, args.contacts, args.follow_ups)
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(time.time())],
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
