"""`crm follow-ups …`: the morning queue (today, overdue, upcoming); adding, completing,
snoozing and skipping are in cli/followup_actions.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import typer

from tinycrm.cli import output
from tinycrm.cli.context import AS_OF_OPTION, JSON_OPTION, as_of_date, state
from tinycrm.cli.plain_help import CrmTyper, LazyGroup
from tinycrm.serialize.followups import queue_item_dict
from tinycrm.services import followups as service
from tinycrm.services.followups import Queue, QueueItem
from tinycrm.vocabulary import FollowUpKind
from tinycrm.wording import due_text, more_text, total_exact, total_text


class FollowUpsGroup(LazyGroup):
    """`crm follow-ups`: the commands that act on rows (cli/followup_actions.py, with the
    services that write) are loaded only when used; the queue's views are here."""

    lazy: ClassVar[dict[str, str]] = {
        "add": "tinycrm.cli.followup_actions:add",
        "list": "tinycrm.cli.followup_actions:list_",
        "done": "tinycrm.cli.followup_actions:done",
        "snooze": "tinycrm.cli.followup_actions:snooze",
        "skip": "tinycrm.cli.followup_actions:skip",
    }


app = CrmTyper(
    cls=FollowUpsGroup,
    add_completion=False,
    help="The follow-up queue: whom to contact today, and why.",
    no_args_is_help=True,
)

LIMIT = typer.Option(
    service.DEFAULT_OVERDUE_LIMIT,
    "--limit",
    "-n",
    min=0,
    max=1_000_000,
    help="Show at most this many rows per section, most urgent first (0: all).",
)
DEFAULT_UPCOMING_LIMIT = 200
# One-cell-pair pictures for the Kind column on a narrow terminal.
KIND_ICONS = {
    FollowUpKind.THANK_YOU: "🙏",
    FollowUpKind.CHECK_IN: "👋",
    FollowUpKind.BIRTHDAY: "🎂",
    FollowUpKind.ANNIVERSARY: "💍",
    FollowUpKind.SATISFACTION_CHECK: "⭐",
    FollowUpKind.REORDER: "🔁",
    FollowUpKind.RECOVERY: "🚑",
    FollowUpKind.CASE: "📋",
    FollowUpKind.PASS_ON: "🤝",
    FollowUpKind.CUSTOM: "📌",
}
HANDLE = output.Column("Handle")
DUE = output.Column("Due")
WHEN = output.Column("When", narrow_rank=3)
CONTACT = output.Column("Contact", max_width=20)
KIND = output.Column("Kind", narrow_rank=2, icons={k.value: v for k, v in KIND_ICONS.items()})
TITLE = output.Column("Title", prose=True)
COLUMNS = [HANDLE, DUE, WHEN, CONTACT, KIND, TITLE, output.Column("Urgency", narrow_rank=1)]
OWNER_COLUMN = output.Column("Owner", max_width=16, narrow_rank=2)
MINE = typer.Option(False, "--mine", help="Only yours: assigned to you, or your customers'.")
OWNER = typer.Option(None, "--owner", metavar="USER", help="Only this user's.")
UNASSIGNED = typer.Option(False, "--unassigned", help="Only those nobody owns.")
EVERYONE = typer.Option(
    False, "--everyone", help="Everyone's (when the config's [team] default_view is mine)."
)


def _scope(
    ctx: typer.Context, mine: bool, owner: str | None, unassigned: bool, everyone: bool
) -> service.OwnerScope | None:
    app_state = state(ctx)
    return service.queue_scope(
        app_state.store, mine=mine, owner=owner, unassigned=unassigned, everyone=everyone,
        default=app_state.settings.team_view or "everyone",
    )  # fmt: skip


def _columns(queue: Queue, scope: service.OwnerScope | None) -> list[output.Column]:
    """An Owner column when rows of several people are shown and anyone owns one."""
    rows = [*queue.overdue, *queue.today, *queue.upcoming]
    return [*COLUMNS, OWNER_COLUMN] if scope is None and any(i.owner for i in rows) else COLUMNS


def when_text(item: QueueItem) -> str:
    return due_text(item.days_late)


def _row(item: QueueItem, owner: bool) -> list[object]:
    shows_detail = item.detail and item.kind != "birthday"
    title = item.title + (f" ({item.detail})" if shows_detail else "")
    if item.snoozed:
        title += " [snoozed]"
    return [
        item.handle,
        item.due_on,
        when_text(item),
        item.contact_name,
        item.kind.value,
        title,
        f"{item.urgency:.1f}",
        *([item.owner or "unassigned"] if owner else []),
    ]


def _section(
    name: str,
    items: Sequence[QueueItem],
    heading: str,
    empty: str,
    footer: str | None,
    owner: bool = False,
) -> output.Section:
    return output.Section(name, heading, [_row(i, owner) for i in items], empty, footer)


def _more(shown: int, total: int, what: str) -> str | None:
    if total <= shown:
        return None
    return f"… and {more_text(total, shown)} {what}".rstrip() + " (--limit 0 shows all)"


