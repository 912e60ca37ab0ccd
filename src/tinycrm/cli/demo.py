"""`crm demo`: load the sample shop into the chosen database."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state, today


def demo(ctx: typer.Context) -> None:
    """Load a sample data set (a small bicycle shop, dated around today) into an empty database."""
    from tinycrm.services.demo import load_demo  # only this command needs it (and `random`)

    app_state = state(ctx)
    report = load_demo(app_state.store, today())
    extras = "".join(f", {n} {what}" for what, n in report.extras.items())
    output.print_success(
        f"loaded {report.contacts} contacts, {report.notes} notes{extras} into {app_state.db_path}"
    )
