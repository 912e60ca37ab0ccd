"""Sending the digest: a multipart (text + HTML) e-mail over SMTP or through a local sendmail.

Configured by the config file's `[smtp]` table (see docs/cron.md):

    host, port, security = "starttls" | "ssl" | "none", user,
    password_env = "VAR" | password_command = "pass show smtp", from, to, timeout
    sendmail = "/usr/sbin/sendmail"      # instead of host: hand the message to sendmail

smtplib, ssl and email are imported here only, so printing a digest does not pay for them.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tinycrm.errors import CrmError, SendError, UsageError
from tinycrm.mail import common, html, text
from tinycrm.mail.config_table import ConfigTable

if TYPE_CHECKING:
    import smtplib
    import ssl
    from email.message import EmailMessage

    from tinycrm.services.digest import Digest

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class RecipientRefused(SendError):
    """The server refused the recipient's address (exit 1): other messages may still go."""


class PartlySent(SendError):
    """The server took the message for some recipients and refused others (exit 1).

    Recorded as sent, so the accepted recipients do not get it twice; the error is kept."""


@dataclass(frozen=True)
class MailConfig:
    sender: str
    recipients: tuple[str, ...]
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password_env: str | None = None
    password_command: str | None = None
    sendmail: str | None = None
    timeout: float = 30.0

    @property
    def via(self) -> str:
        return f"sendmail {self.sendmail}" if self.sendmail else f"{self.host}:{self.port}"


def mail_config(raw: dict[str, Any], source: object = None, *, needs_to: bool = True) -> MailConfig:
    """Validate the `[smtp]` table; a missing or wrong value is a usage error naming the key.
    `to` (the digest's recipients) is needed unless `needs_to` is false (surveys)."""
    table = ConfigTable(raw, "smtp", source)
    if not raw:
        raise UsageError(
            f"{table.where} has no [smtp] table: add host, from and to (or sendmail); see"
            f" {'docs/cron.md' if needs_to else 'docs/mail.md'}"
        )
    sender = table.text("from")
    to = raw.get("to")
    recipients = (to,) if isinstance(to, str) else tuple(to or ())
    if not sender:
        raise table.error("smtp.from is missing (the digest's From address)")
    if (needs_to or to is not None) and (
        not recipients or not all(isinstance(r, str) and r.strip() for r in recipients)
    ):
        raise table.error("smtp.to must be an address or a list of addresses")
    security = table.security(SECURITY)
    sendmail = table.text("sendmail")
    host = table.text("host")
    if not sendmail and not host:
        raise table.error("smtp.host (or smtp.sendmail) is missing")
    port, timeout = table.port_and_timeout(DEFAULT_PORTS[security], 30)
    password_env, password_command = table.password_source(needed=False)
    return MailConfig(
        sender=sender,
        recipients=tuple(r.strip() for r in recipients),
        host=host,
        port=port,
        security=security,
        user=table.text("user"),
        password_env=password_env,
        password_command=password_command,
        sendmail=sendmail,
        timeout=timeout,
    )