def _total_json(part: str, total: int, shown: int) -> dict[str, object]:
    """`PART_total`, and `PART_total_exact`: false when it was counted up to a limit only."""
    return {f"{part}_total": total, f"{part}_total_exact": total_exact(total, shown)}


def _queue_json(queue: Queue, *parts: str, days: int | None = None) -> None:
    data: dict[str, object] = {"as_of": queue.as_of.isoformat()}
    if days is not None:
        data["days"] = days
    if "overdue" in parts:
        data["overdue"] = [queue_item_dict(i) for i in queue.overdue]
        data.update(_total_json("overdue", queue.overdue_total, len(queue.overdue)))
    if "today" in parts:
        data["today"] = [queue_item_dict(i) for i in queue.today]
        data.update(_total_json("today", queue.today_total, len(queue.today)))
    if "upcoming" in parts:
        data["upcoming"] = [queue_item_dict(i) for i in queue.upcoming]
        data.update(_total_json("upcoming", queue.upcoming_total, len(queue.upcoming)))
    output.print_json(data)


@app.command("today")
def today_(
    ctx: typer.Context,
    as_of: str = AS_OF_OPTION,
    limit: int = LIMIT,
    mine: bool = MINE,
    owner: str = OWNER,
    unassigned: bool = UNASSIGNED,
    everyone: bool = EVERYONE,
    as_json: bool = JSON_OPTION,
) -> None:
    """The morning queue: overdue rows, then today's, most urgent first (paged: see --limit)."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    scope = _scope(ctx, mine, owner, unassigned, everyone)
    queue = service.build_queue(
        app_state.store, day, days=0, settings=app_state.settings, overdue_limit=limit,
        today_limit=limit, scope=scope,
    )  # fmt: skip
    if as_json:
        _queue_json(queue, "overdue", "today")
        return
    if not queue.overdue_total and not queue.today_total:
        output.print_notice(f"nothing due on {day}")
        return
    columns = _columns(queue, scope)
    with_owner = len(columns) > len(COLUMNS)
    sections = [_overdue_section(queue, with_owner)] if queue.overdue_total else []
    more = _more(len(queue.today), queue.today_total, "today")
    heading = f"Today, {day} ({total_text(queue.today_total)})"
    sections.append(_section("today", queue.today, heading, "nothing else today", more, with_owner))
    output.print_sections(columns, sections)


def _overdue_section(queue: Queue, owner: bool) -> output.Section:
    more = _more(len(queue.overdue), queue.overdue_total, "overdue")
    return _section(
        "overdue",
        queue.overdue,
        f"Overdue ({total_text(queue.overdue_total)})",
        "nothing overdue",
        more,
        owner,
    )


@app.command("overdue")
def overdue(
    ctx: typer.Context,
    as_of: str = AS_OF_OPTION,
    limit: int = LIMIT,
    mine: bool = MINE,
    owner: str = OWNER,
    unassigned: bool = UNASSIGNED,
    everyone: bool = EVERYONE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Only what is overdue, most urgent first (paged: see --limit)."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    scope = _scope(ctx, mine, owner, unassigned, everyone)
    queue = service.build_queue(
        app_state.store, day, days=0, settings=app_state.settings, overdue_limit=limit,
        with_today=False, scope=scope,
    )  # fmt: skip
    if as_json:
        _queue_json(queue, "overdue")
        return
    if not queue.overdue_total:
        output.print_notice(f"nothing overdue on {day}")
        return
    columns = _columns(queue, scope)
    output.print_sections(columns, [_overdue_section(queue, len(columns) > len(COLUMNS))])


@app.command("upcoming")
def upcoming(
    ctx: typer.Context,
    days: int = typer.Option(
        None, "--days", "-d", help="How many days ahead (default 7, or follow_ups.upcoming_days)."
    ),
    as_of: str = AS_OF_OPTION,
    limit: int = typer.Option(
        DEFAULT_UPCOMING_LIMIT,
        "--limit",
        "-n",
        min=0,
        max=1_000_000,
        help="Show at most this many (0: all).",
    ),
    mine: bool = MINE,
    owner: str = OWNER,
    unassigned: bool = UNASSIGNED,
    everyone: bool = EVERYONE,
    as_json: bool = JSON_OPTION,
) -> None:
    """What falls due after today within --days: time to post a card or plan a call."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    span = app_state.settings.upcoming_days if days is None else days
    service.check_days(span)
    scope = _scope(ctx, mine, owner, unassigned, everyone)
    queue = service.build_queue(
        app_state.store,
        day,
        days=span,
        settings=app_state.settings,
        upcoming_limit=limit,
        with_overdue=False,
        with_today=False,
        scope=scope,
    )
    if as_json:
        _queue_json(queue, "upcoming", days=span)
        return
    if not queue.upcoming:
        output.print_notice(f"nothing due in the {span} days after {day}")
        return
    more = _more(len(queue.upcoming), queue.upcoming_total, "")
    heading = f"Upcoming, next {span} days ({total_text(queue.upcoming_total)})"
    columns = _columns(queue, scope)
    with_owner = len(columns) > len(COLUMNS)
    section = _section("upcoming", queue.upcoming, heading, "nothing", more, with_owner)
    output.print_sections(columns, [section])
