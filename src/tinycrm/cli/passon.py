"""`crm pass-on TEXT --tag T`: one follow-up per tagged contact."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, read_date, state, today
from tinycrm.serialize.followups import follow_up_brief
from tinycrm.services.passon import pass_on as service_pass_on


def pass_on(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to pass on (news, an offer…)."),
    tag: str = typer.Option(..., "--tag", "-t", help="Everyone with this tag."),
    due: str = typer.Option(None, "--due", metavar="DATE", help="When (default today)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a pass-on follow-up for every active contact with the tag, in one go."""
    when = read_date(ctx, due) if due else today()
    created = service_pass_on(state(ctx).store, text, tag, when)
    output.print_result(
        [follow_up_brief(f) for f in created],
        f"{len(created)} pass-on follow-ups due {when}",
        as_json=as_json,
    )
