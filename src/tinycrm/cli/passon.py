"""`crm pass-on TEXT --tag T`: one follow-up per tagged contact."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, WRITE_AS_OF_OPTION, as_of_date, due_date, state
from tinycrm.serialize.followups import follow_up_brief
from tinycrm.services.passon import pass_on as service_pass_on


def pass_on(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to pass on (news, an offer…)."),
    tag: str = typer.Option(..., "--tag", "-t", help="Everyone with this tag."),
    due: str = typer.Option(
        None, "--due", metavar="DATE", help="When (default today, or --as-of; +3d counts from it)."
    ),
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a pass-on follow-up for every active contact with the tag, in one go.

    Contacts who asked for no news or offers (`contacts edit REF --no-news`, or on the
    portal) are left out and counted."""
    day = as_of_date(ctx, as_of)
    when = due_date(ctx, due, day)
    done = service_pass_on(state(ctx).store, text, tag, when)
    skipped = f"; {done.skipped} skipped (asked for no news)" if done.skipped else ""
    output.print_result(
        [follow_up_brief(f) for f in done.created],
        f"{len(done.created)} pass-on follow-ups due {when}{skipped}",
        as_json=as_json,
    )
    if as_json and skipped:
        output.print_notice(f"{done.skipped} skipped (asked for no news)")
