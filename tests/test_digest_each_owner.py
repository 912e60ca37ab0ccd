"""`crm digest --each-owner` (issue 16): each user gets their own digest (their `--mine` rows
and at-risk customers), the coordinator also the unassigned ones, on their own day, once per
person per day, caught up per person; against a real SMTP server on 127.0.0.1, both backends."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Invoke
from mailserver import Inbox, serving
from tinycrm.store import Store

AS_OF = date(2026, 11, 26)
DAY = AS_OF.isoformat()


class Refusing(Inbox):
    """Refuses mail to the addresses in `refused`, takes the rest."""

    refused: tuple[str, ...] = ()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Slow(Inbox):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    with serving() as inbox:
        yield inbox


def write_config(tmp: Path, port: int, team: str = "") -> None:
    (tmp / "config.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'from = "crm@shop.example"\ntimeout = 5\n\n[team]\n{team}\n',
        encoding="utf-8",
    )


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def shop(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann (admin), Bea and Carl (no e-mail address); Bea's, Ann's and nobody's customers with
    overdue follow-ups and open cases (at risk); a follow-up of Bea's customer is Ann's; Bea's
    Gus has a birthday in three days. Commands run as Ann."""
    ok(cli, "users", "add", "Ann Smith", "--email", "ann@shop.example", "--login", "ann")
    monkeypatch.setenv("CRM_USER", "ann")
    ok(cli, "users", "add", "Bea Jones", "--email", "bea@shop.example", "--login", "bea")
    ok(cli, "users", "add", "Carl Berg", "--email", "carl@shop.example", "--login", "carl")
    ok(cli, "users", "edit", "Carl", "--email", "")
    birthday = (AS_OF + timedelta(days=3)).strftime("%Y-%m-%d").replace("2026", "1980")
    for name, owner in [("Dora Lind", "Bea"), ("Emil Sand", "Ann"), ("Fay Moss", "none"),
                        ("Gus Wolf", "Bea")]:  # fmt: skip
        extra = ["--birthday", birthday] if name == "Gus Wolf" else []
        ok(cli, "contacts", "add", name, "--owner", owner, "--type", "personal", *extra)
        ok(cli, "follow-ups", "add", name, f"Call {name}", "--due", "2026-11-20", "--as-of", DAY)
    ok(cli, "follow-ups", "add", "Dora", "Quote for Dora", "--due", DAY, "--for", "Ann",
       "--as-of", DAY)  # fmt: skip
    for name in ("Emil", "Fay"):
        ok(cli, "cases", "open", name, "Brakes squeal", "--as-of", DAY)


def send(cli: Invoke, *extra: str, day: date = AS_OF) -> Any:
    return cli("digest", "--send", "--each-owner", "--as-of", day.isoformat(), *extra)


def mail_to(inbox: Inbox) -> dict[str, str]:
    """Each recipient's message, as plain text (one message per recipient)."""
    found: dict[str, str] = {}
    for envelope, message in zip(inbox.envelopes, inbox.messages, strict=True):
        (to,) = envelope.rcpt_tos
        assert to not in found, f"{to} got two messages"
        found[to] = plain(message)
    return found


