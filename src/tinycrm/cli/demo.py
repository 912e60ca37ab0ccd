"""`crm demo`: load the sample shop into the chosen database."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state, today
from tinycrm.services.demo import load_demo


def demo(
    ctx: typer.Context,
    db_path: str = typer.Option(
        None, "--db", metavar="PATH", help="Load into this file (same as the global --db)."
    ),
) -> None:
    """Load a sample data set (a small bicycle shop, dated around today) into an empty database."""
    app_state = state(ctx)
    if db_path:
        app_state.db_option = db_path
    report = load_demo(app_state.store_to_add_to, today())
    extras = "".join(f", {n} {what}" for what, n in report.extras.items())
    output.print_success(
        f"loaded {report.contacts} contacts, {report.notes} notes{extras} into {app_state.db_path}"
    )
