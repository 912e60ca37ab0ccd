"""`crm follow-ups add|list|done|snooze|skip`: acting on the queue, loaded only when used
(cli/followups.py's group names them), so the queue's views do not import what acting needs."""

from __future__ import annotations

from datetime import date

import typer

from tinycrm.cli import output
from tinycrm.cli.context import AS_OF_OPTION, IF_VERSION_OPTION, JSON_OPTION, as_of_date, state
from tinycrm.cli.followups import CONTACT, DUE, HANDLE, KIND, TITLE, WHEN, when_text
from tinycrm.dates import parse_date
from tinycrm.serialize.followups import queue_item_dict
from tinycrm.services.followups import QueueItem
from tinycrm.services.followups.actions import complete, get_item, next_due
from tinycrm.services.followups.actions import skip as skip_item
from tinycrm.services.followups.actions import snooze as snooze_item
from tinycrm.services.followups.stored import add_follow_up, list_follow_ups
from tinycrm.services.satisfaction import complete_check_with_score


def _date_option(ctx: typer.Context, text: str, as_of: date) -> date:
    """A date typed for a follow-up: relative forms count from --as-of (default today)."""
    return parse_date(text, as_of, day_first=state(ctx).settings.day_first)


def add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    title: str = typer.Argument(..., help="What to do, e.g. 'Call about the service'."),
    due: str = typer.Option(..., "--due", metavar="DATE", help="When (e.g. friday, +2w)."),
    kind: str = typer.Option(
        None,
        "--kind",
        "-k",
        help="thank-you, check-in, birthday, anniversary, satisfaction-check, reorder, recovery,"
        " case, pass-on, custom (default).",
    ),
    every: str = typer.Option(
        None,
        "--every",
        metavar="RULE",
        help="Repeat: weekly, monthly, every 3 months, yearly, every 2 weeks on friday, or an"
        " RRULE.",
    ),
    assignee: str = typer.Option(
        None, "--for", metavar="USER", help="Whose it is (default: whoever owns the contact)."
    ),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a follow-up for a contact, optionally recurring."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    due_on = _date_option(ctx, due, day)
    created = add_follow_up(
        app_state.store, ref, title, due_on, day, kind=kind, every=every, assignee=assignee
    )
    shown = get_item(app_state.store, str(created.id), day)
    if as_json:
        output.print_json(queue_item_dict(shown))
        return
    repeat = f", {shown.detail}" if shown.detail else ""
    output.print_success(
        f"follow-up {shown.handle} for {shown.contact_name} due {shown.due_on}{repeat}"
    )


def list_(
    ctx: typer.Context,
    ref: str = typer.Argument(None, help="Only this contact's follow-ups."),
    status: str = typer.Option("open", "--status", help="open (default), done, skipped or all."),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stored follow-ups (manual, recurring, after a sale…), soonest first. Birthdays,
    anniversaries and check-ins are derived: see `today` and `upcoming`."""
    day = as_of_date(ctx, as_of)
    chosen = None if status.strip().lower() == "all" else status.strip().lower()
    items = list_follow_ups(state(ctx).store, ref, day, status=chosen)
    if as_json:
        output.print_json([queue_item_dict(i) for i in items])
        return
    output.print_table(
        [HANDLE, DUE, WHEN, CONTACT, KIND, TITLE,
         output.Column("Repeats", prose=True, narrow_rank=1), output.Column("Status")],
        (
            [i.handle, i.due_on, when_text(i) if i.status == "open" else "", i.contact_name,
             i.kind.value, i.title, i.detail or "", i.status]
            for i in items
        ),
        empty="no follow-ups",
    )  # fmt: skip


def _done_json(item: QueueItem, action: str) -> None:
    output.print_json({"action": action, **queue_item_dict(item)})


def done(
    ctx: typer.Context,
    handle: str = typer.Argument(..., help="The handle shown in the queue (12, b7-2026-12-01)."),
    note: str = typer.Option(None, "--note", help="Log this note about the contact too."),
    channel: str = typer.Option(
        None, "--channel", "-c", help="The note's channel: call, email, visit, meeting…"
    ),
    score: str = typer.Option(
        None, "--score", help="For a satisfaction check: the score the customer gave."
    ),
    scale: str = typer.Option("csat", "--scale", help="The score's scale: csat (1-5) or nps."),
    as_of: str = AS_OF_OPTION,
    if_version: int = IF_VERSION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Mark a row done (a recurring one moves to its next occurrence). Counts as an
    interaction: the keep-in-touch clock restarts. A satisfaction check can record its
    score in the same step (--score)."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    recorded = None
    if score is not None:
        item, recorded = complete_check_with_score(
            app_state.store, handle, score, today=day, scale_name=scale, note=note,
            channel=channel, settings=app_state.settings, if_version=if_version,
        )  # fmt: skip
    else:
        item = complete(
            app_state.store, handle, day, note=note, channel=channel, settings=app_state.settings,
            if_version=if_version,
        )  # fmt: skip
    if as_json:
        _done_json(item, "done")
        return
    extra = " and logged the note" if note else ""
    if recorded is not None:
        extra += f"; {recorded.score.scale.value.upper()} {recorded.score.score} recorded"
        if recorded.recovery is not None:
            extra += f" (low: recovery follow-up {recorded.recovery.id})"
    output.print_success(f"done: {item.title} for {item.contact_name}{extra}{_series(ctx, item)}")


def _series(ctx: typer.Context, item: QueueItem) -> str:
    """What becomes of a recurring follow-up after done or skip: its next date, or its end."""
    if not item.recurring:
        return ""
    following = next_due(state(ctx).store, item)
    return f"; next one due {following}" if following else "; that was the last one of the series"


def snooze(
    ctx: typer.Context,
    handle: str = typer.Argument(..., help="The handle shown in the queue."),
    until: str = typer.Option(..., "--until", metavar="DATE", help="Bring it back on this day."),
    as_of: str = AS_OF_OPTION,
    if_version: int = IF_VERSION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Postpone this occurrence only (a recurring follow-up keeps its schedule)."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    until_day = _date_option(ctx, until, day)
    item = snooze_item(
        app_state.store, handle, until_day, day, settings=app_state.settings, if_version=if_version
    )
    if as_json:
        _done_json(item, "snoozed")
        return
    output.print_success(f"snoozed: {item.title} for {item.contact_name} until {until_day}")


def skip(
    ctx: typer.Context,
    handle: str = typer.Argument(..., help="The handle shown in the queue."),
    as_of: str = AS_OF_OPTION,
    if_version: int = IF_VERSION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Skip this occurrence without doing it (not an interaction)."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    item = skip_item(
        app_state.store, handle, day, settings=app_state.settings, if_version=if_version
    )
    if as_json:
        _done_json(item, "skipped")
        return
    output.print_success(f"skipped: {item.title} for {item.contact_name}{_series(ctx, item)}")
