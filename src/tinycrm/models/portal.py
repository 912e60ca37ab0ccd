"""The customer portal's records: one-time links e-mailed to a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LinkPurpose(StrEnum):
    SIGN_IN = "sign-in"
    CONFIRM_EMAIL = "confirm-email"  # a new sign-in address, confirmed from that address


@dataclass(frozen=True, slots=True)
class PortalLink:
    """A one-time link as stored: who it is for and when it expires (never its secret)."""

    id: int
    contact_id: int
    purpose: LinkPurpose
    address: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
