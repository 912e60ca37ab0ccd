"""The portal's e-mails (a sign-in link, a new address's confirmation), sent through `[smtp]`.

Sending happens on a thread of its own, so a known address is answered as fast as an unknown
one (no account enumeration by timing); a failure is logged, never shown to the visitor.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import TYPE_CHECKING

from tinycrm.config import Settings
from tinycrm.errors import CrmError
from tinycrm.mail.send import MailConfig, deliver
from tinycrm.mail.survey import shop_name as survey_shop_name
from tinycrm.services.portal import PortalSettings
from tinycrm.services.surveys import survey_settings
from tinycrm.textsafe import without_controls

if TYPE_CHECKING:
    from email.message import EmailMessage

log = logging.getLogger("tinycrm.portal")


def shop_name(options: PortalSettings, settings: Settings, sender: str) -> str:
    """`[portal] shop_name`, else the surveys' shop name (`[mail]`, or `[smtp] from`)."""
    return options.shop_name or survey_shop_name(
        survey_settings(settings.mail, settings.source), sender
    )


def link_message(sender: str, address: str, name: str, subject: str, body: str) -> EmailMessage:
    import email.policy
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = Address(
        display_name=" ".join(without_controls(name).split()), addr_spec=address
    )
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("tinycrm-portal", domain=address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    return message


def send_in_background(message: EmailMessage, config: MailConfig, address: str) -> threading.Thread:
    """Deliver `message` to `address` on a new thread (returned, for tests to join)."""
    to_one = dataclasses.replace(config, recipients=(address,))

    def send() -> None:
        try:
            warning = deliver(message, to_one, lambda _partly: None, what="portal e-mail")
        except CrmError as exc:
            log.error("%s", exc)
        else:
            if warning:
                log.warning("%s", warning)

    thread = threading.Thread(target=send, name="portal-mail", daemon=True)
    thread.start()
    return thread
