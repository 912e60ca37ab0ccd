"""`crm tui`: the full-screen interface. Textual is imported only when this command runs."""

from __future__ import annotations

import typer

from tinycrm.cli.context import AS_OF_OPTION, as_of_date, state
from tinycrm.errors import CrmError


def tui(ctx: typer.Context, as_of: str = AS_OF_OPTION) -> None:
    """Open the full-screen interface: the follow-up queue, customers, forms."""
    from tinycrm.tui.app import CrmApp

    current = state(ctx)
    settings = current.settings
    app = CrmApp(
        current.store, as_of_date(ctx, as_of), day_first=settings.day_first, settings=settings
    )
    app.run()
    if app.crash_report or app.return_code:
        raise CrmError(app.crash_report or "the TUI stopped on an error")
