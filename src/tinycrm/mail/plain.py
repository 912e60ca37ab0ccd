"""A short plain-text e-mail to one customer (the portal's links, invitations, replies to their
cases), signed with the shop's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinycrm.config import Settings
from tinycrm.mail.survey import shop_name as survey_shop_name
from tinycrm.services.portal import PortalSettings
from tinycrm.services.surveys import survey_settings
from tinycrm.textsafe import without_controls

if TYPE_CHECKING:
    from email.message import EmailMessage


def shop_name(options: PortalSettings, settings: Settings, sender: str) -> str:
    """`[portal] shop_name`, else the surveys' shop name (`[mail]`, or `[smtp] from`)."""
    return options.shop_name or survey_shop_name(
        survey_settings(settings.mail, settings.source), sender
    )


def plain_message(sender: str, address: str, name: str, subject: str, body: str) -> EmailMessage:
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
