"""Export the README's TUI screenshots (docs/images/tui-*.svg) from the demo data.

    .venv/bin/python scripts/tui_screenshots.py [OUT_DIR]

Builds `crm demo` data in a temporary database (dates relative to today) and saves the queue
(100×30), the customer list (100×30) and a customer card (100×50, Quentin Dubois: a case, NPS
scores and sales) as SVG.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def shoot(db: Path, out: Path) -> None:
    from tinycrm.services.contacts import resolve_ref
    from tinycrm.store import Store
    from tinycrm.tui.app import CrmApp

    store = Store.open(db, create=True)
    app = CrmApp(store, date.today())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.save_screenshot("tui-queue.svg", str(out))
        await pilot.press("f3")
        await pilot.pause(0.3)
        app.save_screenshot("tui-customers.svg", str(out))
        await pilot.resize_terminal(100, 50)
        app.open_customer(resolve_ref(store, "Quentin Dubois").id or 0)
        await pilot.pause(0.3)
        app.save_screenshot("tui-customer.svg", str(out))
    store.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        crm = Path(sys.executable).with_name("crm")
        subprocess.run([str(crm), "--db", str(db), "demo"], check=True, capture_output=True)
        asyncio.run(shoot(db, out))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
