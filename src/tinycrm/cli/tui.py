"""`crm tui`: the full-screen interface. Textual is imported only when this command runs."""

from __future__ import annotations

import sys

import typer

from tinycrm.cli.context import AS_OF_OPTION, as_of_date, state
from tinycrm.errors import CrmError, UsageError


def tui(ctx: typer.Context, as_of: str = AS_OF_OPTION) -> None:
    """Open the full-screen interface: the follow-up queue, customers, forms."""
    current = state(ctx)
    store = current.store  # a missing or damaged database is said first
    if not on_a_terminal():
        raise UsageError(
            "crm tui needs a terminal (its keyboard and screen); in a script or cron job use"
            " the commands, e.g. `crm follow-ups today` or `crm digest`"
        )
    from tinycrm.tui.app import CrmApp

    settings = current.settings
    app = CrmApp(store, as_of_date(ctx, as_of), day_first=settings.day_first, settings=settings)
    app.run()
    if app.crash_report or app.return_code:
        raise CrmError(app.crash_report or "the TUI stopped on an error")


def on_a_terminal() -> bool:
    """Whether `crm tui` can run here: Textual reads the keyboard on stdin and draws on stderr,
    and elsewhere (a pipe, cron) it would wait for ever."""
    return sys.stdin.isatty() and sys.stderr.isatty()
