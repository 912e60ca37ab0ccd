"""Sending the digest: a multipart (text + HTML) e-mail over SMTP or through a local sendmail.

Configured by the config file's `[smtp]` table (see docs/cron.md):

    host, port, security = "starttls" | "ssl" | "none", user,
    password_env = "VAR" | password_command = "pass show smtp", from, to, timeout
    sendmail = "/usr/sbin/sendmail"      # instead of host: hand the message to sendmail

smtplib, ssl and email are imported here only, so printing a digest does not pay for them.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tinycrm.errors import CrmError, UsageError

if TYPE_CHECKING:
    from email.message import EmailMessage

    from tinycrm.services.digest import Digest

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SendError(CrmError):
    """The message could not be delivered (exit 1); the run is recorded as failed."""


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


def mail_config(raw: dict[str, Any], source: object = None) -> MailConfig:
    """Validate the `[smtp]` table; a missing or wrong value is a usage error naming the key."""
    where = f"config {source}" if source else "config"
    if not raw:
        raise UsageError(
            f"{where} has no [smtp] table: add host, from and to (or sendmail); see docs/cron.md"
        )

    def text(key: str) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise UsageError(f"{where}: smtp.{key} must be a string")
        return value

    sender = text("from")
    to = raw.get("to")
    recipients = (to,) if isinstance(to, str) else tuple(to or ())
    if not sender:
        raise UsageError(f"{where}: smtp.from is missing (the digest's From address)")
    if not recipients or not all(isinstance(r, str) and r.strip() for r in recipients):
        raise UsageError(f"{where}: smtp.to must be an address or a list of addresses")
    security = (text("security") or "starttls").lower()
    if security not in SECURITY:
        raise UsageError(f"{where}: smtp.security must be starttls, ssl or none, not {security!r}")
    sendmail = text("sendmail")
    host = text("host")
    if not sendmail and not host:
        raise UsageError(f"{where}: smtp.host (or smtp.sendmail) is missing")
    try:
        port = int(raw.get("port", DEFAULT_PORTS[security]))
        timeout = float(raw.get("timeout", 30))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where}: smtp.port and smtp.timeout must be numbers") from exc
    if not 0 < port < 65536:
        raise UsageError(f"{where}: smtp.port must be between 1 and 65535")
    if text("password_env") and text("password_command"):
        raise UsageError(f"{where}: set smtp.password_env or smtp.password_command, not both")
    if "password" in raw:
        raise UsageError(
            f"{where}: smtp.password is not read (a config file is no place for a password);"
            " use password_env or password_command"
        )
    return MailConfig(
        sender=sender,
        recipients=tuple(r.strip() for r in recipients),
        host=host,
        port=port,
        security=security,
        user=text("user"),
        password_env=text("password_env"),
        password_command=text("password_command"),
        sendmail=sendmail,
        timeout=timeout,
    )


def build_message(digest: Digest, config: MailConfig) -> EmailMessage:
    """A multipart/alternative message: the plain-text digest and the HTML one."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    from tinycrm.digest import common, html, text

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


def deliver(message: EmailMessage, config: MailConfig) -> None:
    """Hand the message over; raise SendError with one clear line when that fails."""
    if config.sendmail:
        _sendmail(message, config)
    else:
        _smtp(message, config)


def _password(config: MailConfig) -> str | None:
    if config.password_env:
        value = os.environ.get(config.password_env)
        if value is None:
            raise SendError(
                f"cannot send digest: environment variable {config.password_env}"
                " (smtp.password_env) is not set"
            )
        return value
    if config.password_command:
        try:
            done = subprocess.run(
                shlex.split(config.password_command),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise SendError(f"cannot send digest: smtp.password_command failed: {exc}") from exc
        if done.returncode != 0:
            raise SendError(
                "cannot send digest: smtp.password_command exited with"
                f" {done.returncode}: {_first_line(done.stderr)}"
            )
        lines = done.stdout.splitlines()
        return lines[0] if lines else ""
    return None


def _smtp(message: EmailMessage, config: MailConfig) -> None:
    import smtplib
    import ssl

    assert config.host is not None
    password = _password(config) if config.user else None
    where = f"{config.host}:{config.port}"
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if config.security == "ssl":
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
            if config.user:
                client.login(config.user, password or "")
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"cannot send digest via {where}: login refused ({_reply(exc)})") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(
            f"cannot send digest via {where}: the server does not support"
            f" {config.security.upper()} or login ({exc}); check smtp.security"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(
            f"cannot send digest via {where}: recipients refused: {', '.join(exc.recipients)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"cannot send digest via {where}: {_reply(exc)}") from exc
    except smtplib.SMTPException as exc:
        raise SendError(f"cannot send digest via {where}: {exc}") from exc
    except ConnectionRefusedError as exc:
        raise SendError(f"cannot send digest: connection to {where} refused") from exc
    except TimeoutError as exc:
        raise SendError(f"cannot send digest: {where} did not answer (timed out)") from exc
    except ssl.SSLError as exc:
        raise SendError(f"cannot send digest via {where}: TLS failed: {exc.reason}") from exc
    except OSError as exc:
        raise SendError(f"cannot send digest via {where}: {exc.strerror or exc}") from exc
    if refused:
        raise PartlySent(
            f"digest sent via {where}, but these recipients were refused: {', '.join(refused)}"
        )


def _sendmail(message: EmailMessage, config: MailConfig) -> None:
    assert config.sendmail is not None
    command = [*shlex.split(config.sendmail), "-oi", "--", *config.recipients]
    try:
        done = subprocess.run(
            command, input=message.as_bytes(), capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SendError(f"cannot send digest: {config.sendmail} failed: {exc}") from exc
    if done.returncode != 0:
        detail = _first_line(done.stderr.decode("utf-8", "replace")) or "no message"
        raise SendError(
            f"cannot send digest: {config.sendmail} exited with {done.returncode}: {detail}"
        )


def _reply(exc: Any) -> str:
    text = exc.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{exc.smtp_code} {_first_line(str(text))}"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
