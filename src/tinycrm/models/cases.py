"""Cases: complaints and problems, from opening to resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.vocabulary import Severity


@dataclass(frozen=True, slots=True)
class Case:
    contact_id: int
    title: str
    severity: Severity
    opened_on: date
    target_on: date
    id: int | None = None
    escalated_to: str | None = None
    escalated_on: date | None = None
    resolved_on: date | None = None
    resolution: str | None = None
    resolution_internal: bool = False  # for staff only: not shown to nor e-mailed to the customer
    reply_mail: str | None = None  # the resolution's e-mail: None, "pending" or "sent"
    reply_mail_detail: str | None = None  # sent: to whom and when; pending: why it failed
    version: int = 0  # raised by every saved change; 0: not stored yet

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None
