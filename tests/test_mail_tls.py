"""The mail channel over TLS against real servers on 127.0.0.1 with a throwaway private CA:
SMTP with STARTTLS and implicit TLS (aiosmtpd), IMAP with implicit TLS and STARTTLS (pymap).
The client trusts the private CA through SSL_CERT_FILE, as a user of one would (docs/mail.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import Result

import tlscerts
from conftest import Invoke
from imapserver import ImapServer, imap_serving, implicit_tls
from mailserver import Inbox, serving
from test_mail_channel import links, reply_from_link
from tinycrm.store import Store

AS_OF = "2026-11-26"


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tlscerts.Certificates:
    return tlscerts.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(
    certificates: tlscerts.Certificates, monkeypatch: pytest.MonkeyPatch
) -> tlscerts.Certificates:
    """The private CA trusted the standard way: OpenSSL's SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    return certificates


def smtp_server(
    certificates: tlscerts.Certificates,
    security: str,
    *,
    other_name: bool = False,
    **parameters: Any,
) -> AbstractContextManager[Inbox]:
    context = certificates.server_context(other_name=other_name)
    if security == "ssl":
        return serving(ssl_context=context, **parameters)
    return serving(tls_context=context, require_starttls=True, **parameters)


def write_smtp_config(directory: Path, port: int, security: str, host: str = "127.0.0.1") -> None:
    (directory / "config.toml").write_text(
        f'[smtp]\nhost = "{host}"\nport = {port}\nsecurity = "{security}"\n'
        'from = "tinycrm <crm@shop.example>"\nto = "owner@shop.example"\ntimeout = 10\n',
        encoding="utf-8",
    )


@pytest.fixture
def due(cli: Invoke) -> str:
    """A contact with a follow-up due on AS_OF (a name with non-ASCII letters); the digest
    as `crm digest` prints it."""
    assert cli("contacts", "add", "Zoë Ångström", "--email", "zoe@example.com").exit_code == 0
    added = cli("follow-ups", "add", "Zoë", "Send the quote — €1 200", "--due", AS_OF,
                "--as-of", AS_OF)  # fmt: skip
    assert added.exit_code == 0, added.output
    printed = cli("digest", "--as-of", AS_OF)
    assert printed.exit_code == 0 and "Send the quote" in printed.stdout
    return str(printed.stdout)


def statuses(store: Store) -> list[str]:
    return [run.status for run in store.digests.recent()]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_the_digest_goes_out_over_tls_to_a_server_of_a_private_ca(
    security: str,
    trusted: tlscerts.Certificates,
    cli: Invoke,
    due: str,
    store: Store,
    isolated_env: Path,
) -> None:
    with smtp_server(trusted, security) as inbox:
        write_smtp_config(isolated_env, inbox.port, security)
        sent = cli("digest", "--send", "--as-of", AS_OF)

    assert (sent.exit_code, sent.stdout, sent.stderr) == (0, "", ""), sent.stderr
    [message] = inbox.messages
    assert inbox.envelopes[0].rcpt_tos == ["owner@shop.example"]
    assert message["Subject"] == "tinycrm digest for Thursday 26 November 2026: 1 item"
    plain, rich = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert plain is not None and rich is not None
    assert plain.get_content().splitlines() == due.splitlines()  # CRLF on the wire
    assert "Zoë Ångström" in rich.get_content()
    assert statuses(store) == ["sent"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_the_login_goes_inside_tls(
    security: str,
    trusted: tlscerts.Certificates,
    monkeypatch: pytest.MonkeyPatch,
    cli: Invoke,
    due: str,
    isolated_env: Path,
) -> None:
    """With STARTTLS the server offers AUTH only once TLS is up (aiosmtpd's default), as a
    provider does; with ssl there is nothing before TLS."""
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == "pässwörd".encode())

    monkeypatch.setenv("CRM_SMTP_PASSWORD", "pässwörd")
    with smtp_server(
        trusted, security, authenticator=authenticator, auth_require_tls=security == "starttls"
    ) as inbox:
        write_smtp_config(isolated_env, inbox.port, security)
        with (isolated_env / "config.toml").open("a", encoding="utf-8") as config:
            config.write('user = "shop"\npassword_env = "CRM_SMTP_PASSWORD"\n')
        sent = cli("digest", "--send", "--as-of", AS_OF)

    assert sent.exit_code == 0, sent.stderr
    assert logins == [(b"shop", "pässwörd".encode())] and inbox.count == 1


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("security", "other_name", "why"),
    [
        ("starttls", False, "unable to get local issuer certificate"),
        ("ssl", False, "unable to get local issuer certificate"),
        ("starttls", True, "IP address mismatch, certificate is not valid for '127.0.0.1'"),
        ("ssl", True, "IP address mismatch, certificate is not valid for '127.0.0.1'"),
    ],
)
def test_a_certificate_that_does_not_verify_is_one_line_and_nothing_is_sent(
    security: str,
    other_name: bool,
    why: str,
    certificates: tlscerts.Certificates,
    monkeypatch: pytest.MonkeyPatch,
    cli: Invoke,
    due: str,
    store: Store,
    isolated_env: Path,
) -> None:
    """Untrusted (the private CA not in SSL_CERT_FILE) or for another name (the CA trusted)."""
    if other_name:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    else:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with smtp_server(certificates, security, other_name=other_name) as inbox:
        write_smtp_config(isolated_env, inbox.port, security)
        failed = cli("digest", "--send", "--as-of", AS_OF)

    assert failed.exit_code == 1 and failed.stdout == ""
    assert failed.stderr == (
        f"crm: cannot send digest via 127.0.0.1:{inbox.port}: TLS failed: the server's"
        f" certificate is not trusted ({why}); for a private CA see SSL_CERT_FILE in"
        " docs/mail.md (recorded; the next run will try again)\n"
    )
    assert inbox.messages == []
    assert statuses(store) == ["failed"]


