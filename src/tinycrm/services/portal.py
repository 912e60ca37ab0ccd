"""The customer portal's rules: who may sign in, how links and sessions work, what a customer sees.

The web app (tinycrm.portal) only shows what these functions return and passes on what the
customer typed; the secrets it hands out are stored here as SHA-256 hashes only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tinycrm import validation
from tinycrm.errors import CrmError, NotFound, UsageError
from tinycrm.models.contacts import Contact
from tinycrm.models.portal import LinkPurpose
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.vocabulary import Severity

LANGUAGES = ("en", "es", "it")
LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
# At most this many sign-in e-mails asked for within WINDOW, per address and per client.
ADDRESS_LIMIT = 3
CLIENT_LIMIT = 10
WINDOW = timedelta(minutes=15)
SECRET_BYTES = 32  # 256 bits: links and sessions nobody can guess
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
COLOUR_NAMES = ("accent", "background", "text")


class RateLimited(CrmError):
    """Too many sign-in e-mails asked for, from one address or one client."""


class LinkRefused(CrmError):
    """A one-time link that is unknown, already used or expired; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"this link is {reason}")
        self.reason = reason  # unknown, used, expired


@dataclass(frozen=True)
class PortalSettings:
    """The config file's `[portal]` table (docs/portal.md)."""

    base_url: str | None = None  # the public address in e-mailed links
    shop_name: str | None = None
    logo: Path | None = None
    colours: dict[str, str] = field(default_factory=dict)  # accent, background, text
    review_changes: bool = False
    language: str = "en"
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-* headers count
    complaint_severity: Severity = Severity.NORMAL  # of a case a customer opens


def portal_settings(raw: dict[str, Any], source: Path | None = None) -> PortalSettings:
    where = f"config {source}" if source else "config"

    def text(key: str) -> str | None:
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise UsageError(f"{where}: portal.{key} must be a non-empty string")
        return value.strip() if value else None

    base_url = text("base_url")
    if base_url and not re.match(r"https?://[^/\s]+", base_url):
        raise UsageError(f"{where}: portal.base_url must start with https:// (or http://)")
    logo = text("logo")
    colours = raw.get("colours", {})
    if not isinstance(colours, dict) or not all(
        name in COLOUR_NAMES and isinstance(value, str) and _COLOUR.fullmatch(value)
        for name, value in colours.items()
    ):
        raise UsageError(
            f'{where}: portal.colours must be like {{ accent = "#1f6feb", background = "#fff",'
            ' text = "#222" }'
        )
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        raise UsageError(f"{where}: portal.language must be one of {', '.join(LANGUAGES)}")
    review = raw.get("review_changes", False)
    if not isinstance(review, bool):
        raise UsageError(f"{where}: portal.review_changes must be true or false")
    proxies = raw.get("trusted_proxies", 0)
    if not isinstance(proxies, int) or isinstance(proxies, bool) or not 0 <= proxies <= 5:
        raise UsageError(f"{where}: portal.trusted_proxies must be a number from 0 to 5")
    try:
        severity = validation.choice(
            Severity, str(raw.get("complaint_severity", "normal")), "portal.complaint_severity"
        )
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from exc
    return PortalSettings(
        complaint_severity=severity,
        base_url=base_url.rstrip("/") if base_url else None,
        shop_name=text("shop_name"),
        logo=Path(logo).expanduser() if logo else None,
        colours=dict(colours),
        review_changes=review,
        language=language,
        trusted_proxies=proxies,
    )


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def signing_key(store: Store, now: datetime) -> str:
    """The key every server process signs cookies and forms with (made on first use)."""
    return store.portal.signing_key(secrets.token_urlsafe(SECRET_BYTES), now)


@dataclass(frozen=True)
class SignInLink:
    """A link to e-mail: its secret is in `token` and nowhere else."""

    contact: Contact
    address: str
    token: str