def plain(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def handles(digest: dict[str, Any]) -> set[str]:
    """The follow-up rows of a digest's JSON: overdue, today's, birthdays ahead."""
    today = [row for rows in digest["today"].values() for row in rows]
    rows = [*digest["overdue"]["items"], *today, *digest["birthdays_and_anniversaries"]]
    return {row["handle"] for row in rows}


def queue(cli: Invoke, scope: str) -> set[str]:
    """The same rows as `crm follow-ups` lists them for `scope` (--mine, --unassigned)."""
    today = ok(cli, "follow-ups", "today", "--as-of", DAY, "--limit", "0", scope)
    ahead = ok(cli, "follow-ups", "upcoming", "--as-of", DAY, "--limit", "0", scope)
    dated = [row for row in ahead["upcoming"] if row["kind"] in ("birthday", "anniversary")]
    return {row["handle"] for row in [*today["overdue"], *today["today"], *dated]}


def test_each_user_gets_their_rows_and_the_admin_the_unassigned_ones(
    cli: Invoke, shop: None, smtp: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, smtp.port)
    result = send(cli)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "crm: Carl Berg has no e-mail address and gets no digest"
        " (crm users edit 'carl' --email E)\n"
    )
    mail = mail_to(smtp)
    assert set(mail) == {"ann@shop.example", "bea@shop.example"}
    ann, bea = mail["ann@shop.example"], mail["bea@shop.example"]
    assert ann.startswith("tinycrm digest for Ann Smith, Thursday 26 November 2026")
    assert "Call Emil Sand" in ann and "Quote for Dora" in ann  # her customer; hers by name
    assert "Call Dora Lind" not in ann and "Call Gus Wolf" not in ann
    mine, nobodys = ann.split("Unassigned: ")
    assert "Call Fay Moss" in nobodys and "Call Fay Moss" not in mine
    assert "Emil Sand: 1 open case" in mine and "Fay Moss: 1 open case" in nobodys
    assert "Call Dora Lind" in bea and "Call Gus Wolf" in bea and "Gus Wolf: Birthday" in bea
    assert not any(name in bea for name in ("Emil", "Fay", "Quote", "Unassigned"))


