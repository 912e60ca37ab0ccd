"""`crm digest --send` against servers that misbehave after, around or instead of accepting the
message (issue 21): a real aiosmtpd server on 127.0.0.1, or a small socket server for what
aiosmtpd will not do. The day is sent once, never left `sending`, and no secret is shown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from dbquery import query_db
from mailserver import Inbox, free_port
from test_digest_cli import AS_OF, runs, send, write_config
from tinycrm.store import Store

PASSWORD = "pässwörd€"  # not ASCII: smtplib would refuse to encode it


class RudeQuit(Inbox):
    """Takes the message, then answers QUIT with something other than 221."""

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return "421 4.3.0 shutting down, goodbye anyway"


class SlowQuit(Inbox):
    """Takes the message, then holds the QUIT for a long time."""

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(90)
        return "221 Bye"


def serve(inbox: Inbox, **parameters: Any) -> Any:
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **parameters)
    controller.start()
    return controller


def statuses(path: Path | str) -> list[str]:
    """The delivery record, read as another process would."""
    return [status for (status,) in query_db("SELECT status FROM digest_runs ORDER BY id",
                                              location=path)]  # fmt: skip


# crm with Ctrl-C at its default, as in a terminal: a test run started in the background has
# SIGINT ignored, and a child inherits that.
CRM_WITH_CTRL_C = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler);"
    " from tinycrm.cli.app import main; main()"
)


def crm_send() -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-c",
        CRM_WITH_CTRL_C,
        "digest",
        "--send",
        "--as-of",
        AS_OF.isoformat(),
    ]
    return subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def wait_for_sent(path: Path | str, run: subprocess.Popen[str]) -> None:
    """Wait until the running send has recorded the day as sent (it is then saying goodbye)."""
    give_up = time.monotonic() + 30  # well before the server lets go of the QUIT
    while time.monotonic() < give_up:
        if run.poll() is not None:
            pytest.fail(f"the run ended before the record said sent: {run.communicate()}")
        if statuses(path)[-1:] == ["sent"]:
            return
        time.sleep(0.05)
    run.kill()
    pytest.fail(f"never recorded as sent while the server held the QUIT: {statuses(path)}")


def test_quit_answered_with_anything_but_221_is_a_warning_and_the_day_stays_sent(
    cli: Invoke, isolated_env: Path, store: Store
) -> None:
    cli("demo")
    inbox = RudeQuit(free_port())
    write_config(isolated_env, inbox.port)
    controller = serve(inbox)
    try:
        first = send(cli)
        second = send(cli)
    finally:
        controller.stop()
    assert first.exit_code == 0, first.stderr
    assert first.stderr.splitlines() == [
        f"crm: warning: digest sent via 127.0.0.1:{inbox.port}, but the server answered QUIT"
        " with 421 4.3.0 shutting down, goodbye anyway"
    ]
    assert (second.exit_code, second.stderr) == (0, "")
    assert len(inbox.messages) == 1
    assert [r[2] for r in runs(store)] == ["sent"]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_a_run_stopped_after_the_server_took_the_message_is_not_sent_again(
    cli: Invoke, isolated_env: Path, store: Store, stop: signal.Signals
) -> None:
    """Killed or interrupted while the server holds the QUIT: the record already says sent."""
    cli("demo")
    store.close()
    inbox = SlowQuit(free_port())
    write_config(isolated_env, inbox.port)
    (isolated_env / "config.toml").write_text(
        (isolated_env / "config.toml").read_text().replace("timeout = 5", "timeout = 120")
    )
    controller = serve(inbox)
    try:
        run = crm_send()
        wait_for_sent(os.environ["CRM_DB"], run)
        run.send_signal(stop)
        _, stderr = run.communicate(timeout=30)
        again = send(cli)
    finally:
        controller.stop()
    if stop == signal.SIGINT:
        assert run.returncode == 130
        assert stderr == "crm: the digest for 2026-11-26 was sent before the stop\n"
    assert (again.exit_code, again.stderr) == (0, "")
    assert len(inbox.messages) == 1
    assert statuses(os.environ["CRM_DB"]) == ["sent"]


class Trickle:
    """A server that never finishes its greeting: one continuation line every 0.2 s."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with self.listener:
            connection, _ = self.listener.accept()
            with connection:
                while not self.stopped.wait(0.2):
                    try:
                        connection.sendall(b"220-still saying hello\r\n")
                    except OSError:
                        return

    def stop(self) -> None:
        self.stopped.set()


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    server = Trickle()
    yield server
    server.stop()


