"""E-mailing a case's reply (its resolution) to the customer, with the link to their portal page.

The case is resolved first and its reply left pending (services.cases.resolve); it is e-mailed
after that commit, so a failed e-mail neither undoes the resolution nor is lost: it stays
pending, with the reason, for `crm cases send-replies` to try again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from tinycrm.config import Settings
from tinycrm.errors import CrmError
from tinycrm.mail import plain
from tinycrm.mail.send import MailConfig, deliver, mail_config
from tinycrm.services import cases
from tinycrm.services.portal import portal_settings
from tinycrm.store import Store

# The e-mail in `[portal] language`: {shop}, {name}, {id}, {title}, {reply}, {url}.
TEXTS = {
    "en": (
        "{shop}: your case #{id} is resolved",
        "Hello {name},\n\nabout your case #{id} ({title}):\n\n{reply}\n\nYou can see it on your"
        " page at {shop}: {url}\n\n{shop}\n",
    ),
    "es": (
        "{shop}: su incidencia n.º {id} está resuelta",
        "Hola, {name}:\n\nsobre su incidencia n.º {id} ({title}):\n\n{reply}\n\nPuede verla en"
        " su página de {shop}: {url}\n\n{shop}\n",
    ),
    "it": (
        "{shop}: la tua segnalazione n. {id} è risolta",
        "Ciao {name},\n\nriguardo alla tua segnalazione n. {id} ({title}):\n\n{reply}\n\nPuoi"
        " vederla sulla tua pagina di {shop}: {url}\n\n{shop}\n",
    ),
}


@dataclass(frozen=True)
class ReplyMail:
    """How replies reach customers: the `[smtp]` settings and the portal's address."""

    smtp: MailConfig
    page_url: str  # the customer's page on the portal
    shop: str
    language: str


@dataclass(frozen=True)
class Outcome:
    case_id: int
    name: str
    address: str | None
    error: str | None  # None: sent


def reply_mail(settings: Settings) -> ReplyMail | None:
    """None when the shop has no portal address (`[portal] base_url`: nothing to link to) or
    no `[smtp]` table; a usage error for a wrong `[smtp]` value."""
    options = portal_settings(settings.portal, settings.source)
    if options.base_url is None or not settings.smtp:
        return None
    smtp = mail_config(settings.smtp, settings.source, needs_to=False)
    shop = plain.shop_name(options, settings, smtp.sender)
    return ReplyMail(smtp, f"{options.base_url}/me", shop, options.language)


def send_replies(store: Store, config: ReplyMail, case_id: int | None = None) -> list[Outcome]:
    """E-mail the pending replies (all, or that case's), recording each one sent or why not."""
    outcomes = []
    for pending in cases.pending_replies(store, case_id):
        number, address = pending.case.id or 0, pending.address
        error = (
            _send(config, pending, address)
            if address
            else f"cannot send the reply to case {number}: {pending.name} has no e-mail address"
        )
        if error is None and address:
            cases.reply_sent(store, number, address, datetime.now().astimezone())
        else:
            cases.reply_not_sent(store, number, error or "")
        outcomes.append(Outcome(number, pending.name, address, error))
    return outcomes


def _send(config: ReplyMail, pending: cases.PendingReply, address: str) -> str | None:
    """Deliver one reply; None, or why it was not delivered."""
    case = pending.case
    subject, body = TEXTS[config.language]
    values = {
        "shop": config.shop, "name": pending.name, "id": case.id, "title": case.title,
        "reply": case.resolution or "", "url": config.page_url,
    }  # fmt: skip
    message = plain.plain_message(
        config.smtp.sender,
        address,
        pending.name,
        subject.format(**values),
        body.format(**values),
    )
    to_one = dataclasses.replace(config.smtp, recipients=(address,))
    try:
        deliver(message, to_one, lambda _partly: None, what=f"the reply to case {case.id}")
    except CrmError as exc:
        return str(exc)
    return None
