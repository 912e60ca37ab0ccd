"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), and what it received."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    @property
    def count(self) -> int:
        return len(self.messages)


@contextmanager
def serving(inbox: Inbox | None = None, **parameters: Any) -> Iterator[Inbox]:
    """`inbox` (a new one if None) listening on its port until the block ends."""
    from aiosmtpd.controller import Controller

    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **parameters)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
