"""The TUI's three targets in one process: queue ready, a customer opened, peak memory.

    python bench/tui_ready.py DB [--as-of DATE] [--customer REF] [--exit-at-ready]

Starts the TUI headless (`App.run_test()`, 100×30) on DB and prints one JSON line:
  queue_ready_ms      process start → the queue screen mounted and filled (the start time is
                      the kernel's, from /proc/self/stat: 10 ms resolution)
  open_customer_ms    0.5 s after the queue is ready (a person reads it first), opening a
                      customer (REF: id, name or email) → its card drawn
  reopen_customer_ms  back to the queue and open the same customer again
  peak_rss_mb         the process's peak RSS after all of it
`--exit-at-ready` stops at the queue (no teardown), so the process's own wall time is the
"process start → queue ready" figure. Exit codes: 0 ok, 2 usage, 3 no TUI, 4 timeout.

The app is built as `crm --db DB tui` builds it (default settings); a screen is ready when it
is shown and its `loaded` is set. bench/run.py reads the JSON line for the TUI rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from datetime import date
from typing import Any

TIMEOUT_S = 30.0


def _process_age_s() -> float:
    """Seconds since this process started, from the kernel's start time (clock ticks)."""
    with open("/proc/self/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


def _fail(code: int, message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    os._exit(code)


async def _until(pilot: Any, test: Any) -> None:
    """Process the screen's pending messages until `test()`, then paint the screen.

    This is `Pilot.pause()` without its wait for the CPU to go idle (sleeps of 20 ms and
    more, which would blur a 100 ms figure); Textual has no public "drain and paint"."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT_S
    while loop.time() < deadline:
        await pilot._wait_for_screen()
        if test():
            pilot.app.screen._on_timer_update()  # what a pause does last: draw now
            return
        await asyncio.sleep(0.001)
    _fail(4, f"not ready within {TIMEOUT_S:.0f} s")


async def _main(opts: argparse.Namespace) -> None:
    try:
        from tinycrm.services.contacts import resolve_ref
        from tinycrm.store import Store
        from tinycrm.tui.app import CrmApp
        from tinycrm.tui.screens.customer import CustomerScreen
        from tinycrm.tui.screens.queue import QueueScreen
    except ModuleNotFoundError:
        _fail(3, "tinycrm.tui does not exist")
    today = date.fromisoformat(opts.as_of) if opts.as_of else date.today()
    app = CrmApp(Store.open(opts.db), today)
    figures: dict[str, float] = {}

    def shown(kind: type) -> bool:
        return isinstance(app.screen, kind) and bool(getattr(app.screen, "loaded", False))

    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: shown(QueueScreen))
        figures["queue_ready_ms"] = round(_process_age_s() * 1000, 1)
        if opts.exit_at_ready:
            print(json.dumps(figures), flush=True)
            os._exit(0)  # skip teardown: the process's wall time is the figure
        if opts.customer:
            await pilot.pause(0.5)  # a person reads the queue before opening a customer
            for name in ("open_customer_ms", "reopen_customer_ms"):
                start = time.perf_counter()
                app.open_customer(resolve_ref(app.store, opts.customer).id or 0)
                await _until(pilot, lambda: shown(CustomerScreen))
                figures[name] = round((time.perf_counter() - start) * 1000, 1)
                app.pop_screen()
                await pilot.pause()
                await pilot.pause(0.2)  # let the queue settle, as a person would
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures), flush=True)
    os._exit(0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--as-of", help="the TUI's today (default: the real today)")
    parser.add_argument("--customer", metavar="REF", help="a customer to open (id, name, email)")
    parser.add_argument("--exit-at-ready", action="store_true")
    options = parser.parse_args()
    os.environ["CRM_DB"] = options.db
    asyncio.run(_main(options))
