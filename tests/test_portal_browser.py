"""The portal in a real browser (headless chromium), served by `crm portal serve` itself: a
customer signs in with the link from the e-mail, on a phone and on a desktop (issue 19).
Screenshots are kept in build/test-artifacts/portal/."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browser import DESKTOP, PHONE, chromium, screenshot_path
from conftest import Invoke
from mailserver import Inbox, free_port, serving
from portalkit import LINK, write_config

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize


@pytest.fixture
def inbox(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as running:
        write_config(isolated_env, running, 'shop_name = "Corner Shop"')
        yield running


@pytest.fixture
def portal_url(cli: Invoke, inbox: Inbox) -> Iterator[str]:
    """`crm portal serve` on a free loopback port, with a customer who has bought and complained."""
    for args in (
        ("contacts", "add", "Ann Archer", "--email", "ann@example.com", "--address", "1 Tea Lane"),
        ("sales", "add", "Ann Archer", "49.90", "--product", "Blue teapot"),
        ("cases", "open", "Ann Archer", "Teapot arrived chipped"),
    ):
        assert cli(*args).exit_code == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tinycrm", "portal", "serve", "--port", str(port)],
        env=os.environ.copy(),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        assert server.stderr is not None
        server.stderr.close()


def wait_for_port(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else "exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("crm portal serve did not start listening within 60 s")


def link_in(inbox: Inbox, count: int) -> str:
    deadline = time.monotonic() + 30
    while inbox.count < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert inbox.count == count, "the sign-in e-mail did not arrive"
    body = inbox.messages[-1].get_body(("plain",))
    assert body is not None
    [link] = LINK.findall(body.get_content())
    return str(link)


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_customer_signs_in_from_the_emailed_link_and_out_again(
    portal_url: str, inbox: Inbox, backend: str, device: str, viewport: ViewportSize
) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport=viewport, is_mobile=device == "phone")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(portal_url)
        page.get_by_label("E-mail address").fill("ann@example.com")
        page.screenshot(path=screenshot_path(f"sign-in-{device}-{backend}"))
        page.get_by_role("button", name="Send me a link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"

        page.goto(link_in(inbox, 1))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{portal_url}/me")
        assert page.get_by_role("heading", level=1).inner_text() == "Hello Ann Archer"
        assert page.get_by_role("cell", name="Blue teapot").is_visible()
        assert "Teapot arrived chipped" in page.inner_text("main")
        page.screenshot(path=screenshot_path(f"me-{device}-{backend}"), full_page=True)
        # Readable on a phone: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]

        page.get_by_role("button", name="Sign out").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
        page.goto(f"{portal_url}/me")
        assert page.get_by_role("heading", level=1).inner_text() == "Please sign in"
        assert errors == []  # no CSP violation or script error on any page


def sign_in_as_ann(page: Page, portal_url: str, inbox: Inbox) -> None:
    page.goto(portal_url)
    page.get_by_label("E-mail address").fill("ann@example.com")
    expected = inbox.count + 1
    page.get_by_role("button", name="Send me a link").click()
    page.goto(link_in(inbox, expected))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal_url}/me")


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_customer_changes_details_orders_complains_answers_and_downloads(
    portal_url: str,
    inbox: Inbox,
    cli: Invoke,
    backend: str,
    device: str,
    viewport: ViewportSize,
) -> None:
    assert cli("surveys", "send", "Ann Archer").exit_code == 0
    shot = f"{device}-{backend}"
    with chromium() as browser:
        page = browser.new_page(viewport=viewport, is_mobile=device == "phone")
        sign_in_as_ann(page, portal_url, inbox)

        page.get_by_role("link", name="Change your details").click()
        page.get_by_label("Phone").fill("+44 20 7946 0999")
        page.screenshot(path=screenshot_path(f"details-{shot}"), full_page=True)
        page.get_by_role("button", name="Save").click()
        assert "Your details have been updated" in page.inner_text("main")
        page.get_by_role("link", name="Back to your page").click()

        page.get_by_label("Order again", exact=True).select_option("Blue teapot")
        page.get_by_label("What do you need?").fill("Two this time")
        page.get_by_role("button", name="Send request").click()
        assert "your request has been sent" in page.inner_text("main")
        assert "order again: Blue teapot; Two this time" in page.inner_text("main")

        page.get_by_label("Report a problem: Describe the problem").fill("<b>Lid</b> leaks")
        page.get_by_role("button", name="Send", exact=True).click()
        assert "<b>Lid</b> leaks" in page.inner_text("main")  # shown as typed, not as markup

        page.get_by_role("link", name="Answer").click()
        page.get_by_label("4", exact=True).check()
        page.get_by_label("A comment (optional)").fill("Good service")
        page.screenshot(path=screenshot_path(f"survey-{shot}"), full_page=True)
        page.get_by_role("button", name="Answer").click()
        assert "Thank you for your answer!" in page.inner_text("main")

        page.get_by_label("Send me no satisfaction surveys").check()
        surveys = page.get_by_role("region", name="Surveys waiting for your answer")
        surveys.get_by_role("button", name="Save").click()
        assert "no more satisfaction surveys" in page.inner_text("main")
        page.get_by_label("Send me no news or offers").check()
        page.get_by_role("region", name="Your data").get_by_role("button", name="Save").click()
        assert "no more news or offers" in page.inner_text("main")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download everything we hold about you").click()
        assert json.loads(Path(download.value.path()).read_text())["contact"]["name"] == (
            "Ann Archer"
        )
        page.screenshot(path=screenshot_path(f"me-after-{shot}"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    shown = json.loads(cli("contacts", "show", "ann@example.com", "--json").stdout)
    assert shown["phones"] == ["+44 20 7946 0999"]
    assert [case["title"] for case in json.loads(cli("cases", "list", "--json").stdout)] == [
        "Teapot arrived chipped",
        "<b>Lid</b> leaks",
    ]