def request_sign_in(store: Store, typed: str, client: str, now: datetime) -> SignInLink | None:
    """A sign-in link for the active contact with this e-mail address, or None when there is
    none: the caller answers both alike. Raises RateLimited past the limits, counted for
    every address, known or not, so the limit tells nothing either."""
    address = validation.email(typed).lower()
    keys = (("address", hashed(address), ADDRESS_LIMIT), ("client", hashed(client), CLIENT_LIMIT))
    with store.write():
        for scope, key, limit in keys:
            if store.portal.attempts_since(scope, key, now - WINDOW) >= limit:
                minutes = int(WINDOW.total_seconds() // 60)
                raise RateLimited(
                    f"too many sign-in e-mails asked for; try again in {minutes} minutes"
                )
        for scope, key, _limit in keys:
            store.portal.add_attempt(scope, key, now)
        store.portal.forget_attempts(now - timedelta(days=1))
        owner = store.mail.contacts_by_address([address]).get(address)
        contact = store.contacts.get(owner) if owner is not None else None
        if contact is None or contact.archived or contact.id is None:
            return None
        token = secrets.token_urlsafe(SECRET_BYTES)
        store.portal.add_link(
            contact.id, LinkPurpose.SIGN_IN, address, hashed(token), now, now + LINK_LIFETIME
        )
    return SignInLink(contact, address, token)


def check_link(store: Store, token: str, now: datetime, purpose: LinkPurpose) -> int:
    """The contact a usable link is for, without using it up (the page that asks to confirm)."""
    link = store.portal.link(hashed(token))
    if link is None or link.purpose != purpose:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now:
        raise LinkRefused("expired")
    return link.contact_id


def sign_in(store: Store, token: str, now: datetime) -> str:
    """Use up a sign-in link and start a session; the session's secret (for the cookie)."""
    with store.write():
        contact_id = check_link(store, token, now, LinkPurpose.SIGN_IN)
        link = store.portal.link(hashed(token))
        assert link is not None
        if not store.portal.use_link(link.id, now):
            raise LinkRefused("used")
        contact = store.contacts.get(contact_id)
        if contact is None or contact.archived:
            raise LinkRefused("unknown")
        session = secrets.token_urlsafe(SECRET_BYTES)
        store.portal.add_session(contact_id, hashed(session), now, now + SESSION_LIFETIME)
    return session


def signed_in(store: Store, session: str | None, now: datetime) -> int | None:
    """The contact whose live session this is, if any."""
    if not session:
        return None
    return store.portal.session_contact(hashed(session), now)


def sign_out(store: Store, session: str, now: datetime) -> None:
    store.portal.end_session(hashed(session), now)


@dataclass(frozen=True)
class Invitee:
    contact: Contact
    address: str  # the first e-mail address: the one they sign in with


@dataclass(frozen=True)
class Invitations:
    invitees: list[Invitee]
    skipped: list[tuple[Contact, str]]  # and why


def invitations(store: Store, refs: list[str], tag: str | None) -> Invitations:
    """Who `crm portal invite` writes to: the contacts named, or every active one tagged."""
    if bool(refs) == bool(tag):
        raise UsageError("name contacts to invite, or give --tag (not both)")
    with store.read():
        if tag:
            wanted = validation.tag(tag)
            contacts = store.contacts.query(ContactFilter(tag=wanted))
            if not contacts:
                raise NotFound(f"no active contact is tagged {wanted!r}")
        else:
            contacts = list({c.id: c for c in (resolve_ref(store, ref) for ref in refs)}.values())
    invitees: list[Invitee] = []
    skipped: list[tuple[Contact, str]] = []
    for contact in contacts:
        if contact.archived:
            skipped.append((contact, "archived"))
        elif not contact.emails:
            skipped.append((contact, "no e-mail address"))
        else:
            invitees.append(Invitee(contact, contact.emails[0]))
    return Invitations(invitees, skipped)
