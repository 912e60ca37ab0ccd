"""`crm digest`: the day's reminders in one message, printed or sent (for cron)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import typer

from tinycrm.cli import output
from tinycrm.cli.context import AS_OF_OPTION, as_of_date, check_days, state
from tinycrm.config import Settings
from tinycrm.errors import UsageError
from tinycrm.mail import html, markdown, text
from tinycrm.mail.send import Accepted, MailConfig, build_message, deliver, mail_config
from tinycrm.serialize.digest import digest_dict
from tinycrm.services import digest as service
from tinycrm.services import owner_digest
from tinycrm.services.digest import Digest
from tinycrm.services.integrity import check_integrity
from tinycrm.services.owner_digest import Outcome
from tinycrm.store import Store
from tinycrm.textsafe import visible

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
    each_owner: bool = typer.Option(
        False,
        "--each-owner",
        help="Each user their own digest, on their own day (docs/team.md); the unassigned"
        " rows to [team] coordinator, else to the admins.",
    ),
) -> None:
    """The day's digest: overdue, today, birthdays and anniversaries, at-risk customers,
    surveys that bounced.

    With --send it is e-mailed (SMTP or sendmail, see docs/cron.md) and recorded: a second
    --send the same day sends nothing, and days missed while the machine was off are caught
    up by the next one. A failure exits 1 with one line on stderr and is retried next run.
    With --each-owner every active user with an e-mail address gets their own, once a day.
    """
    st = state(ctx)
    day = as_of_date(ctx, as_of)
    span = check_days(days if days is not None else _default_days(st.settings.digest))
    fmt = _format(fmt, as_json=as_json, send=send, force=force, each_owner=each_owner)
    mail = (
        mail_config(st.settings.smtp, st.settings.source, needs_to=not each_owner) if send else None
    )
    store = st.store
    store.source = "digest"
    options = _Options(span, limit, fmt, quiet_if_empty, force)
    if each_owner:
        _each_owner(store, st.settings, day if as_of else None, options, mail)
    elif mail is None:
        # No whole-file check: a query that meets a damaged page fails (docs/decisions.md).
        printed = service.build_digest(store, day, days=span, settings=st.settings, limit=limit)
        if not (quiet_if_empty and printed.is_empty):
            _print(printed, fmt)
    else:
        _send_once_a_day(store, st.settings, day, options, mail)


def _format(fmt: str, *, as_json: bool, send: bool, force: bool, each_owner: bool) -> str:
    """The format the options ask for; options that disagree are a usage error."""
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if as_json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} disagree: give one of them")
    fmt = "json" if as_json else fmt
    if force and not send:
        raise UsageError("--force only applies with --send")
    if each_owner and fmt == "html" and not send:
        raise UsageError("--each-owner prints text, markdown or json; the e-mails carry the HTML")
    return fmt


def _send_once_a_day(
    store: Store, settings: Settings, day: date, options: _Options, mail: MailConfig
) -> None:
    """--send: the whole file checked, then the digest e-mailed unless it went out today
    (--force: again), catching up the days missed since the last one."""
    check_integrity(store)
    plan = service.plan_send(store, day, force=options.force)
    if plan.skip:
        if output.is_terminal():
            output.print_notice(
                f"the digest for {day} was already sent ({plan.already_sent_at});"
                " use --force to send it again"
            )
        return
    built = service.build_digest(
        store, day, days=options.days, covered_from=plan.covered_from, settings=settings,
        limit=options.limit,
    )  # fmt: skip
    if options.quiet_if_empty and built.is_empty:
        service.record_empty(store, built)
    else:
        _send(store, built, mail, force=options.force)


def _default_days(raw: dict[str, object]) -> int:
    value = raw.get("days", 7)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError("config: digest.days must be a whole number of days")
    return value


def _send(
    store: Store, built: Digest, mail: MailConfig, *, force: bool, user_id: int | None = None
) -> None:
    recipients = ", ".join(mail.recipients)

    def transport(accepted: Accepted) -> str | None:
        return deliver(build_message(built, mail), mail, accepted)

    def stopped_after_send() -> None:
        output.print_notice(f"crm: {_whose(built)} for {built.as_of} was sent before the stop")

    sending = service.send_once(
        store, built, recipients, transport, force=force, user_id=user_id,
        stopped_after_send=stopped_after_send,
    )  # fmt: skip
    if not sending.claimed:
        if output.is_terminal():
            output.print_notice(
                f"{_whose(built)} for {built.as_of} was sent, or is being sent, by another run;"
                " use --force to send it again"
            )
        return
    if sending.warning:
        output.print_notice(f"crm: warning: {sending.warning}")
    if output.is_terminal():
        output.print_success(
            f"{_whose(built)} for {built.as_of} sent to {recipients} via {mail.via}"
            f" ({built.item_count} items)"
        )


def _whose(built: Digest) -> str:
    return f"{built.owner}'s digest" if built.owner else "the digest"


class _Options(NamedTuple):
    days: int
    limit: int
    fmt: str
    quiet_if_empty: bool
    force: bool


def _each_owner(
    store: Store, settings: Settings, as_of: date | None, options: _Options, mail: MailConfig | None
) -> None:
    """Each user's digest, printed, or sent to each whose time of day has come. A user without
    an e-mail address is named on stderr (exit 0) by a run that sends; a failed send is one
    stderr line, the others are still sent, and the run exits 1 (the next run sends those)."""
    found = owner_digest.recipients(store, settings, as_of=as_of)
    if mail is None:
        _name_the_left_out(found)
        _print_each(store, settings, found, options)
        return

    def send(built: Digest, person: owner_digest.Recipient) -> None:
        to = replace(mail, recipients=(person.email,))
        _send(store, built, to, force=options.force, user_id=person.user.id)

    results: list[owner_digest.PersonSent] = []
    for result in owner_digest.send_each(
        store, settings, found, send, days=options.days, limit=options.limit,
        quiet_if_empty=options.quiet_if_empty, force=options.force,
    ):  # fmt: skip
        _tell(result, found)
        results.append(result)
    if any(result.built for result in results):  # not on every run of an hourly cron line
        _name_the_left_out(found)
    if any(result.outcome is Outcome.FAILED for result in results):
        raise typer.Exit(1)


def _tell(result: owner_digest.PersonSent, found: owner_digest.Recipients) -> None:
    """The stderr line for one person's part of a sending run, if it has one."""
    name = result.person.user.name
    if result.outcome is Outcome.FAILED:
        output.print_notice(f"crm: {name}'s digest: {result.error}")
    elif result.outcome is Outcome.NOT_DUE and output.is_terminal():
        output.print_notice(
            f"{name}'s digest is due from {found.digest_at:%H:%M} {result.person.zone} time"
        )
    elif result.outcome is Outcome.ALREADY_SENT and output.is_terminal():
        output.print_notice(
            f"{name}'s digest for {result.person.day} was already sent"
            f" ({result.already_sent_at}); use --force to send it again"
        )


