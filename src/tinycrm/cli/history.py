"""`crm history REF`: who changed what about a customer, and their interactions, by time."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state
from tinycrm.serialize.history import history_dict
from tinycrm.services import history as service
from tinycrm.services.contacts import resolve_ref

WHAT = output.Column("What", prose=True)
VIA = output.Column("Via", narrow_rank=1)


def history(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A customer's changes and interactions, oldest first: when, by whom, through which front
    end (cli, tui, digest, mail, import…), what changed from what to what."""
    store = state(ctx).store
    contact = resolve_ref(store, ref)
    entries = service.customer_history(store, contact.id or 0)
    if as_json:
        output.print_json([history_dict(e, service.describe(e.change)) for e in entries])
        return
    output.print_table(
        ["When", "Who", VIA, WHAT],
        (
            [
                f"{e.at.astimezone():%Y-%m-%d %H:%M}" if e.source else e.at.date().isoformat(),
                e.user or "",
                e.source or "",
                service.describe(e.change),
            ]
            for e in entries
        ),
        title=f"History of {contact.name}",
        empty=f"nothing recorded about {contact.name}",
    )
