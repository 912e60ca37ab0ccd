"""`crm mail …`: collect the shop mailbox (cron, hourly) and review the doubtful answers."""

from __future__ import annotations

from email.utils import parseaddr

import typer

from tinycrm.cli import output
from tinycrm.cli.context import WRITE_AS_OF_OPTION, as_of_date, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.mail.collect import collect as collect_mail
from tinycrm.mail.imap import imap_config, reply_address
from tinycrm.models.mail import Outcome
from tinycrm.services import inbox
from tinycrm.services.surveys import survey_settings
from tinycrm.validation import MAX_ROW_ID
from tinycrm.wording import plural

app = CrmTyper(
    add_completion=False,
    help="The shop mailbox: survey answers and customer mail (docs/mail.md).",
    no_args_is_help=True,
)


@app.command("collect")
def collect(ctx: typer.Context, as_of: str = WRITE_AS_OF_OPTION) -> None:
    """Read new mail over IMAP ([imap] table): record survey answers, hold doubtful ones for
    'crm mail review', put a survey that bounced back in the queue as a phone call, log other
    mail from or to a contact as an e-mail interaction (unless mail.log_interactions = false),
    attach replies to open cases ("Case #12" in the subject).
    Handled mail is moved to imap.done_folder; a re-run handles nothing twice.
    """
    st = state(ctx)
    today = as_of_date(ctx, as_of)
    config = imap_config(st.settings.imap, st.settings.source)
    settings = survey_settings(st.settings.mail, st.settings.source)
    sender = st.settings.smtp.get("from")
    shop = {parseaddr(sender)[1].lower()} if isinstance(sender, str) else set()
    if st.settings.imap.get("reply_to") or shop:
        shop.add(reply_address(st.settings.imap, sender or "", st.settings.source).lower())
    context = inbox.Context(
        today=today,
        shop_addresses=frozenset(a for a in shop if a),
        log_interactions=settings.log_interactions,
        open_days=st.settings.business_days,
    )
    st.store.source = "mail"
    summary = collect_mail(st.store, config, context)
    for line in summary.unreadable:
        output.print_notice(f"crm: warning: {line}")
    counts = summary.counts
    if counts[Outcome.HELD]:
        output.print_notice(
            f"crm: {plural(counts[Outcome.HELD], 'message')} held for review: crm mail review"
        )
    if summary.bounced:
        output.print_notice(
            f"crm: {plural(len(summary.bounced), 'survey')} bounced:"
            f" {', '.join(summary.bounced)}, call instead"
        )
    if output.is_terminal():
        output.print_success(
            f"{plural(counts[Outcome.ANSWER], 'survey answer')} recorded,"
            f" {plural(counts[Outcome.INTERACTION] + counts[Outcome.CASE], 'e-mail')} logged,"
            f" {counts[Outcome.HELD]} held, {counts[Outcome.STOP]} opted out,"
            f" {len(summary.bounced)} bounced"
        )


@app.command("review")
def review(ctx: typer.Context) -> None:
    """Messages held for review: answers from another address, with an unknown or expired
    code, a second answer… Record one with 'crm mail accept ID', or 'crm mail dismiss ID'."""
    rows = inbox.held(state(ctx).store)
    output.print_table(
        ["Id", "Received", "From", "Contact", "Score", "Subject", "Why held"],
        (
            [
                r.record.id,
                r.record.collected_on,
                r.record.sender,
                r.contact_name,
                r.record.score,
                r.record.subject,
                r.record.reason,
            ]
            for r in rows
        ),
        empty="no mail held for review",
    )


@app.command("accept")
def accept(
    ctx: typer.Context,
    record_id: int = typer.Argument(
        ..., metavar="ID", min=1, max=MAX_ROW_ID, help="The id 'crm mail review' shows."
    ),
    score: str = typer.Option(None, "--score", help="The score, if the message gives none."),
    contact: str = typer.Option(
        None, "--contact", "-c", help="Record it for this contact instead of the survey's."
    ),
    as_of: str = WRITE_AS_OF_OPTION,
) -> None:
    """Record a held answer as a score (a low one starts recovery, as any score)."""
    st = state(ctx)
    done = inbox.accept(
        st.store,
        record_id,
        as_of_date(ctx, as_of),
        contact_ref=contact,
        score=score,
        open_days=st.settings.business_days,
    )
    assert done.result is not None
    item = done.result.score
    output.print_success(
        f"{item.scale.value.upper()} {item.score} recorded for {done.result.contact_name}"
        f" on {item.scored_on}"
    )
    if done.result.recovery:
        output.print_line(
            f"  low score: recovery follow-up {done.result.recovery.id}"
            f" due {done.result.recovery.due_on}"
        )


@app.command("dismiss")
def dismiss(
    ctx: typer.Context,
    record_id: int = typer.Argument(
        ..., metavar="ID", min=1, max=MAX_ROW_ID, help="The id 'crm mail review' shows."
    ),
    as_of: str = WRITE_AS_OF_OPTION,
) -> None:
    """Set a held message aside: nothing is recorded."""
    inbox.dismiss(state(ctx).store, record_id, as_of_date(ctx, as_of))
    output.print_success(f"message {record_id} dismissed")
