"""The mail channel over TLS against real servers on 127.0.0.1 with a throwaway private CA:
SMTP with STARTTLS and implicit TLS (aiosmtpd), IMAP with implicit TLS and STARTTLS (pymap).
The client trusts the private CA through SSL_CERT_FILE, as a user of one would (docs/mail.md)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import tlscerts
from conftest import Invoke
from mailserver import Inbox, serving
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
    certificates: tlscerts.Certificates, security: str, *, other_name: bool = False
) -> AbstractContextManager[Inbox]:
    context = certificates.server_context(other_name=other_name)
    if security == "ssl":
        return serving(ssl_context=context)
    return serving(tls_context=context, require_starttls=True)


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
