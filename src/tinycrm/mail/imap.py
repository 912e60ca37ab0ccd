"""Reading the shop mailbox over IMAP (IMAPClient), configured by the `[imap]` table:

    host, port, security = "ssl" | "starttls" | "none", user,
    password_env = "VAR" | password_command = "pass show imap",
    folder = "INBOX", done_folder = "tinycrm", reply_to = "shop@example.com", timeout

imapclient and ssl are imported here only, when mail is collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from tinycrm.errors import CrmError, UsageError
from tinycrm.io.mailmessage import normal_message_id
from tinycrm.mail.config_table import ConfigTable
from tinycrm.mail.send import password, tls_failure

if TYPE_CHECKING:
    from imapclient import IMAPClient

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
# Past this size only the headers and the start of the body are fetched: enough to read an
# answer or excerpt, and a huge message cannot fill the memory.
WHOLE_MESSAGE_BYTES = 1 << 20
PARTIAL_BODY_BYTES = 256 << 10
SEEN = b"\\Seen"


class CollectError(CrmError):
    """The mailbox cannot be read (exit 1); nothing is lost, the next run catches up."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    user: str
    port: int = 993
    security: str = "ssl"
    password_env: str | None = None
    password_command: str | None = None
    folder: str = "INBOX"
    done_folder: str = "tinycrm"
    timeout: float = 60.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def imap_config(raw: dict[str, Any], source: object = None) -> ImapConfig:
    """Validate the `[imap]` table; a missing or wrong value is a usage error naming the key."""
    table = ConfigTable(raw, "imap", source)
    if not raw:
        raise UsageError(
            f"{table.where} has no [imap] table: add host, user and password_env (or"
            " password_command) for the shop mailbox; see docs/mail.md"
        )
    host, user = table.text("host"), table.text("user")
    if not host or not user:
        raise table.error("imap.host and imap.user are needed; see docs/mail.md")
    security = table.security(SECURITY)
    port, timeout = table.port_and_timeout(DEFAULT_PORTS[security], 60)
    password_env, password_command = table.password_source(needed=True)
    folder = table.text("folder") or "INBOX"
    done = table.text("done_folder") or "tinycrm"
    if folder == done:
        raise table.error("imap.done_folder must differ from imap.folder")
    return ImapConfig(
        host=host,
        user=user,
        port=port,
        security=security,
        password_env=password_env,
        password_command=password_command,
        folder=folder,
        done_folder=done,
        timeout=timeout,
    )


def reply_address(imap: dict[str, Any], sender: str, source: object = None) -> str:
    """Where answers go: `[imap] reply_to`, else the address of `[smtp] from`."""
    value = imap.get("reply_to") or parseaddr(sender)[1]
    if not isinstance(value, str) or "@" not in value:
        where = f"config {source}" if source else "config"
        raise UsageError(f"{where}: imap.reply_to must be an e-mail address")
    return value.strip()


@dataclass(frozen=True)
class Listed:
    uid: int
    message_id: str | None


class Mailbox:
    """The configured folder, selected; messages are listed, fetched and filed by UID."""

    def __init__(self, client: IMAPClient, config: ImapConfig) -> None:
        self.client = client
        self.config = config

    def listing(self) -> list[Listed]:
        uids = self.client.search(["ALL"])
        if not uids:
            return []
        key = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
        fetched = self.client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        listed = []
        for uid in sorted(fetched):
            header = fetched[uid].get(key) or b""
            text = header.decode("ascii", "replace").partition(":")[2]
            listed.append(Listed(uid, normal_message_id(text)))
        return listed

    def fetch(self, uid: int) -> bytes | None:
        """The message's bytes (headers and the start of the body when it is huge); None
        when it is gone (another collector filed it)."""
        size = self.client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE")
        if size is None:
            return None
        if size <= WHOLE_MESSAGE_BYTES:
            data = self.client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            body = data.get(b"BODY[]")
            return bytes(body) if body is not None else None
        parts = self.client.fetch(
            [uid], ["BODY.PEEK[HEADER]", f"BODY.PEEK[TEXT]<0.{PARTIAL_BODY_BYTES}>"]
        ).get(uid, {})
        header = parts.get(b"BODY[HEADER]")
        text = next((v for k, v in parts.items() if k.startswith(b"BODY[TEXT]")), b"")
        return bytes(header) + bytes(text or b"") if header is not None else None

    def file(self, uid: int) -> None:
        """Mark the message seen and move it to the done folder."""
        self.client.add_flags([uid], [SEEN])
        if self.client.has_capability("MOVE"):
            self.client.move([uid], self.config.done_folder)
        else:
            self.client.copy([uid], self.config.done_folder)
            self.client.delete_messages([uid])
            self.client.expunge()


@contextmanager
def opened(config: ImapConfig) -> Iterator[Mailbox]:
    """Log in and select the folder; any failure on the way, or later inside the block, is
    one CollectError line."""
    import ssl

    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError

    secret = password(
        config.password_env, config.password_command, "imap", "collect mail", CollectError
    )
    client: IMAPClient | None = None
    try:
        context = ssl.create_default_context()
        client = IMAPClient(
            config.host,
            port=config.port,
            ssl=config.security == "ssl",
            ssl_context=context if config.security == "ssl" else None,
            timeout=config.timeout,
        )
        if config.security == "starttls":
            client.starttls(context)
        client.login(config.user, secret or "")
        if not client.folder_exists(config.folder):
            raise CollectError(
                f"cannot collect mail: folder {config.folder!r} does not exist on"
                f" {config.where} (imap.folder)"
            )
        if not client.folder_exists(config.done_folder):
            client.create_folder(config.done_folder)
        client.select_folder(config.folder)
        yield Mailbox(client, config)
    except (IMAPClientError, OSError) as exc:  # ssl.SSLError is an OSError
        raise _collect_error(exc, config) from exc
    finally:
        if client is not None:
            _logout(client)


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the server went away: nothing to say goodbye to
        with suppress(Exception):
            client.shutdown()


def _collect_error(exc: Exception, config: ImapConfig) -> CollectError:
    """One line for a failed conversation; it never quotes the credentials."""
    import ssl

    from imapclient.exceptions import IMAPClientError, LoginError

    where = config.where
    if isinstance(exc, LoginError):
        return CollectError(
            f"cannot collect mail from {where}: login refused for {config.user}"
            " (check imap.user and the password)"
        )
    if isinstance(exc, TimeoutError):
        return CollectError(
            f"cannot collect mail: {where} did not answer within {config.timeout:g} s"
        )
    if isinstance(exc, ConnectionRefusedError):
        return CollectError(f"cannot collect mail: connection to {where} refused")
    if isinstance(exc, ssl.SSLError):
        return CollectError(f"cannot collect mail from {where}: {tls_failure(exc)}")
    if isinstance(exc, OSError):
        return CollectError(f"cannot collect mail from {where}: {exc.strerror or exc}")
    if isinstance(exc, IMAPClientError):
        return CollectError(f"cannot collect mail from {where}: {_first_line(str(exc))}")
    return CollectError(f"cannot collect mail from {where}: unexpected {type(exc).__name__}")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
