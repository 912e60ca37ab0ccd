"""`crm demo`: load the sample shop into the chosen database."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import as_of_date, state
from tinycrm.services.demo import TEAM, load_demo, load_team


def demo(
    ctx: typer.Context,
    db_path: str = typer.Option(
        None, "--db", metavar="PATH", help="Load into this file (same as the global --db)."
    ),
    as_of: str = typer.Option(
        None,
        "--as-of",
        metavar="DATE",
        help="Date the shop around this day instead of today: the same day gives the same"
        " data, so a walkthrough's handles hold (docs/day-with-tinycrm.md uses 2026-11-26).",
    ),
    team: bool = typer.Option(
        False, "--team", help="Add a three-person team (you are its admin) owning the customers."
    ),
) -> None:
    """Load a sample data set (a small bicycle shop, dated around today) into an empty database."""
    app_state = state(ctx)
    if db_path:
        app_state.db_option = db_path
    day = as_of_date(ctx, as_of)
    report = load_demo(app_state.store_to_add_to, day)
    extras = "".join(f", {n} {what}" for what, n in report.extras.items())
    output.print_success(
        f"loaded {report.contacts} contacts, {report.notes} notes{extras} into {app_state.db_path}"
    )
    if team:
        owned = load_team(app_state.store)
        shares = ", ".join(f"{name} {n}" for name, n in owned.items())
        output.print_success(f"added a team of {len(TEAM)} (customers owned: {shares})")
