"""`crm satisfaction …`: record scores and read a customer's trend."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import (
    AS_OF_OPTION,
    JSON_OPTION,
    WRITE_AS_OF_OPTION,
    as_of_date,
    happened_on,
    state,
)
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.serialize.satisfaction import history_dict, score_result_dict
from tinycrm.services import satisfaction as service

app = CrmTyper(
    add_completion=False, help="Satisfaction scores (CSAT 1-5, NPS 0-10).", no_args_is_help=True
)


@app.command("add", context_settings={"ignore_unknown_options": True})
def add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    score: str = typer.Argument(..., help="CSAT 1-5 or NPS 0-10."),
    scale: str = typer.Option("csat", "--scale", "-s", help="csat (1-5) or nps (0-10)."),
    comment: str = typer.Option(None, "--comment", "-m", help="What the customer said."),
    on: str = typer.Option(None, "--date", "-d", metavar="DATE", help="When (default today)."),
    source: str = typer.Option(None, "--source", help="Where it came from (survey, call…)."),
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a score; a low one (CSAT <= 2, NPS <= 6) creates a recovery follow-up."""
    now = as_of_date(ctx, as_of)
    result = service.add_score(
        state(ctx).store,
        ref,
        score,
        on=happened_on(ctx, on, now),
        today=now,
        scale_name=scale,
        comment=comment,
        source=source,
        open_days=state(ctx).settings.business_days,
    )
    if as_json:
        output.print_json(score_result_dict(result))
        return
    item = result.score
    output.print_success(
        f"{item.scale.value.upper()} {item.score} recorded for {result.contact_name}"
        f" on {item.scored_on}"
    )
    if result.recovery:
        output.print_line(
            f"  low score: recovery follow-up {result.recovery.id} due {result.recovery.due_on}"
        )


@app.command("history")
def history(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A customer's scores, oldest first, and the trend in one line."""
    day = as_of_date(ctx, as_of)
    found = service.history(state(ctx).store, ref, day)
    trend = found.trend
    if as_json:
        output.print_json(history_dict(found, day))
        return
    output.print_table(
        ["Date", "Scale", "Score", "Source", "Comment"],
        ([s.scored_on, s.scale.value, s.score, s.source, s.comment] for s in found.scores),
        empty=f"no scores for {found.contact.name}",
    )
    if trend is not None:
        output.print_line(f"Trend: {trend.describe()}")
