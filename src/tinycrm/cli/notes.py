"""`crm notes …`: log notes and interactions, and read them back."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import (
    JSON_OPTION,
    WRITE_AS_OF_OPTION,
    as_of_date,
    happened_on,
    read_date,
    state,
)
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.serialize.notes import note_dict
from tinycrm.services import notes as service
from tinycrm.services.contacts import get_contact

app = CrmTyper(
    add_completion=False,
    help="Log notes and interactions (calls, emails, visits…).",
    no_args_is_help=True,
)

CHANNEL = output.Column("Channel", narrow_rank=1)
NOTE = output.Column("Note", prose=True)


@app.command("add")
def add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    text: str = typer.Argument(..., help="What happened or what to remember."),
    channel: str = typer.Option(
        None,
        "--channel",
        "-c",
        help="Log an interaction: call, email, visit, meeting, letter, video, chat, other.",
    ),
    at: str = typer.Option(None, "--at", metavar="DATE", help="When (default today)."),
    minutes: int = typer.Option(None, "--minutes", min=0, help="How long it took."),
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a note; with --channel it counts as an interaction and resets keep-in-touch."""
    day = as_of_date(ctx, as_of)
    on = happened_on(ctx, at, day)
    note = service.add_note(state(ctx).store, ref, text, on, channel, minutes, today=day)
    if as_json:
        output.print_json(note_dict(note))
    else:
        kind = f"{note.channel.value} logged" if note.channel else "note added"
        name = get_contact(state(ctx).store, note.contact_id).name
        output.print_success(f"{kind} for {name} on {note.on}")


@app.command("list")
def list_(
    ctx: typer.Context,
    ref: str = typer.Argument(None, help="Only this contact's notes."),
    since: str = typer.Option(None, "--since", metavar="DATE", help="Only notes on or after."),
    limit: int = typer.Option(
        100, "--limit", "-n", min=0, max=1_000_000, help="At most this many (0: all)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Notes, newest first."""
    since_date = read_date(ctx, since, prefer="past") if since else None
    rows = service.list_notes(state(ctx).store, ref, since_date, limit or None)
    if as_json:
        output.print_json([note_dict(r.note, r.contact_name) for r in rows])
        return
    output.print_table(
        ["Date", "Contact", CHANNEL, NOTE],
        ([r.note.on, r.contact_name, r.note.channel.value if r.note.channel else "", r.note.body]
         for r in rows),
        empty="no notes",
    )  # fmt: skip