def build_message(digest: Digest, config: MailConfig) -> EmailMessage:
    """A multipart/alternative message: the plain-text digest and the HTML one."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Subject"] = common.subject(digest)
    message["Date"] = formatdate(localtime=True)
    domain = config.sender.rpartition("@")[2].strip(" >") or None
    message["Message-ID"] = make_msgid("tinycrm-digest", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Tinycrm-Digest-Date"] = digest.as_of.isoformat()
    message.set_content(text.render(digest), charset="utf-8")
    message.add_alternative(html.render(digest), subtype="html", charset="utf-8")
    return message


# Called once the server has accepted the message (before QUIT), with the error to keep when
# some recipients were refused: the caller records the day as sent there and then.
Accepted = Callable[[str | None], None]


def deliver(
    message: EmailMessage, config: MailConfig, accepted: Accepted, what: str = "digest"
) -> str | None:
    """Hand the message over, calling `accepted` as soon as the server (or sendmail) took it.

    Raise SendError with one clear line when it was not taken; return a warning when it was
    taken but the goodbye (QUIT) went wrong. Raise PartlySent after `accepted` when some
    recipients were refused."""
    if config.sendmail:
        _sendmail(message, config, what)
        accepted(None)
        return None
    return _smtp(message, config, accepted, what)


def _password(config: MailConfig, what: str) -> str | None:
    return password(config.password_env, config.password_command, "smtp", f"send {what}", SendError)


def password(
    env: str | None, command: str | None, table: str, doing: str, error: type[CrmError]
) -> str | None:
    """The password from `<table>.password_env` or the output of `<table>.password_command`;
    `error` (one line) when neither yields one."""
    if env:
        value = os.environ.get(env)
        if value is None:
            raise error(
                f"cannot {doing}: environment variable {env} ({table}.password_env) is not set"
            )
        return value
    if command:
        try:
            done = subprocess.run(
                shlex.split(command), capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise error(f"cannot {doing}: {table}.password_command failed: {exc}") from exc
        if done.returncode != 0:
            raise error(
                f"cannot {doing}: {table}.password_command exited with"
                f" {done.returncode}: {_first_line(done.stderr)}"
            )
        lines = done.stdout.splitlines()
        return lines[0] if lines else ""
    return None


def _smtp(message: EmailMessage, config: MailConfig, accepted: Accepted, what: str) -> str | None:
    import smtplib

    assert config.host is not None
    password = _password(config, what) if config.user else None
    where = f"{config.host}:{config.port}"
    client: smtplib.SMTP
    if config.security == "ssl":
        import ssl

        client = smtplib.SMTP_SSL(timeout=config.timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(timeout=config.timeout)
    # The timeout is for the whole conversation: smtplib's own applies to each read, so a
    # server trickling a line at a time could hold the run (and the day's mark) for ever.
    deadline = _Deadline(client, config.timeout)
    try:
        try:
            refused = _converse(client, message, config, password)
        except Exception as exc:
            raise _send_error(exc, where, config, what, timed_out=deadline.expired) from exc
        partly = (
            f"{what} sent via {where}, but these recipients were refused: {', '.join(refused)}"
            if refused
            else None
        )
        accepted(partly)
        warning = _goodbye(client, where, what, timed_out=lambda: deadline.expired)
    finally:
        deadline.cancel()
        client.close()
    if partly:
        raise PartlySent(partly)
    return warning


def _converse(
    client: smtplib.SMTP, message: EmailMessage, config: MailConfig, password: str | None
) -> dict[str, tuple[int, bytes]]:
    """Connect, secure, log in and send; the recipients the server refused."""
    import ssl

    assert config.host is not None
    # smtplib takes the name the certificate must carry from its constructor only, and the
    # client was made before connecting (for the deadline): without it TLS cannot verify.
    client._host = config.host  # type: ignore[attr-defined]
    client.connect(config.host, config.port)
    if config.security == "starttls":
        client.starttls(context=ssl.create_default_context())
    if config.user:
        _login(client, config.user, password or "")
    return client.send_message(message)


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN or LOGIN with the credentials in UTF-8 (smtplib only takes ASCII ones)."""
    import smtplib

    client.ehlo_or_helo_if_needed()
    offered = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        code, reply = client.docmd("AUTH", "PLAIN " + _base64(f"\0{user}\0{password}"))
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN " + _base64(user))
        if code == 334:
            code, reply = client.docmd(_base64(password))
    elif user.isascii() and password.isascii():
        client.login(user, password)  # CRAM-MD5, or smtplib's own "not supported"
        return
    else:
        raise smtplib.SMTPNotSupportedError("the server offers neither AUTH PLAIN nor LOGIN")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _base64(text: str) -> str:
    import base64

    # surrogateescape: a variable's bytes that are not UTF-8 are sent as they are.
    return base64.b64encode(text.encode("utf-8", "surrogateescape")).decode("ascii")


