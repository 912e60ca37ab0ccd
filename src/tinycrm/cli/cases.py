"""`crm cases …`: complaints and problems, from opening to resolution."""

from __future__ import annotations

from datetime import date

import typer

from tinycrm.cli import output
from tinycrm.cli.context import (
    DATE_OPTION,
    IF_VERSION_OPTION,
    JSON_OPTION,
    WRITE_AS_OF_OPTION,
    as_of_date,
    happened_on,
    state,
    today,
)
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import CrmError, UsageError
from tinycrm.mail import replies
from tinycrm.models.cases import Case
from tinycrm.serialize.cases import case_dict
from tinycrm.services import cases as service

app = CrmTyper(add_completion=False, help="Cases: complaints and problems.", no_args_is_help=True)

TITLE = output.Column("Title", prose=True)
# At 80 columns the opening day goes first, then the severity; status and title share the rest.
CASE_COLUMNS = [
    output.Column("Id"),
    output.Column("Contact", max_width=20),
    output.Column("Severity", narrow_rank=2),
    output.Column("Opened", narrow_rank=1),
    output.Column("Target"),
    output.Column("Status", prose=True),
    TITLE,
]


@app.command("open")
def open_(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    title: str = typer.Argument(..., help="What went wrong."),
    severity: str = typer.Option(
        "normal", "--severity", "-s", help="high (respond in 1 day), normal (3), low (7)."
    ),
    on: str = DATE_OPTION,
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Open a case; its response target shows in the follow-up queue."""
    day = as_of_date(ctx, as_of)
    case = service.open_case(
        state(ctx).store, ref, title, severity=severity, today=day, on=happened_on(ctx, on, day)
    )
    if as_json:
        output.print_json(case_dict(case))
    else:
        output.print_success(
            f"case {case.id} opened ({case.severity.value}): respond by {case.target_on}"
        )


@app.command("escalate")
def escalate(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., metavar="ID", help="Case id."),
    to: str = typer.Option(..., "--to", help="Who takes it over."),
    on: str = DATE_OPTION,
    as_of: str = WRITE_AS_OF_OPTION,
    if_version: int = IF_VERSION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Escalate an open case to someone; records to whom and when."""
    day = as_of_date(ctx, as_of)
    case = service.escalate(
        state(ctx).store, case_id, to, day, on=happened_on(ctx, on, day), if_version=if_version
    )
    output.print_result(
        case_dict(case), f"case {case.id} escalated to {case.escalated_to}", as_json=as_json
    )


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., metavar="ID", help="Case id."),
    note: str = typer.Option(
        ..., "--note", "-m", help="How it was resolved: the reply the customer sees."
    ),
    internal: bool = typer.Option(
        False,
        "--internal",
        help="The note is for staff only: not shown on the customer's portal page, not e-mailed.",
    ),
    on: str = DATE_OPTION,
    as_of: str = WRITE_AS_OF_OPTION,
    if_version: int = IF_VERSION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Resolve an open case, recording how.

    The note is the shop's reply: shown on the customer's portal page and, when the portal
    has an address ([portal] base_url) and [smtp] is set, e-mailed to them with its link.
    A failed e-mail leaves the case resolved and the reply waiting: `crm cases send-replies`."""
    st = state(ctx)
    mail = None if internal else replies.reply_mail(st.settings)
    day = as_of_date(ctx, as_of)
    case = service.resolve(
        st.store, case_id, note, day, on=happened_on(ctx, on, day), if_version=if_version,
        internal=internal, mail_reply=mail is not None,
    )  # fmt: skip
    outcomes = replies.send_replies(st.store, mail, case.id) if mail else []
    case = service.get_case(st.store, case.id or 0)
    told = f"case {case.id} resolved on {case.resolved_on}"
    if internal:
        told += " (internal: not shown to the customer)"
    elif mail and not outcomes:
        told += "; not e-mailed: the customer has no e-mail address"
    elif outcomes and outcomes[0].error is None:
        told += f"; the reply was e-mailed to {outcomes[0].address}"
    output.print_result(case_dict(case), told, as_json=as_json)
    _fail_if_not_sent(outcomes)


def _fail_if_not_sent(outcomes: list[replies.Outcome]) -> None:
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        return
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    raise CrmError(
        f"{failed[0].error}{more}; the reply is kept: `crm cases send-replies` tries again"
    )


@app.command("send-replies")
def send_replies(ctx: typer.Context) -> None:
    """E-mail the replies still waiting (a resolution whose e-mail failed) to their customers.

    Needs [portal] base_url and [smtp]; safe to run from cron."""
    st = state(ctx)
    mail = replies.reply_mail(st.settings)
    if mail is None:
        raise UsageError(
            "set [portal] base_url and [smtp] in the config: replies are e-mailed with the"
            " link to the customer's portal page"
        )
    outcomes = replies.send_replies(st.store, mail)
    for outcome in outcomes:
        if outcome.error is None:
            output.print_success(
                f"e-mailed the reply to case {outcome.case_id} to {outcome.address}"
            )
    if not outcomes:
        output.print_notice("no replies waiting to be e-mailed")
    _fail_if_not_sent(outcomes)


@app.command("list")
def list_(
    ctx: typer.Context,
    ref: str = typer.Argument(None, help="Only this contact's cases."),
    open_only: bool = typer.Option(False, "--open", help="Only open cases."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Cases: open ones first, by response target."""
    rows = service.list_cases(state(ctx).store, ref, open_only)
    if as_json:
        output.print_json([case_dict(r.case, r.contact_name) for r in rows])
        return
    now = today()
    output.print_table(
        CASE_COLUMNS,
        ([r.case.id, r.contact_name, r.case.severity.value, r.case.opened_on, r.case.target_on,
          _status(r.case, now), r.case.title] for r in rows),
        empty="no cases",
    )  # fmt: skip


def _status(case: Case, now: date) -> str:
    if not case.is_open:
        waiting = ", reply not e-mailed yet" if case.reply_mail == "pending" else ""
        return f"resolved {case.resolved_on}{waiting}"
    text = "open"
    if case.escalated_to:
        text += f", escalated to {case.escalated_to}"
    if case.target_on < now:
        text += ", overdue"
    return text
