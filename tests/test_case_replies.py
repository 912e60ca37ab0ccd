"""A case's resolution is the shop's reply: shown on the customer's portal page and e-mailed to
them (a real SMTP server, aiosmtpd) with the portal's link; `--internal` keeps it for staff; a
failed e-mail leaves the case resolved and the reply waiting for `crm cases send-replies`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from mailserver import Inbox, free_port, serving
from portalkit import portal_app, sign_in, write_config

ANN = "ann@example.com"
PORTAL = 'base_url = "https://portal.example.com"'


@pytest.fixture
def inbox(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as running:
        write_config(isolated_env, running, PORTAL)
        yield running


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def open_case(cli: Invoke, who: str, title: str) -> str:
    return str(ok(cli, "cases", "open", who, title)["id"])


@pytest.fixture
def shop(cli: Invoke) -> Invoke:
    ok(cli, "contacts", "add", "Ann Archer", "--email", ANN)
    ok(cli, "contacts", "add", "Bob Baker")
    return cli


def test_a_resolution_is_e_mailed_with_the_portal_link_and_shown_there(
    shop: Invoke, inbox: Inbox
) -> None:
    case = open_case(shop, "Ann Archer", "Chipped teapot lid")
    result = shop("cases", "resolve", case, "--note", "A new lid is in the post")
    assert result.exit_code == 0, result.stderr
    assert f"the reply was e-mailed to {ANN}" in result.stdout
    [mail] = inbox.messages
    assert mail["To"] == f"Ann Archer <{ANN}>"
    assert mail["Subject"] == f"Corner Shop: your case #{case} is resolved"
    body = mail.get_content()
    assert "Chipped teapot lid" in body and "A new lid is in the post" in body
    assert "https://portal.example.com/me" in body
    [shown] = ok(shop, "cases", "list")
    assert shown["reply_mail"] == "sent" and ANN in shown["reply_mail_detail"]
    page = sign_in(portal_app(), inbox, ANN).get("/me").get_data(as_text=True)
    assert "A new lid is in the post" in page


def test_an_internal_note_is_neither_sent_nor_shown(shop: Invoke, inbox: Inbox) -> None:
    case = open_case(shop, "Ann Archer", "Chipped teapot lid")
    result = shop(
        "cases", "resolve", case, "--note", "Refunded; customer is difficult", "--internal"
    )
    assert result.exit_code == 0, result.stderr
    assert "internal: not shown to the customer" in result.stdout
    assert inbox.count == 0
    [shown] = ok(shop, "cases", "list")
    assert shown["resolution_internal"] is True and shown["reply_mail"] is None
    page = sign_in(portal_app(), inbox, ANN).get("/me").get_data(as_text=True)
    assert "Chipped teapot lid" in page and "difficult" not in page


def test_a_customer_without_an_address_is_told_nothing_and_staff_are_told_so(
    shop: Invoke, inbox: Inbox
) -> None:
    case = open_case(shop, "Bob Baker", "Squeaky door")
    result = shop("cases", "resolve", case, "--note", "Oiled it")
    assert result.exit_code == 0, result.stderr
    assert "not e-mailed: the customer has no e-mail address" in result.stdout
    assert inbox.count == 0


def test_without_a_portal_address_nothing_is_e_mailed(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox)  # [smtp] but no [portal] base_url: no link to send
    case = open_case(shop, "Ann Archer", "Chipped teapot lid")
    result = shop("cases", "resolve", case, "--note", "A new lid is in the post")
    assert result.exit_code == 0 and "e-mailed" not in result.stdout
    assert inbox.count == 0
    refused = shop("cases", "send-replies")
    assert refused.exit_code == 2 and "set [portal] base_url" in refused.stderr


def test_a_failed_e_mail_keeps_the_case_resolved_and_the_reply_waiting(
    shop: Invoke, isolated_env: Path
) -> None:
    later = Inbox(port=free_port())  # nothing listens there yet
    write_config(isolated_env, later, PORTAL)
    case = open_case(shop, "Ann Archer", "Chipped teapot lid")
    result = shop("cases", "resolve", case, "--note", "A new lid is in the post")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"crm: cannot send the reply to case {case}: connection to 127.0.0.1")
    assert line.endswith("the reply is kept: `crm cases send-replies` tries again")
    [shown] = ok(shop, "cases", "list")
    assert shown["status"] == "resolved" and shown["reply_mail"] == "pending"
    assert shown["reply_mail_detail"]  # why it failed
    assert shop("cases", "resolve", case, "--note", "again").exit_code == 1  # no second reply
    with serving(later):
        sent = shop("cases", "send-replies")
        assert sent.exit_code == 0, sent.stderr
        assert f"e-mailed the reply to case {case} to {ANN}" in sent.stdout
        again = shop("cases", "send-replies")
    assert "no replies waiting" in again.stderr
    [mail] = later.messages
    assert "A new lid is in the post" in mail.get_content()
    assert ok(shop, "cases", "list")[0]["reply_mail"] == "sent"
