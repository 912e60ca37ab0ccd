"""What the portal's tests share: a config with SMTP on a local aiosmtpd, a settable clock,
the app on the database under test, and the sign-in link read from the e-mail it came in."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from mailserver import Inbox
from tinycrm.config import database_location, load_settings
from tinycrm.portal.app import create_app, mail_threads

LINK = re.compile(r"https?://\S+/sign-in/[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """The portal's idea of now, moved by the test."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def write_config(home: Path, inbox: Inbox, portal: str = "") -> None:
    """The test's config.toml: SMTP on the inbox's port, and `portal` as the [portal] table."""
    (home / "config.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {inbox.port}\nsecurity = "none"\n'
        f'from = "Corner Shop <shop@example.com>"\n\n[portal]\n{portal}\n',
        encoding="utf-8",
    )
    (home / "config.toml").chmod(0o600)


def portal_app(clock: Clock | None = None, base_url: str = "http://127.0.0.1:8080") -> Flask:
    """The portal over the database under test (CRM_DB), configured by the test's config."""
    app = create_app(
        database_location(os.environ["CRM_DB"]),
        load_settings(),
        base_url=base_url,
        clock=clock or Clock(),
    )
    app.config["TESTING"] = False  # CSRF checks on, as in production
    return app


def sent_links(app: Flask, inbox: Inbox) -> list[str]:
    """The sign-in links in the e-mails delivered so far (after the sending threads end)."""
    for thread in mail_threads(app):
        thread.join(timeout=30)
    links = []
    for message in inbox.messages:
        body = message.get_body(("plain",))
        assert body is not None
        links += LINK.findall(body.get_content())
    return links


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def ask_for_link(client: FlaskClient, address: str, *, remote: str = "192.0.2.1") -> str:
    """Post the sign-in form as a browser would: the answer's status and page text."""
    form = client.get("/").get_data(as_text=True)
    answer = client.post(
        "/sign-in",
        data={"email": address, "csrf_token": csrf_token(form)},
        environ_base={"REMOTE_ADDR": remote},
    )
    return f"{answer.status_code} {answer.get_data(as_text=True)}"


def sign_in(app: Flask, inbox: Inbox, address: str) -> FlaskClient:
    """A browser signed in as the owner of `address`, through the e-mailed link."""
    client = app.test_client()
    assert ask_for_link(client, address).startswith("200 ")
    path = urlsplit(sent_links(app, inbox)[-1]).path
    confirm = client.get(path)
    assert confirm.status_code == 200
    done = client.post(path, data={"csrf_token": csrf_token(confirm.get_data(as_text=True))})
    assert done.status_code == 303 and done.headers["Location"] == "/me"
    return client
