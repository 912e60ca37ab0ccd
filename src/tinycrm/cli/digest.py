"""`crm digest`: the day's reminders in one message, printed or sent (for cron)."""

from __future__ import annotations

import sys

import typer

from tinycrm.cli import output
from tinycrm.cli.context import AS_OF_OPTION, as_of_date, check_days, state
from tinycrm.errors import UsageError
from tinycrm.mail import html, markdown, text
from tinycrm.mail.send import (
    MailConfig,
    PartlySent,
    SendError,
    build_message,
    deliver,
    mail_config,
)
from tinycrm.serialize.digest import digest_dict
from tinycrm.services import digest as service
from tinycrm.services.digest import Digest
from tinycrm.services.integrity import check_integrity
from tinycrm.store import Store

FORMATS = ("text", "markdown", "html", "json")


def digest(
    ctx: typer.Context,
    as_of: str = AS_OF_OPTION,
    days: int = typer.Option(
        None, "--days", metavar="N", help="Birthdays and anniversaries this many days ahead [7]."
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text, markdown, html or json."
    ),
    as_json: bool = typer.Option(False, "--json", help="The same as --format json."),
    quiet_if_empty: bool = typer.Option(
        False, "--quiet-if-empty", help="Print (or send) nothing when nothing is due."
    ),
    send: bool = typer.Option(
        False, "--send", help="E-mail it per the config's [smtp] table, once per day."
    ),
    force: bool = typer.Option(
        False, "--force", help="With --send: send again even if today's digest went out."
    ),
    limit: int = typer.Option(
        50,
        "--limit",
        "-n",
        min=0,
        max=1_000_000,
        help="At most this many rows per section, with the section's full count (0: all).",
    ),
) -> None:
    """The day's digest: overdue, today, birthdays and anniversaries, at-risk customers.

    With --send it is e-mailed (SMTP or sendmail, see docs/cron.md) and recorded: a second
    --send the same day sends nothing, and days missed while the machine was off are caught
    up by the next one. A failure exits 1 with one line on stderr and is retried next run.
    """
    st = state(ctx)
    day = as_of_date(ctx, as_of)
    span = check_days(days if days is not None else _default_days(st.settings.digest))
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if as_json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} disagree: give one of them")
    fmt = "json" if as_json else fmt
    if force and not send:
        raise UsageError("--force only applies with --send")
    mail = mail_config(st.settings.smtp, st.settings.source) if send else None
    store = st.store
    store.source = "digest"
    if mail is None:
        # No whole-file check: a query that meets a damaged page fails (docs/decisions.md).
        printed = service.build_digest(store, day, days=span, settings=st.settings, limit=limit)
        if not (quiet_if_empty and printed.is_empty):
            _print(printed, fmt)
        return

    check_integrity(store)
    plan = service.plan_send(store, day, force=force)
    if plan.skip:
        if output.is_terminal():
            output.print_notice(
                f"the digest for {day} was already sent ({plan.already_sent_at});"
                " use --force to send it again"
            )
        return
    built = service.build_digest(
        store, day, days=span, covered_from=plan.covered_from, settings=st.settings, limit=limit
    )
    if quiet_if_empty and built.is_empty:
        service.record_empty(store, built)
    else:
        _send(store, built, mail, force=force)


def _default_days(raw: dict[str, object]) -> int:
    value = raw.get("days", 7)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError("config: digest.days must be a whole number of days")
    return value


def _send(store: Store, built: Digest, mail: MailConfig, *, force: bool) -> None:
    recipients = ", ".join(mail.recipients)
    claimed = service.claim_send(store, built, recipients, force=force)
    if claimed is None:  # another run sent it or is sending it since this one began
        if output.is_terminal():
            output.print_notice(
                f"the digest for {built.as_of} was sent, or is being sent, by another run;"
                " use --force to send it again"
            )
        return
    taken = False

    def accepted(error: str | None) -> None:
        # Recorded before the goodbye, so that a run stopped after this is not sent again.
        nonlocal taken
        taken = True
        service.record_sent(store, claimed, error=error)

    try:
        warning = deliver(build_message(built, mail), mail, accepted)
    except PartlySent:
        raise
    except SendError as exc:
        service.record_failed(store, claimed, str(exc))
        raise SendError(f"{exc} (recorded; the next run will try again)") from exc
    except BaseException as exc:  # interrupted, or a bug: the day is not left "sending"
        if taken:  # the server has it: sent, even if the record was interrupted
            service.record_sent(store, claimed)
            output.print_notice(f"crm: the digest for {built.as_of} was sent before the stop")
        else:
            # The type only: an exception's text may quote what it was encoding (a password).
            service.record_failed(store, claimed, f"stopped by {type(exc).__name__}")
        raise
    if warning:
        output.print_notice(f"crm: warning: {warning}")
    if output.is_terminal():
        output.print_success(
            f"digest for {built.as_of} sent to {recipients} via {mail.via}"
            f" ({built.item_count} items)"
        )


def _print(built: Digest, fmt: str) -> None:
    if fmt == "json":
        output.print_json(digest_dict(built))
    elif fmt == "markdown":
        sys.stdout.write(markdown.render(built))
    elif fmt == "html":
        sys.stdout.write(html.render(built))
    elif output.is_terminal():
        from rich.text import Text

        console = output.console()
        for line, style in text.lines(built):
            console.print(Text(line, style=style or ""), soft_wrap=True)
    else:
        sys.stdout.write(text.render(built))
