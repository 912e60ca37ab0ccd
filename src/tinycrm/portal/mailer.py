"""Sending the portal's e-mails (a sign-in link, a new address's confirmation) through `[smtp]`.

Sending happens on a thread of its own, so a known address is answered as fast as an unknown
one (no account enumeration by timing); a failure is logged, never shown to the visitor.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import TYPE_CHECKING

from tinycrm.errors import CrmError
from tinycrm.mail.send import MailConfig, deliver

if TYPE_CHECKING:
    from email.message import EmailMessage

log = logging.getLogger("tinycrm.portal")


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