def test_each_persons_digest_lists_what_their_mine_queue_lists(
    cli: Invoke, shop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = ok(cli, "digest", "--each-owner", "--as-of", DAY, "--limit", "0")
    assert printed["without_email"] == ["Carl Berg"]
    digests = {row["user"]: row["digest"] for row in printed["digests"]}
    assert set(digests) == {"Ann Smith", "Bea Jones"}
    nobodys = digests["Ann Smith"]["unassigned"]
    assert digests["Bea Jones"]["unassigned"] is None
    assert handles(nobodys) == queue(cli, "--unassigned") != set()
    for name, login in [("Ann Smith", "ann"), ("Bea Jones", "bea")]:
        monkeypatch.setenv("CRM_USER", login)
        assert handles(digests[name]) == queue(cli, "--mine") != set()
    everyone = [handles(digests["Ann Smith"]), handles(digests["Bea Jones"]), handles(nobodys)]
    assert sum(map(len, everyone)) == len(set().union(*everyone))  # nobody's row twice


def test_the_coordinator_gets_the_unassigned_rows_instead_of_the_admins(
    cli: Invoke, shop: None, isolated_env: Path
) -> None:
    write_config(isolated_env, 25, 'coordinator = "bea"')
    printed = ok(cli, "digest", "--each-owner", "--as-of", DAY)
    assert {d["user"]: d["gets_unassigned"] for d in printed["digests"]} == {
        "Ann Smith": False,
        "Bea Jones": True,
    }
    text = cli("digest", "--each-owner", "--as-of", DAY).stdout
    assert text.startswith("To: Ann Smith <ann@shop.example> (local)\n")
    ann, bea = text.split("To: Bea Jones <bea@shop.example> (local)\n")
    assert "Unassigned: " in bea and "Call Fay Moss" in bea and "Fay" not in ann


def test_sent_once_per_person_per_day_and_a_failed_one_is_caught_up_next_run(
    cli: Invoke, shop: None, isolated_env: Path, store: Store
) -> None:
    first, second, third = AS_OF, AS_OF + timedelta(days=1), AS_OF + timedelta(days=2)
    with serving() as inbox:
        write_config(isolated_env, inbox.port)
        assert send(cli, day=first).exit_code == 0
        again = send(cli, day=first)  # the same day again: nothing, and nothing said
        assert (again.exit_code, again.stderr) == (0, "")
        assert len(inbox.messages) == 2
    refusing = Refusing()
    refusing.refused = ("ann@shop.example",)
    with serving(refusing):
        write_config(isolated_env, refusing.port)
        failed = send(cli, day=second)
        assert failed.exit_code == 1
        assert failed.stderr.splitlines()[0] == (
            f"crm: Ann Smith's digest: cannot send digest via 127.0.0.1:{refusing.port}:"
            " recipients refused: ann@shop.example (recorded; the next run will try again)"
        )
        assert list(mail_to(refusing)) == ["bea@shop.example"]  # Bea's went all the same
    with serving() as inbox:
        write_config(isolated_env, inbox.port)
        assert send(cli, day=second).exit_code == 0
        assert list(mail_to(inbox)) == ["ann@shop.example"]  # only what was not sent
        assert send(cli, day=third).exit_code == 0
    names = {user.id: user.name for user in store.users.all()}
    sent = [
        (names[run.user_id or 0], run.digest_on, run.covered_from)
        for run in reversed(store.digests.recent())
        if run.status == "sent"
    ]
    assert sent == [
        ("Ann Smith", first, first), ("Bea Jones", first, first),
        ("Bea Jones", second, second), ("Ann Smith", second, second),
        ("Ann Smith", third, third), ("Bea Jones", third, third),
    ]  # fmt: skip


def test_a_missed_day_is_caught_up_for_that_person_only(
    cli: Invoke, shop: None, smtp: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, smtp.port)
    assert send(cli, day=AS_OF - timedelta(days=5)).exit_code == 0
    cli("users", "edit", "Bea", "--email", "")  # away: no digest while her address is gone
    assert send(cli, day=AS_OF + timedelta(days=3)).exit_code == 0
    cli("users", "edit", "Bea", "--email", "bea@shop.example")
    smtp.messages.clear()
    smtp.envelopes.clear()
    assert send(cli, day=AS_OF + timedelta(days=4)).exit_code == 0
    subjects = {
        envelope.rcpt_tos[0]: str(message["Subject"])
        for envelope, message in zip(smtp.envelopes, smtp.messages, strict=True)
    }
    assert "catching up since Sun 22 Nov" in subjects["bea@shop.example"]
    assert "catching up" not in subjects["ann@shop.example"]
    mail = mail_to(smtp)
    assert "Gus Wolf: Birthday" in mail["bea@shop.example"]  # on the day she missed
    assert "Gus Wolf" not in mail["ann@shop.example"]


def test_quiet_if_empty_sends_nobody_an_empty_digest(
    cli: Invoke, shop: None, smtp: Inbox, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port)
    ok(cli, "users", "edit", "carl", "--email", "carl@shop.example")  # nothing of his is due
    result = send(cli, "--quiet-if-empty")
    assert result.exit_code == 0 and result.stderr == ""
    assert sorted(mail_to(smtp)) == ["ann@shop.example", "bea@shop.example"]
    names = {user.id: user.name for user in store.users.all()}
    recorded = {names[run.user_id or 0]: run.status for run in store.digests.recent()}
    assert recorded == {"Ann Smith": "sent", "Bea Jones": "sent", "Carl Berg": "empty"}


def test_two_senders_at_once_send_each_person_one_message(
    cli: Invoke, shop: None, isolated_env: Path
) -> None:
    command = [sys.executable, "-m", "tinycrm", "digest", "--send", "--each-owner", "--as-of", DAY]
    with serving(Slow()) as inbox:
        write_config(isolated_env, inbox.port)
        both = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        errors = [run.communicate(timeout=60)[1] for run in both]
    assert [run.returncode for run in both] == [0, 0], errors
    assert sorted(mail_to(inbox)) == ["ann@shop.example", "bea@shop.example"]


def local_day(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def test_each_person_gets_the_digest_of_their_own_day(
    cli: Invoke, shop: None, isolated_env: Path
) -> None:
    zones = {"ann": "Pacific/Kiritimati", "bea": "Pacific/Pago_Pago"}  # 25 hours apart
    for login, zone in zones.items():
        ok(cli, "users", "edit", login, "--time-zone", zone)
    before = {zone: local_day(zone) for zone in zones.values()}
    printed = ok(cli, "digest", "--each-owner")
    after = {zone: local_day(zone) for zone in zones.values()}
    days = {row["time_zone"]: date.fromisoformat(row["digest"]["as_of"])
            for row in printed["digests"]}  # fmt: skip
    assert days.keys() == set(zones.values())
    assert all(days[zone] in (before[zone], after[zone]) for zone in days)
    assert days["Pacific/Kiritimati"] > days["Pacific/Pago_Pago"]


def test_a_digest_goes_out_once_the_persons_morning_has_come(
    cli: Invoke, shop: None, smtp: Inbox, isolated_env: Path
) -> None:
    """Twelve hours apart, exactly one of Ann and Bea is past noon at any moment."""
    zones = {"ann@shop.example": "Etc/GMT-2", "bea@shop.example": "Pacific/Kiritimati"}
    ok(cli, "users", "edit", "ann", "--time-zone", zones["ann@shop.example"])
    ok(cli, "users", "edit", "bea", "--time-zone", zones["bea@shop.example"])
    write_config(isolated_env, smtp.port, 'digest_at = "12:00"')

    def past_noon() -> list[str]:
        moment = datetime.now(UTC)
        return [to for to, zone in zones.items() if moment.astimezone(ZoneInfo(zone)).hour >= 12]

    expected = past_noon()
    result = cli("digest", "--send", "--each-owner")
    assert result.exit_code == 0, result.stderr
    if past_noon() == expected:  # not run across a full hour
        assert list(mail_to(smtp)) == expected and len(expected) == 1


@pytest.mark.parametrize(
    ("team", "args", "message"),
    [
        ('coordinator = "Zed"', ["--send"], "config: team.coordinator: no user 'Zed'"),
        ('coordinator = "carl"', ["--send"], "Carl Berg has no e-mail address"),
        ('digest_at = "7am"', ["--send"], "team.digest_at must be a time of day"),
        ('time_zone = "Mars/Base"', [], "unknown time zone 'Mars/Base'"),
        ("", ["--format", "html"], "--each-owner prints text, markdown or json"),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_sent(
    cli: Invoke,
    shop: None,
    smtp: Inbox,
    isolated_env: Path,
    store: Store,
    team: str,
    args: list[str],
    message: str,
) -> None:
    write_config(isolated_env, smtp.port, team)
    result = cli("digest", "--each-owner", "--as-of", DAY, *args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert smtp.messages == [] and store.digests.recent() == []


def test_a_cron_job_the_crm_does_not_know_sends_nothing_and_says_so(
    cli: Invoke, shop: None, smtp: Inbox, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(isolated_env, smtp.port)
    monkeypatch.delenv("CRM_USER")  # docs/team.md: a team's crontab sets it
    result = send(cli)
    assert result.exit_code == 1 and smtp.messages == []
    assert len(result.stderr.splitlines()) == 1 and "CRM_USER" in result.stderr


def test_a_crm_without_users_says_so(cli: Invoke, smtp: Inbox, isolated_env: Path) -> None:
    write_config(isolated_env, smtp.port)
    ok(cli, "contacts", "add", "Ann Lee")
    result = send(cli)
    assert result.exit_code == 2 and smtp.messages == []
    assert result.stderr == (
        "crm: this CRM has no users: --each-owner sends each user their own digest"
        " (`crm users add NAME --email E`); without it, `crm digest` is the shop's one\n"
    )


def test_a_hostile_user_name_stays_literal_in_every_format(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "*Ann* [red]x <b>\x1b[2J"
    ok(cli, "users", "add", name, "--email", "ann@shop.example", "--login", "ann")
    monkeypatch.setenv("CRM_USER", "ann")
    text = cli("digest", "--each-owner", "--as-of", DAY).stdout
    markdown = cli("digest", "--each-owner", "--as-of", DAY, "--format", "markdown").stdout
    assert "\x1b" not in text + markdown
    assert "tinycrm digest for *Ann* [red]x <b>␛[2J, Thursday" in text
    assert r"# tinycrm digest for \*Ann\* \[red\]x \<b\>␛\[2J, Thursday" in markdown