def _name_the_left_out(found: owner_digest.Recipients) -> None:
    """Stderr lines for the users who get no digest, and for unassigned rows nobody gets."""
    for user in found.without_email:
        output.print_notice(
            f"crm: {user.name} has no e-mail address and gets no digest"
            f" (crm users edit {user.login or user.name!r} --email E)"
        )
    if not found.unassigned_to:
        output.print_notice(
            "crm: nobody gets the unassigned rows: no admin has an e-mail address"
            " ([team] coordinator names who does)"
        )


def _print_each(
    store: Store, settings: Settings, found: owner_digest.Recipients, options: _Options
) -> None:
    """What each person would get, one after the other (json: one document)."""
    shown: list[dict[str, object]] = []
    for person in found.people:
        built = owner_digest.build(
            store, person, days=options.days, settings=settings, limit=options.limit
        )
        if options.quiet_if_empty and built.is_empty:
            continue
        if options.fmt == "json":
            shown.append(
                {"user": person.user.name, "email": person.email, "time_zone": person.zone,
                 "gets_unassigned": person.gets_unassigned, "digest": digest_dict(built)}
            )  # fmt: skip
            continue
        to = visible(f"To: {person.user.name} <{person.email}> ({person.zone})", one_line=True)
        sys.stdout.write(f"{to}\n")
        _print(built, options.fmt)
        sys.stdout.write("\n")
    if options.fmt == "json":
        without = [user.name for user in found.without_email]
        output.print_json({"digests": shown, "without_email": without})


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
