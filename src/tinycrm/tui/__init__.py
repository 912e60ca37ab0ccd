"""The Textual TUI (`crm tui`): the morning queue, customers, and forms over the same services.

Nothing here runs SQL or decides a business rule: screens call `tinycrm.services` and show the
result. Textual is imported only when this package's modules are, never on the CLI's start-up
path (this file imports nothing heavy).

`bench_*` are the hooks bench/tui_ready.py uses to time the TUI the way a user meets it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.tui.app import CrmApp


def bench_app(db_path: str, today: date | None = None) -> CrmApp:
    """The app as `crm --db DB tui` builds it (default settings)."""
    from tinycrm.store import Store
    from tinycrm.tui.app import CrmApp

    return CrmApp(Store.open(db_path), today or date.today())


def bench_ready(app: CrmApp) -> bool:
    """The queue screen is shown and filled."""
    from tinycrm.tui.screens.queue import QueueScreen

    return isinstance(app.screen, QueueScreen) and app.screen.loaded


def bench_open_customer(app: CrmApp, ref: str) -> None:
    from tinycrm.services.contacts import resolve_ref

    app.open_customer(resolve_ref(app.store, ref).id or 0)


def bench_customer_ready(app: CrmApp) -> bool:
    from tinycrm.tui.screens.customer import CustomerScreen

    return isinstance(app.screen, CustomerScreen) and app.screen.loaded