@dataclass
class Mailbox:
    """The shop's IMAP server with Ann's answer (5) to the survey she was e-mailed."""

    server: ImapServer
    port: int  # where crm connects: TLS from the start for ssl, else pymap's own port


@pytest.fixture(params=["ssl", "starttls"])
def mailbox(
    request: pytest.FixtureRequest,
    trusted: tlscerts.Certificates,
    cli: Invoke,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Mailbox]:
    security = str(request.param)
    monkeypatch.setenv("SHOP_IMAP_PASSWORD", "demopass")
    assert cli("contacts", "add", "Ann Archer", "--email", "ann@example.com").exit_code == 0
    assert cli("sales", "add", "ann", "120.00", "--date", "2026-11-01",
               "--as-of", "2026-11-01").exit_code == 0  # fmt: skip
    with (
        smtp_server(trusted, "starttls") as inbox,
        imap_serving(certificate=(trusted.cert, trusted.key)) as server,
        implicit_tls(server, trusted.server_context()) as tls_port,
    ):
        port = tls_port if security == "ssl" else server.port
        write_smtp_config(isolated_env, inbox.port, "starttls")
        with (isolated_env / "config.toml").open("a", encoding="utf-8") as config:
            config.write(
                f'[imap]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
                'user = "demouser"\npassword_env = "SHOP_IMAP_PASSWORD"\ntimeout = 10\n'
            )
        sent = cli("surveys", "send", "ann", "--as-of", AS_OF)
        assert sent.exit_code == 0, sent.output
        [survey] = inbox.messages
        server.append(reply_from_link(links(survey)[5], "Ann Archer <ann@example.com>"))
        yield Mailbox(server, port)


def collect(cli: Invoke) -> Result:
    return cli("mail", "collect", "--as-of", "2026-11-27")


def scores(cli: Invoke) -> list[object]:
    history = cli("satisfaction", "history", "ann", "--as-of", "2026-11-27", "--json")
    assert history.exit_code == 0, history.output
    return [score["score"] for score in json.loads(history.stdout)["scores"]]


@pytest.mark.sqlite_only
def test_an_answer_is_collected_over_tls_from_a_server_of_a_private_ca(
    mailbox: Mailbox, cli: Invoke
) -> None:
    done = collect(cli)

    assert done.exit_code == 0, done.stderr
    assert scores(cli) == [5]
    assert mailbox.server.messages() == [] and len(mailbox.server.messages("tinycrm")) == 1


@pytest.mark.sqlite_only
def test_an_untrusted_imap_certificate_is_one_line_and_takes_nothing(
    mailbox: Mailbox, cli: Invoke, monkeypatch: pytest.MonkeyPatch, trusted: tlscerts.Certificates
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    failed = collect(cli)

    assert failed.exit_code == 1 and failed.stdout == ""
    assert failed.stderr == (
        f"crm: cannot collect mail from 127.0.0.1:{mailbox.port}: TLS failed: the server's"
        " certificate is not trusted (unable to get local issuer certificate); for a private"
        " CA see SSL_CERT_FILE in docs/mail.md\n"
    )
    assert scores(cli) == [] and len(mailbox.server.messages()) == 1

    # Trusted again, the next run takes the answer.
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted.ca))
    assert collect(cli).exit_code == 0
    assert scores(cli) == [5]