def _goodbye(
    client: smtplib.SMTP, where: str, what: str, timed_out: Callable[[], bool]
) -> str | None:
    """QUIT after the message was taken: a problem here is only worth a warning."""
    import smtplib

    said = f"{what} sent via {where}, but the server"
    try:
        code, reply = client.docmd("QUIT")
    except (smtplib.SMTPException, OSError) as exc:
        if timed_out():
            return f"{said} did not answer QUIT in time"
        return f"{said} did not answer QUIT ({exc.__class__.__name__})"
    if code != 221:
        return f"{said} answered QUIT with {code} {_first_line(_text(reply))}"
    return None


class _Deadline:
    """Cuts the connection once `seconds` have passed, wherever the conversation is then."""

    def __init__(self, client: smtplib.SMTP, seconds: float) -> None:
        import threading

        self.client = client
        self._expired = threading.Event()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        return self._expired.is_set()

    def _cut(self) -> None:
        import socket

        self._expired.set()
        sock = self.client.sock
        if sock is not None:
            # The plain socket's shutdown (not TLS's): a blocked read returns at once.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _send_error(
    exc: Exception, where: str, config: MailConfig, what: str, *, timed_out: bool
) -> SendError:
    """One line for a failed conversation; it never quotes the credentials."""
    import smtplib
    import ssl

    if timed_out or isinstance(exc, TimeoutError):
        return SendError(
            f"cannot send {what}: {where} did not finish within {config.timeout:g} s (timed out)"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"cannot send {what} via {where}: login refused ({_reply(exc)})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(
            f"cannot send {what} via {where}: the server does not support"
            f" {config.security.upper()} or login ({exc}); check smtp.security"
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return RecipientRefused(
            f"cannot send {what} via {where}: recipients refused: {', '.join(exc.recipients)}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendError(f"cannot send {what} via {where}: {_reply(exc)}")
    if isinstance(exc, smtplib.SMTPException):
        return SendError(f"cannot send {what} via {where}: {exc}")
    if isinstance(exc, ConnectionRefusedError):
        return SendError(f"cannot send {what}: connection to {where} refused")
    if isinstance(exc, ssl.SSLError):
        return SendError(f"cannot send {what} via {where}: {tls_failure(exc)}")
    if isinstance(exc, OSError):
        return SendError(f"cannot send {what} via {where}: {exc.strerror or exc}")
    # Anything else is a bug; its text may hold part of what was being encoded (a password).
    return SendError(f"cannot send {what} via {where}: unexpected {type(exc).__name__}")


def tls_failure(exc: ssl.SSLError) -> str:
    """'TLS failed: …', naming why the server's certificate was not trusted when it was not."""
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        why = str(exc.verify_message).rstrip(".")
        return (
            f"TLS failed: the server's certificate is not trusted ({why});"
            " for a private CA see SSL_CERT_FILE in docs/mail.md"
        )
    return f"TLS failed: {exc.reason or exc}"


def _sendmail(message: EmailMessage, config: MailConfig, what: str) -> None:
    assert config.sendmail is not None
    command = [*shlex.split(config.sendmail), "-oi", "--", *config.recipients]
    try:
        done = subprocess.run(
            command,
            input=message.as_bytes(),
            capture_output=True,
            timeout=120,
            check=False,
            env=_sendmail_environment(config),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SendError(f"cannot send {what}: {config.sendmail} failed: {exc}") from exc
    if done.returncode != 0:
        detail = _first_line(done.stderr.decode("utf-8", "replace")) or "no message"
        raise SendError(
            f"cannot send {what}: {config.sendmail} exited with {done.returncode}: {detail}"
        )


def _sendmail_environment(config: MailConfig) -> dict[str, str]:
    """crm's environment without the SMTP password variable: sendmail has no use for it."""
    return {name: value for name, value in os.environ.items() if name != config.password_env}


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_first_line(_text(exc.smtp_error))}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
