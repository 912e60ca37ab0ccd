"""`crm surveys send`: e-mail satisfaction surveys; answers come back by `crm mail collect`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from email.errors import MessageError

import typer

from tinycrm.cli import output
from tinycrm.cli.context import WRITE_AS_OF_OPTION, as_of_date, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import CrmError, SendError
from tinycrm.mail import survey as message
from tinycrm.mail.imap import reply_address
from tinycrm.mail.send import MailConfig, RecipientRefused, deliver, mail_config
from tinycrm.services import surveys as service
from tinycrm.services.surveys import SurveySettings
from tinycrm.store import Store
from tinycrm.vocabulary import Scale
from tinycrm.wording import plural

app = CrmTyper(
    add_completion=False,
    help="Satisfaction surveys by e-mail; answers come back with 'crm mail collect'.",
    no_args_is_help=True,
)


@app.callback()
def surveys() -> None:
    """Satisfaction surveys by e-mail; answers come back with 'crm mail collect'."""


@app.command("send")
def send(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(None, metavar="[REF]...", help="Contacts to survey."),
    due: bool = typer.Option(
        False, "--due", help="Survey every contact whose satisfaction check is due (cron)."
    ),
    scale: str = typer.Option(
        None, "--scale", "-s", help="csat (1-5) or nps (0-10) [the config's mail.survey_scale]."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say who would get one; send nothing."),
    as_of: str = WRITE_AS_OF_OPTION,
) -> None:
    """E-mail a survey (text and HTML) with one reply link per score and a reply code.

    Nobody is surveyed twice within mail.survey_quiet_days, nor ever after asking for no
    more ('contacts edit --no-surveys', or a "stop" reply). A survey counts as sent only
    once the SMTP server took it; it stands for the contact's due satisfaction check.
    See docs/mail.md.
    """
    st = state(ctx)
    today = as_of_date(ctx, as_of)
    settings = service.survey_settings(st.settings.mail, st.settings.source)
    on_scale = service.scale(scale) if scale is not None else settings.scale
    plan = service.plan(st.store, today, due=due, refs=list(refs or []), settings=settings)
    for skipped in plan.skipped:
        output.print_line(f"skipped {skipped.contact.name}: {skipped.reason}")
    if dry_run:  # who would get one, also before the mail server is set up
        for target in plan.targets:
            output.print_line(f"would send to {target.contact.name} <{target.address}>")
        output.print_notice(f"dry run: {plural(len(plan.targets), 'survey')} would be sent")
        return
    smtp = mail_config(st.settings.smtp, st.settings.source, needs_to=False)
    reply_to = reply_address(st.settings.imap, smtp.sender, st.settings.source)
    sending = _Sending(st.store, smtp, reply_to, on_scale, settings, today)
    sent = 0
    failures: list[str] = []
    for number, target in enumerate(plan.targets):
        try:
            failure = sending.send(target)
        except SendError as exc:  # not this address but the server: the rest wait for the next run
            left = len(plan.targets) - number
            raise CrmError(
                f"{exc} ({sent} sent, {left} not sent; the next run sends them)"
            ) from exc
        if failure is None:
            sent += 1
        else:
            failures.append(failure)
    if failures:
        raise CrmError(
            f"{plural(sent, 'survey')} sent, {len(failures)} not sent: {'; '.join(failures)}"
        )
    if output.is_terminal():
        output.print_notice(f"{plural(sent, 'survey')} sent ({on_scale.value.upper()})")


@dataclass(frozen=True)
class _Sending:
    """One `surveys send` run: what each survey is sent with and recorded under."""

    store: Store
    smtp: MailConfig
    reply_to: str
    on_scale: Scale
    settings: SurveySettings
    today: date

    def send(self, target: service.Target) -> str | None:
        """E-mail `target` their survey, recorded once the server took it; None when sent,
        else why not (the address, or the server refused it)."""
        code = service.new_code()
        try:
            built = message.build(
                target, sender=self.smtp.sender, reply_to=self.reply_to, code=code,
                on_scale=self.on_scale, settings=self.settings,
            )  # fmt: skip
        except (ValueError, MessageError) as exc:  # an address the mail headers cannot carry
            output.print_line(f"skipped {target.contact.name}: cannot address {target.address!r}")
            return f"{target.address}: {type(exc).__name__}"
        message_id = str(built["Message-ID"])

        def accepted(_error: str | None) -> None:
            service.record_sent(
                self.store, target, code=code, message_id=message_id,
                on_scale=self.on_scale, today=self.today, settings=self.settings,
            )  # fmt: skip

        config = dataclasses.replace(self.smtp, recipients=(target.address,))
        try:
            deliver(built, config, accepted, what=f"survey to {target.address}")
        except RecipientRefused:
            return f"{target.address}: refused by the server"
        output.print_line(f"sent to {target.contact.name} <{target.address}>")
        return None
