"""`crm portal invite`: customers get the portal's address by e-mail (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Invoke
from mailserver import Inbox, serving
from portalkit import write_config


@pytest.fixture
def inbox(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as running:
        write_config(isolated_env, running, 'base_url = "https://portal.example.com"')
        yield running


@pytest.fixture
def shop(cli: Invoke, inbox: Inbox) -> Invoke:
    for args in (
        ("contacts", "add", "Ann Archer", "--email", "ann@example.com", "--tag", "vip"),
        ("contacts", "add", "Bob Baker", "--email", "bob@example.com"),
        ("contacts", "add", "Nora No-Mail", "--phone", "+1 555 0100", "--tag", "vip"),
        ("contacts", "add", "Old Olga", "--email", "olga@example.com", "--tag", "vip"),
        ("contacts", "archive", "Old Olga"),
    ):
        assert cli(*args).exit_code == 0
    return cli


EITHER = "name contacts to invite, or give --tag (not both)"


def recipients(inbox: Inbox) -> list[str]:
    return [message["To"].addresses[0].addr_spec for message in inbox.messages]


def test_invited_customers_get_the_portals_address(shop: Invoke, inbox: Inbox) -> None:
    result = shop("portal", "invite", "Ann Archer", "Bob Baker")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "invited Ann Archer <ann@example.com>\ninvited Bob Baker <bob@example.com>\n"
    )
    assert recipients(inbox) == ["ann@example.com", "bob@example.com"]
    body = inbox.messages[0].get_body(("plain",))
    assert body is not None
    assert "https://portal.example.com/" in body.get_content()
    assert inbox.messages[0]["Subject"] == "Your customer page at Corner Shop"


def test_a_tag_invites_the_active_contacts_with_an_address(shop: Invoke, inbox: Inbox) -> None:
    result = shop("portal", "invite", "--tag", "vip")
    assert result.exit_code == 0, result.stderr
    assert "skipped Nora No-Mail: no e-mail address" in result.stdout
    assert recipients(inbox) == ["ann@example.com"]  # archived Olga is not tagged-active


def test_a_dry_run_sends_nothing(shop: Invoke, inbox: Inbox) -> None:
    result = shop("portal", "invite", "--tag", "vip", "--dry-run")
    assert "would invite Ann Archer <ann@example.com>" in result.stdout
    assert inbox.messages == []


def test_the_invitation_speaks_the_portals_language(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox, 'base_url = "https://p.example.com"\nlanguage = "it"')
    assert shop("portal", "invite", "Ann Archer").exit_code == 0
    assert inbox.messages[0]["Subject"] == "La tua pagina cliente presso Corner Shop"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "crm: name contacts to invite, or give --tag (not both)\n"),
        (
            ("Ann Archer", "--tag", "vip"),
            "crm: name contacts to invite, or give --tag (not both)\n",
        ),
        (("--tag", "nobody"), "crm: no active contact is tagged 'nobody'\n"),
    ],
)
def test_whom_to_invite_must_be_clear(
    shop: Invoke, inbox: Inbox, args: tuple[str, ...], message: str
) -> None:
    result = shop("portal", "invite", *args)
    assert result.exit_code != 0 and result.stderr == message
    assert inbox.messages == []


def test_without_a_public_address_nothing_is_sent(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox)
    result = shop("portal", "invite", "Ann Archer")
    assert result.exit_code == 2
    assert result.stderr.startswith("crm: set [portal] base_url in the config")
    assert inbox.messages == []
