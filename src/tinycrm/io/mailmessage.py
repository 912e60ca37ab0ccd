"""An incoming e-mail read into the few plain fields tinycrm uses, safely.

The message is data from anyone: headers are decoded (RFC 2047 encoded words), the sender is
the address in From (never its display name), HTML is reduced to its text with scripts and
styles dropped, and everything kept is stripped of control characters and cut short.
"""

from __future__ import annotations

import hashlib
import html.parser
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote

from tinycrm.textsafe import without_controls

SUBJECT_CHARS = 300
EXCERPT_CHARS = 200
COMMENT_CHARS = 500
TEXT_CHARS = 64 << 10  # only the start of a huge body is looked at

# Lines that start the quoted message in a reply, in the languages of the survey.
_QUOTE_HEADER = re.compile(
    r"^(on .+ wrote:|am .+ schrieb .+:|le .+ a écrit\s?:|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*ursprüngliche nachricht\s*-{2,}|from: .+)$",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")
RETURNED_CHARS = 16 << 10  # the returned message's headers a bounce carries, at most


class Unreadable(Exception):
    """The bytes are not an e-mail message tinycrm can act on (the reason says why)."""


@dataclass(frozen=True)
class IncomingMail:
    message_id: str  # the Message-ID, or one made from the fingerprint when it has none
    fingerprint: str  # sha256 of the message's own headers and body (not the trace headers)
    sender: str  # the From address, lower case
    recipients: tuple[str, ...]  # To and Cc addresses, lower case
    subject: str
    sent_on: date | None
    refers_to: tuple[str, ...]  # In-Reply-To and References Message-IDs
    first_line: str
    comment: str | None  # what follows the first line, without the quoted message
    excerpt: str
    automatic: bool  # an auto-reply, bounce or list mail: nobody wrote it
    failed: FailedDelivery | None = None  # a report that a message could not be delivered


@dataclass(frozen=True)
class FailedDelivery:
    """A delivery-status report (RFC 3464) with a failed Action: what it says was returned."""

    message_ids: tuple[str, ...]  # the returned message's Message-ID
    returned: str  # the returned headers' text, percent-decoded (a List-Unsubscribe code)
    recipient: str | None  # the Final-Recipient address
    diagnostic: str | None  # the remote server's reason


def normal_message_id(value: str | None) -> str | None:
    """'<abc@host>' from a Message-ID header's text, or None."""
    if not value:
        return None
    found = _MESSAGE_ID.search(value)
    return f"<{found.group(1)}>" if found else None


def fingerprint(raw: bytes) -> str:
    """The same for two deliveries of one message (trace headers such as Received differ),
    different for two messages that share a Message-ID."""
    text = raw.replace(b"\r\n", b"\n")
    head, _, body = text.partition(b"\n\n")
    keep = (b"from:", b"to:", b"cc:", b"subject:", b"date:", b"message-id:")
    lines = [line for line in _unfolded(head) if line.lower().startswith(keep)]
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line + b"\n")
    digest.update(b"\n" + body)
    return digest.hexdigest()


