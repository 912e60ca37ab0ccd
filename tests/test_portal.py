"""The customer portal over HTTP (Flask's test client), on both backends: signing in by e-mail,
the customer's page, and what an attacker tries (issue 19)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

import portalkit
from conftest import Invoke
from mailserver import Inbox, serving
from portalkit import Clock, ask_for_link, csrf_token, portal_app, sent_links, write_config
from tinycrm.portal.texts import TEXTS

ANN = "ann@example.com"


@pytest.fixture
def inbox(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as running:
        write_config(isolated_env, running)
        yield running


@pytest.fixture
def shop(cli: Invoke, inbox: Inbox) -> Invoke:
    """Two customers with purchases and cases, and one archived contact."""
    for args in (
        ("contacts", "add", "Ann Archer", "--email", ANN, "--phone", "+44 20 7946 0000"),
        ("contacts", "add", "Bob Baker", "--email", "bob@example.com"),
        ("contacts", "add", "Old Olga", "--email", "olga@example.com"),
        ("contacts", "archive", "Old Olga"),
        ("sales", "add", "Ann Archer", "49.90", "--product", "Blue teapot"),
        ("sales", "add", "Bob Baker", "12.00", "--product", "Bob's secret order"),
        ("cases", "open", "Ann Archer", "Teapot arrived chipped"),
        ("cases", "open", "Bob Baker", "Bob's private complaint"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    return cli


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(shop: Invoke, clock: Clock) -> Flask:
    return portal_app(clock)


def sign_in(app: Flask, inbox: Inbox, address: str = ANN) -> FlaskClient:
    return portalkit.sign_in(app, inbox, address)


def test_a_customer_signs_in_with_the_emailed_link_and_sees_only_their_side(
    app: Flask, inbox: Inbox
) -> None:
    client = sign_in(app, inbox)
    [message] = inbox.messages
    assert message["To"].addresses[0].addr_spec == ANN
    assert message["Subject"] == "Your link to sign in to Corner Shop"
    page = client.get("/me").get_data(as_text=True)
    assert "Hello Ann Archer" in page
    assert "+44 20 7946 0000" in page
    assert "Blue teapot" in page and "49.90" in page
    assert "Teapot arrived chipped" in page
    assert "Bob" not in page  # another customer's purchases and cases never show


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_mail(
    app: Flask, inbox: Inbox
) -> None:
    known = ask_for_link(app.test_client(), ANN)
    unknown = ask_for_link(app.test_client(), "nobody@example.com")
    archived = ask_for_link(app.test_client(), "olga@example.com")
    assert known.replace(ANN, "X") == unknown.replace("nobody@example.com", "X")
    assert known.replace(ANN, "X") == archived.replace("olga@example.com", "X")
    assert len(sent_links(app, inbox)) == 1
    assert inbox.messages[0]["To"].addresses[0].addr_spec == ANN


def test_the_link_asks_before_signing_in_so_a_mail_scanner_opening_it_uses_nothing(
    app: Flask, inbox: Inbox
) -> None:
    ask_for_link(app.test_client(), ANN)
    path = urlsplit(sent_links(app, inbox)[0]).path
    scanner = app.test_client()
    for _ in range(3):
        assert scanner.get(path).status_code == 200
    assert scanner.get("/me").status_code == 401
    person = app.test_client()
    confirm = person.get(path).get_data(as_text=True)
    assert person.post(path, data={"csrf_token": csrf_token(confirm)}).status_code == 303
    assert person.get("/me").status_code == 200


def test_a_link_works_once(app: Flask, inbox: Inbox) -> None:
    sign_in(app, inbox)
    path = urlsplit(sent_links(app, inbox)[0]).path
    replay = app.test_client()
    page = replay.get(path)
    assert page.status_code == 410
    assert "already been used" in page.get_data(as_text=True)
    form = csrf_token(replay.get("/").get_data(as_text=True))
    assert replay.post(path, data={"csrf_token": form}).status_code == 410
    assert replay.get("/me").status_code == 401


def test_a_link_expires_after_15_minutes(app: Flask, inbox: Inbox, clock: Clock) -> None:
    client = app.test_client()
    ask_for_link(client, ANN)
    path = urlsplit(sent_links(app, inbox)[0]).path
    clock.advance(minutes=14)
    form = csrf_token(client.get(path).get_data(as_text=True))
    clock.advance(minutes=1)
    refused = client.post(path, data={"csrf_token": form})
    assert refused.status_code == 410
    assert "expired" in refused.get_data(as_text=True)
    assert client.get("/me").status_code == 401


def test_a_made_up_or_truncated_link_is_refused(app: Flask, inbox: Inbox) -> None:
    ask_for_link(app.test_client(), ANN)
    path = urlsplit(sent_links(app, inbox)[0]).path
    for wrong in (path[:-1], "/sign-in/" + "A" * 43, "/sign-in/%3Cscript%3E"):
        page = app.test_client().get(wrong)
        assert page.status_code == 410
        assert "not valid" in page.get_data(as_text=True)


def test_posts_without_the_form_token_change_nothing(app: Flask, inbox: Inbox) -> None:
    client = app.test_client()
    refused = client.post("/sign-in", data={"email": ANN})
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)
    forged = client.post("/sign-in", data={"email": ANN, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert sent_links(app, inbox) == []
    ask_for_link(client, ANN)
    path = urlsplit(sent_links(app, inbox)[0]).path
    assert app.test_client().post(path).status_code == 400  # from another site: no token
    signed_in = sign_in_with(app, path)
    assert signed_in.post("/sign-out").status_code == 400  # a forged sign-out does nothing
    assert signed_in.get("/me").status_code == 200


def sign_in_with(app: Flask, path: str) -> FlaskClient:
    client = app.test_client()
    form = csrf_token(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"csrf_token": form}).status_code == 303
    return client


def test_sign_out_ends_the_session_on_the_server_too(app: Flask, inbox: Inbox) -> None:
    client = sign_in(app, inbox)
    cookie = client.get_cookie("portal")
    assert cookie is not None
    page = client.get("/me").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert client.get("/me").status_code == 401
    stolen = app.test_client()
    stolen.set_cookie("portal", cookie.value)  # a copy of the cookie taken before signing out
    assert stolen.get("/me").status_code == 401


def test_the_session_cookie_is_signed_httponly_and_samesite(app: Flask, inbox: Inbox) -> None:
    client = app.test_client()
    ask_for_link(client, ANN)
    path = urlsplit(sent_links(app, inbox)[0]).path
    form = csrf_token(client.get(path).get_data(as_text=True))
    answer = client.post(path, data={"csrf_token": form})
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("portal=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback: a Secure cookie would be dropped
    tampered = app.test_client()
    value = cookie.split(";")[0].split("=", 1)[1]
    tampered.set_cookie("portal", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert tampered.get("/me").status_code == 401


def test_behind_https_the_cookie_is_secure_and_host_only(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox, 'base_url = "https://portal.example.com"')
    app = portal_app()
    client = app.test_client()
    ask_for_link(client, ANN)
    [link] = sent_links(app, inbox)
    assert link.startswith("https://portal.example.com/sign-in/")
    path = urlsplit(link).path
    form = csrf_token(client.get(path, base_url="https://portal.example.com").get_data(True))
    answer = client.post(
        path,
        data={"csrf_token": form},
        base_url="https://portal.example.com",
        headers={"Referer": "https://portal.example.com" + path},
    )
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal=") and "; Secure" in cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_page_sends_the_security_headers(app: Flask, inbox: Inbox) -> None:
    client = sign_in(app, inbox)
    for path in ("/", "/me", "/sign-in/unknown", "/nowhere"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "script-src" not in policy  # no script at all, inline or not
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
        assert headers["Referrer-Policy"] == "same-origin"


def test_a_hostile_name_is_shown_as_text(shop: Invoke, inbox: Inbox, clock: Clock) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert shop("contacts", "add", hostile, "--email", "evil@example.com").exit_code == 0
    assert shop("cases", "open", "evil@example.com", "<b>bold</b> & <i>co</i>").exit_code == 0
    app = portal_app(clock)
    page = sign_in(app, inbox, "evil@example.com").get("/me").get_data(as_text=True)
    assert "<script>" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in page


def test_too_many_requests_for_one_address_or_from_one_client_are_refused(
    app: Flask, inbox: Inbox, clock: Clock
) -> None:
    for _ in range(3):
        assert ask_for_link(app.test_client(), ANN, remote=f"192.0.2.{_ + 10}").startswith("200")
    limited = ask_for_link(app.test_client(), ANN, remote="192.0.2.99")
    assert limited.startswith("429 ") and "Too many" in limited
    assert ask_for_link(app.test_client(), "nobody@example.com", remote="192.0.2.99")[:3] == "200"
    for number in range(10):
        ask_for_link(app.test_client(), f"guess{number}@example.com", remote="198.51.100.7")
    assert (
        ask_for_link(app.test_client(), "guess10@example.com", remote="198.51.100.7")[:3] == "429"
    )
    clock.advance(minutes=16)
    assert ask_for_link(app.test_client(), ANN, remote="198.51.100.7")[:3] == "200"
    assert len(sent_links(app, inbox)) == 4


def test_a_limit_counts_unknown_addresses_too(app: Flask, inbox: Inbox) -> None:
    for _ in range(3):
        ask_for_link(app.test_client(), "nobody@example.com", remote=f"192.0.2.{_ + 10}")
    assert ask_for_link(app.test_client(), "nobody@example.com")[:3] == "429"
    assert sent_links(app, inbox) == []


def test_bad_and_oversized_input_gets_a_clear_page(app: Flask, inbox: Inbox) -> None:
    answer = ask_for_link(app.test_client(), "not an address")
    assert answer.startswith("400 ") and "That is not an e-mail address." in answer
    client = app.test_client()
    form = csrf_token(client.get("/").get_data(as_text=True))
    huge = client.post("/sign-in", data={"email": "a" * 100_000, "csrf_token": form})
    assert huge.status_code == 413
    assert "too large" in huge.get_data(as_text=True)
    assert client.get("/me").status_code == 401
    assert "Please sign in" in client.get("/me").get_data(as_text=True)
    assert sent_links(app, inbox) == []


@pytest.mark.parametrize(
    ("language", "heading"), [("es", "Revise su correo"), ("it", "Controlla la tua e-mail")]
)
def test_the_pages_and_the_mail_speak_the_configured_language(
    shop: Invoke, inbox: Inbox, isolated_env: Path, language: str, heading: str
) -> None:
    write_config(isolated_env, inbox, f'language = "{language}"\nshop_name = "Bottega"')
    app = portal_app()
    answer = ask_for_link(app.test_client(), ANN)
    assert heading in answer and f'<html lang="{language}">' in answer
    sent_links(app, inbox)
    assert "Bottega" in inbox.messages[0]["Subject"]
    assert "15 minut" in inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_shops_colours_and_logo_come_from_the_config(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    logo = isolated_env / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    write_config(
        isolated_env,
        inbox,
        f'logo = "{logo}"\ncolours = {{ accent = "#aa3300", background = "#ffffff" }}',
    )
    client = portal_app().test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'href="/theme.css"' in page and 'src="/logo"' in page
    assert "--accent: #aa3300;" in client.get("/theme.css").get_data(as_text=True)
    assert client.get("/logo").data == logo.read_bytes()


def test_a_wrong_portal_setting_is_one_clear_line(
    shop: Invoke, isolated_env: Path, inbox: Inbox
) -> None:
    write_config(isolated_env, inbox, 'colours = { accent = "red; background: url(x)" }')
    result = shop("portal", "serve", "--port", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("crm: config ") and "portal.colours" in result.stderr


def test_serving_on_a_port_in_use_is_one_clear_line(shop: Invoke) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = shop("portal", "serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == f"crm: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_every_language_has_every_text() -> None:
    english = set(TEXTS["en"])
    for language, texts in TEXTS.items():
        assert set(texts) == english, language