def test_a_server_trickling_lines_cannot_hold_the_run_past_its_timeout(
    cli: Invoke, isolated_env: Path, store: Store, trickle: Trickle
) -> None:
    """The timeout (1 s here) is for the whole conversation, not each read: the run ends,
    fails with one line and leaves the day failed (not `sending`), so the next run sends."""
    cli("demo")
    store.close()
    write_config(isolated_env, trickle.port)
    (isolated_env / "config.toml").write_text(
        (isolated_env / "config.toml").read_text().replace("timeout = 5", "timeout = 1")
    )
    run = crm_send()
    try:
        _, stderr = run.communicate(timeout=60)  # the server alone would go on for ever
    finally:
        run.kill()
    assert run.returncode == 1
    assert stderr.splitlines() == [
        f"crm: cannot send digest: 127.0.0.1:{trickle.port} did not finish within 1 s"
        " (timed out) (recorded; the next run will try again)"
    ]
    assert statuses(os.environ["CRM_DB"]) == ["failed"]


class Authenticator:
    """Accepts one user and password, and keeps the bytes the client sent."""

    def __init__(self, password: str) -> None:
        self.password = password.encode("utf-8")
        self.received: list[tuple[str, bytes, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        self.received.append((mechanism, data.login, data.password))
        accepted = data.login == b"crm" and data.password == self.password
        return AuthResult(success=accepted, handled=False)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_non_ascii_password_is_sent_as_utf8(
    cli: Invoke,
    isolated_env: Path,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    mechanism: str,
) -> None:
    cli("demo")
    inbox = Inbox(free_port())
    check = Authenticator(PASSWORD)
    other = ["LOGIN"] if mechanism == "PLAIN" else ["PLAIN"]
    controller = serve(
        inbox, authenticator=check, auth_require_tls=False, auth_exclude_mechanism=other
    )
    write_config(isolated_env, inbox.port, user="crm", password_env="CRM_TEST_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_TEST_SMTP_PASSWORD", PASSWORD)
    try:
        result = send(cli)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.stderr
    assert check.received == [(mechanism, b"crm", PASSWORD.encode("utf-8"))]
    assert len(inbox.messages) == 1


def test_a_refused_non_ascii_password_shows_no_part_of_it(
    cli: Invoke, isolated_env: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("demo")
    inbox = Inbox(free_port())
    controller = serve(inbox, authenticator=Authenticator("other"), auth_require_tls=False)
    write_config(isolated_env, inbox.port, user="crm", password_env="CRM_TEST_SMTP_PASSWORD")
    monkeypatch.setenv("CRM_TEST_SMTP_PASSWORD", PASSWORD)
    try:
        result = send(cli)
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"crm: cannot send digest via 127.0.0.1:{inbox.port}: login")
    stored = store.digests.recent()[0].error or ""
    for character in "äö€":  # the password's own characters (its letters are in any text)
        assert character not in result.stderr
        assert character not in stored
    assert inbox.messages == []


def test_sendmail_does_not_inherit_the_password_variable(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("demo")
    seen = isolated_env / "sendmail.env"
    script = isolated_env / "fake-sendmail"
    script.write_text(f"#!/bin/sh\nenv > {seen}\ncat > /dev/null\n")
    script.chmod(0o755)
    (isolated_env / "config.toml").write_text(
        f'[smtp]\nsendmail = "{script}"\nfrom = "crm@shop.example"\nto = "me@shop.example"\n'
        'password_env = "CRM_TEST_SMTP_PASSWORD"\n'
    )
    monkeypatch.setenv("CRM_TEST_SMTP_PASSWORD", "hunter2-secret")
    assert send(cli).exit_code == 0
    environment = seen.read_text()
    assert "hunter2-secret" not in environment
    assert "CRM_TEST_SMTP_PASSWORD" not in environment
    assert f"HOME={os.environ['HOME']}" in environment  # the rest is passed on