def _unfolded(head: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip()
        else:
            lines.append(line)
    return lines


def read_message(raw: bytes) -> IncomingMail:
    import email
    import email.policy
    from email.message import EmailMessage

    if b"\n" not in raw[:10_000] or b":" not in raw.split(b"\n", 1)[0]:
        raise Unreadable("not an e-mail message (no header)")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything it still refuses
        raise Unreadable(f"not an e-mail message ({type(exc).__name__})") from exc
    assert isinstance(message, EmailMessage)
    sender = _sender(message)
    print_ = fingerprint(raw)
    message_id = normal_message_id(_header(message, "Message-ID")) or f"<{print_}@fingerprint>"
    text = _text(message)
    body_lines = [line.strip() for line in text.splitlines()]
    own = _own_lines(body_lines)
    first = next((line for line in own if line), "")
    rest = own[own.index(first) + 1 :] if first else []
    comment = _short(" ".join(line for line in rest if line), COMMENT_CHARS) or None
    return IncomingMail(
        message_id=message_id,
        fingerprint=print_,
        sender=sender,
        recipients=_addresses(message, "To", "Cc"),
        subject=_short(_header(message, "Subject") or "", SUBJECT_CHARS),
        sent_on=_date(_header(message, "Date")),
        refers_to=tuple(
            dict.fromkeys(
                f"<{m}>"
                for name in ("In-Reply-To", "References")
                for m in _MESSAGE_ID.findall(_header(message, name) or "")
            )
        ),
        first_line=_short(first, 200),
        comment=comment,
        excerpt=_short(" ".join(line for line in own if line), EXCERPT_CHARS),
        automatic=_automatic(message),
        failed=failed_delivery(message),
    )


def _header(message: object, name: str) -> str | None:
    """A header's decoded text, or None when it is missing or cannot be decoded."""
    try:
        value = message.get(name)  # type: ignore[attr-defined]
    except Exception:
        return None
    return None if value is None else str(value)


def _sender(message: object) -> str:
    try:
        values = message.get_all("From") or []  # type: ignore[attr-defined]
        addresses = [a for value in values for a in value.addresses]
    except Exception as exc:
        raise Unreadable("a From header that cannot be read") from exc
    if not values:
        raise Unreadable("no From address")
    if len(values) != 1 or len(addresses) != 1:
        raise Unreadable("a From header that is not exactly one address")
    address = str(addresses[0].addr_spec).strip().lower()
    if "@" not in address or not address.isprintable() or any(c.isspace() for c in address):
        raise Unreadable("a From header that is not exactly one address")
    return address


def _addresses(message: object, *names: str) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        try:
            for value in message.get_all(name) or []:  # type: ignore[attr-defined]
                found.extend(a.addr_spec.strip().lower() for a in value.addresses)
        except Exception:
            continue
    return tuple(dict.fromkeys(a for a in found if "@" in a))


def _date(value: str | None) -> date | None:
    from email.utils import parsedate_to_datetime

    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return (moment.astimezone() if moment.tzinfo else moment).date()


def _automatic(message: object) -> bool:
    auto = (_header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = (_header(message, "Precedence") or "").strip().lower()
    return (
        auto != "no"
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or _header(message, "List-Id") is not None
        or _header(message, "X-Autoreply") is not None
        or _header(message, "X-Autorespond") is not None
        or (_header(message, "Return-Path") or "").strip() == "<>"
    )


def failed_delivery(message: object) -> FailedDelivery | None:
    """The failure a `multipart/report; report-type=delivery-status` message reports; None for
    any other message, one whose Action is not failed, or one that cannot be read."""
    try:
        return _failed_delivery(message)
    except Exception:  # a stranger's malformed report is not a bounce tinycrm acts on
        return None


def _failed_delivery(message: Any) -> FailedDelivery | None:
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    fields: list[Any] = []
    returned: list[str] = []
    message_ids: list[str] = []
    for part in message.iter_parts():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            fields.extend(f for f in part.get_payload() if hasattr(f, "get"))
        elif kind in ("text/rfc822-headers", "message/rfc822"):
            head = _returned_head(part)
            lines = "\n".join(f"{name}: {value}" for name, value in head.raw_items())
            returned.append(unquote(lines[:RETURNED_CHARS]))
            found = normal_message_id(_header(head, "Message-ID"))
            message_ids.extend([found] if found else [])
    failed = [f for f in fields if (_header(f, "Action") or "").strip().lower() == "failed"]
    if not failed:
        return None
    recipient = (_header(failed[0], "Final-Recipient") or "").partition(";")[2].strip()
    diagnostic = (_header(failed[0], "Diagnostic-Code") or "").partition(";")[2]
    return FailedDelivery(
        message_ids=tuple(dict.fromkeys(message_ids)),
        returned="\n".join(returned),
        recipient=recipient.lower() or None,
        diagnostic=_short(diagnostic, EXCERPT_CHARS) or None,
    )


def _returned_head(part: Any) -> Any:
    """The returned message's headers: a text/rfc822-headers body, or a message/rfc822 one."""
    import email
    import email.policy

    if part.get_content_type() == "message/rfc822":
        return part.get_payload()[0]
    payload = part.get_payload(decode=True) or b""
    return email.message_from_bytes(payload[:RETURNED_CHARS], policy=email.policy.default)


def _text(message: object) -> str:
    """The plain-text body, else the HTML body's text; '' when there is neither."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except Exception:
        part = None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except Exception:  # an unknown charset or broken encoding: the bytes, decoded leniently
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    content = content[:TEXT_CHARS]
    if part.get_content_subtype() == "html":
        content = _html_text(content)
    return without_controls(content.replace("\r\n", "\n").replace("\t", " ").replace("\r", "\n"))


def _own_lines(lines: list[str]) -> list[str]:
    """The lines the sender wrote: up to the quoted message a reply carries."""
    own: list[str] = []
    for line in lines:
        if line.startswith(">") or _QUOTE_HEADER.match(line):
            break
        own.append(line.replace("\u200b", "").replace("\ufeff", "").strip())
    return own


def _short(text: str, limit: int) -> str:
    flat = " ".join(without_controls(text.replace("\n", " ")).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _HtmlText(html.parser.HTMLParser):
    """The text of an HTML body: what a reader sees, without scripts or styles."""

    SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
    BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        if tag == "blockquote":
            self.quoting += 1
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag == "blockquote" and self.quoting:
            self.quoting -= 1
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(("> " + data) if self.quoting else data)


def _html_text(markup: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient; keep what was read
        pass
    return "".join(parser.parts)
