"""`crm digest --send` against a real SMTP server on 127.0.0.1 (aiosmtpd): the message, the
send-once record, catch-up after missed days, and the failure cases."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from mailserver import Inbox, free_port, serving
from tinycrm.dates import PartialDate
from tinycrm.models.contacts import Anniversary, Contact
from tinycrm.models.followups import FollowUp
from tinycrm.store import Store
from tinycrm.vocabulary import FollowUpKind

AS_OF = date(2026, 11, 26)


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    with serving() as inbox:
        yield inbox


def write_config(tmp: Path, port: int, **extra: str) -> None:
    values = {"host": "127.0.0.1", "security": "none", "from": "tinycrm <crm@shop.example>"}
    values.update(extra)
    lines = [
        "[smtp]",
        f"port = {port}",
        'to = ["owner@shop.example", "sam@shop.example"]',
        "timeout = 5",
        *(f'{key} = "{value}"' for key, value in values.items()),
    ]
    (tmp / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


Due = Callable[[str, str, str, date], None]


@pytest.fixture
def due(store: Store) -> Due:
    """Puts a row in the follow-up queue: a new contact `name` with a stored follow-up of
    `kind` due `on`, or with a birthday or an anniversary (`title` its label) on that day."""

    def add(name: str, kind: str, title: str, on: date) -> None:
        day = PartialDate(on.month, on.day)
        contact = Contact(name=name)
        if kind == "birthday":
            contact.birthday = day
        elif kind == "anniversary":
            contact.anniversaries = [Anniversary(title, day)]
        with store.write():
            contact_id = store.contacts.insert(contact, AS_OF)
            if kind not in ("birthday", "anniversary"):
                store.follow_ups.insert(FollowUp(contact_id, title, FollowUpKind(kind), on))

    return add


def send(cli: Invoke, *extra: str, as_of: date = AS_OF) -> Any:
    return cli("digest", "--send", "--as-of", as_of.isoformat(), *extra)


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    return plain.get_content(), rich.get_content()


def runs(store: Store) -> list[tuple[str, str, str]]:
    return [
        (r.digest_on.isoformat(), r.covered_from.isoformat(), r.status)
        for r in reversed(store.digests.recent())
    ]


def test_message_headers_parts_and_hostile_names(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port)
    due("[red]x", "custom", "Send the quote", AS_OF - timedelta(days=2))
    due("<script>alert(1)</script>", "thank-you", "Thank-you call", AS_OF)
    due("Esc\x1b[31mape", "birthday", "Birthday", AS_OF + timedelta(days=2))
    result = send(cli)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # cron mails nothing on success
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["From"] == "tinycrm <crm@shop.example>"
    assert message["To"] == "owner@shop.example, sam@shop.example"
    assert message["Subject"] == "tinycrm digest for Thursday 26 November 2026: 3 items"
    assert message["Date"] and message["Message-ID"].endswith("@shop.example>")
    assert smtp.envelopes[0].rcpt_tos == ["owner@shop.example", "sam@shop.example"]
    plain, rich = parts(message)
    assert "[red]x: Send the quote · 2 days late" in plain
    assert "<script>alert(1)</script>: Thank-you call" in plain
    assert "Esc␛[31mape" in plain and "\x1b" not in plain + rich
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rich and "<script>" not in rich
    assert "[red]x" in rich
    assert runs(store) == [("2026-11-26", "2026-11-26", "sent")]


def test_second_send_same_day_sends_nothing_unless_forced(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port)
    due("Ann", "custom", "Call", AS_OF)
    assert send(cli).exit_code == 0
    again = send(cli)
    assert again.exit_code == 0 and again.stdout == ""
    assert len(smtp.messages) == 1
    forced = send(cli, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert len(smtp.messages) == 2
    assert [r[2] for r in runs(store)] == ["sent", "sent"]
    assert cli("digest", "--force").exit_code == 2  # --force alone makes no sense


def test_a_send_in_progress_elsewhere_is_not_sent_twice_unless_it_died(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    """Another run (a second cron job, or a person) began sending today's digest: this one
    sends nothing. A run that began 20 minutes ago and never finished is taken to have died."""
    from datetime import datetime

    write_config(isolated_env, smtp.port)
    due("Ann", "custom", "Call", AS_OF)
    other = store.digests.claim(AS_OF, AS_OF, recipients="owner@shop.example", item_count=1)
    assert other is not None
    busy = send(cli)
    assert (busy.exit_code, busy.stdout, smtp.messages) == (0, "", [])
    long_ago = (datetime.now().astimezone() - timedelta(minutes=20)).isoformat()
    with store.db.write() as conn:
        conn.execute("UPDATE digest_runs SET attempted_at = ? WHERE id = ?", (long_ago, other))
    assert send(cli).exit_code == 0
    assert len(smtp.messages) == 1
    assert [r[2] for r in runs(store)] == ["sending", "sent"]


def test_two_runs_at_once_send_one_message(cli: Invoke, isolated_env: Path, store: Store) -> None:
    """Two `crm digest --send` processes started together against a slow mail server: one
    message goes out, and both exit 0."""
    import asyncio
    import subprocess
    import sys

    class SlowInbox(Inbox):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            await asyncio.sleep(1.0)
            return await super().handle_DATA(server, session, envelope)

    cli("demo")
    store.close()
    command = [sys.executable, "-m", "tinycrm", "digest", "--send", "--as-of", AS_OF.isoformat()]
    with serving(SlowInbox()) as inbox:
        write_config(isolated_env, inbox.port)
        both = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        errors = [run.communicate(timeout=60)[1] for run in both]
    assert [run.returncode for run in both] == [0, 0], errors
    assert len(inbox.messages) == 1


def test_refused_connection_fails_loudly_is_recorded_and_next_run_sends(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    due("Ann", "custom", "Call", AS_OF)
    dead = free_port()  # nothing listens there
    write_config(isolated_env, dead)
    failed = send(cli)
    assert failed.exit_code == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"crm: cannot send digest: connection to 127.0.0.1:{dead} refused"
        " (recorded; the next run will try again)"
    )
    assert "Traceback" not in failed.stderr
    assert runs(store) == [("2026-11-26", "2026-11-26", "failed")]
    assert "refused" in (store.digests.recent()[0].error or "")
    write_config(isolated_env, smtp.port)
    retried = send(cli)
    assert retried.exit_code == 0, retried.stderr
    assert len(smtp.messages) == 1
    assert [r[2] for r in runs(store)] == ["failed", "sent"]


def test_missed_days_are_caught_up_birthdays_included(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    """Days the machine was off: their birthdays and anniversaries past the queue's week of
    grace are listed as missed; a birthday within it is overdue like any follow-up."""
    write_config(isolated_env, smtp.port)
    monday = date(2026, 11, 16)
    due("Tue Birthday", "birthday", "Birthday", date(2026, 11, 17))
    due("Wed Wedding", "anniversary", "wedding", date(2026, 11, 18))
    due("Tue Call", "custom", "Call back", date(2026, 11, 24))
    due("Wed Birthday", "birthday", "Birthday", date(2026, 11, 25))
    due("Old Birthday", "birthday", "Birthday", date(2026, 11, 15))
    assert send(cli, "--days", "0", as_of=monday).exit_code == 0
    assert "Tue Birthday" not in parts(smtp.messages[0])[0]
    # The machine is off from Tuesday to Wednesday the next week; Thursday's digest covers it.
    assert send(cli, "--days", "0").exit_code == 0
    message = smtp.messages[1]
    assert "catching up since Tue 17 Nov" in message["Subject"]
    plain, rich = parts(message)
    assert "Tue 17 Nov (missed): Tue Birthday" in plain
    assert "Wed 18 Nov (missed): Wed Wedding" in plain
    assert "Tue Call: Call back · 2 days late" in plain  # overdue stays until done
    assert "Wed Birthday: Birthday · 25 Nov · 1 day late" in plain
    assert "Wed 25 Nov (missed)" not in plain  # listed once, among the overdue
    assert "Old Birthday" not in plain  # before the last digest: it was in that one
    assert "Tue Birthday" in rich
    assert runs(store)[-1] == ("2026-11-26", "2026-11-17", "sent")


def test_failed_day_is_caught_up_by_the_next_successful_send(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    due("Tue Birthday", "birthday", "Birthday", date(2026, 11, 17))
    write_config(isolated_env, smtp.port)
    assert send(cli, "--days", "0", as_of=date(2026, 11, 16)).exit_code == 0
    write_config(isolated_env, free_port())
    assert send(cli, "--days", "0", as_of=date(2026, 11, 17)).exit_code == 1
    write_config(isolated_env, smtp.port)
    assert send(cli, "--days", "0").exit_code == 0
    assert "Tue 17 Nov (missed): Tue Birthday" in parts(smtp.messages[-1])[0]


def test_quiet_if_empty_sends_and_prints_nothing(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port)
    result = send(cli, "--quiet-if-empty")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert smtp.messages == []
    assert runs(store) == [("2026-11-26", "2026-11-26", "empty")]
    printed = cli("digest", "--quiet-if-empty", "--as-of", "2026-11-26")
    assert (printed.exit_code, printed.stdout, printed.stderr) == (0, "", "")
    # Without the flag an empty digest still says so; something due is sent.
    assert "Nothing due today" in cli("digest").stdout
    due("Ann", "custom", "Call", AS_OF)
    assert send(cli, "--quiet-if-empty").exit_code == 0
    assert len(smtp.messages) == 1


def corrupt(path: Path, store: Store) -> None:
    from tinycrm.models.contacts import Contact

    with store.write():
        for number in range(150):
            store.contacts.insert(Contact(name=f"Customer {number} " + "x" * 200), AS_OF)
    root = store.db.conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'contacts_check_in'"
    ).fetchone()[0]
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    with path.open("r+b") as handle:
        handle.seek(4096 * (root - 1))
        handle.write(b"\x00" * 16)


@pytest.mark.sqlite_only(reason="damaged SQLite pages")
def test_corrupt_database_exits_1_and_sends_nothing(
    cli: Invoke, smtp: Inbox, due: Due, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port)
    due("Ann", "custom", "Call", AS_OF)
    corrupt(isolated_env / "crm.db", store)
    result = send(cli)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "failed its integrity check" in result.stderr and "nothing was sent" in result.stderr
    assert smtp.messages == []


def damage_leaf(path: Path, store: Store, btree: str) -> None:
    """Fill follow-ups and notes over several pages, then zero a leaf page of `btree` (not its
    root) in the file, as a disk error would."""
    from tinycrm.models.contacts import Contact
    from tinycrm.models.followups import FollowUp
    from tinycrm.models.notes import Note
    from tinycrm.vocabulary import FollowUpKind

    with store.write():
        ann = store.contacts.insert(Contact(name="Ann"), AS_OF)
        for number in range(120):
            title = f"Call {number} " + "x" * 150
            store.follow_ups.insert(FollowUp(ann, title, FollowUpKind.CUSTOM, AS_OF))
            store.notes.insert(Note(ann, "y" * 200, AS_OF - timedelta(days=400)))
    page = store.db.conn.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 1 OFFSET 1",
        (btree,),
    ).fetchone()[0]
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    with path.open("r+b") as handle:
        handle.seek(4096 * (page - 1))
        handle.write(b"\xff" * 16)


@pytest.mark.sqlite_only(reason="damaged SQLite pages")
def test_printed_digest_fails_in_one_line_on_a_damaged_page_it_reads(
    cli: Invoke, isolated_env: Path, store: Store
) -> None:
    damage_leaf(isolated_env / "crm.db", store, "follow_ups")
    printed = cli("digest", "--as-of", AS_OF.isoformat())
    assert printed.exit_code == 1 and printed.stdout == ""
    assert printed.stderr.count("\n") == 1 and "malformed" in printed.stderr


@pytest.mark.sqlite_only(reason="damaged SQLite pages")
def test_send_checks_the_whole_file_a_printed_digest_only_what_it_reads(
    cli: Invoke, smtp: Inbox, isolated_env: Path, store: Store
) -> None:
    """Damage in a table the digest does not read (notes): a printed digest is still right, so
    it prints; `--send`, the daily cron run, checks every table and sends nothing."""
    write_config(isolated_env, smtp.port)
    damage_leaf(isolated_env / "crm.db", store, "notes")
    printed = cli("digest", "--as-of", AS_OF.isoformat())
    assert printed.exit_code == 0 and "Call 0" in printed.stdout
    result = send(cli)
    assert result.exit_code == 1 and "failed its integrity check" in result.stderr
    assert smtp.messages == []


def test_missing_or_bad_smtp_config_is_a_usage_error(cli: Invoke, isolated_env: Path) -> None:
    result = send(cli)
    assert result.exit_code == 2
    assert "no [smtp] table" in result.stderr and "docs/cron.md" in result.stderr
    write_config(isolated_env, 25, security="tls")
    assert "smtp.security must be starttls, ssl or none" in send(cli).stderr
    (isolated_env / "config.toml").write_text('[smtp]\nhost = "h"\nfrom = "a@b"\nto = "c@d"\n'
                                              'password = "hunter2"\n')  # fmt: skip
    result = send(cli)
    assert result.exit_code == 2 and "password_env or password_command" in result.stderr


def test_password_from_environment_variable_must_exist(
    cli: Invoke, smtp: Inbox, isolated_env: Path, store: Store
) -> None:
    write_config(isolated_env, smtp.port, user="crm", password_env="CRM_TEST_SMTP_PASSWORD")
    result = send(cli)
    assert result.exit_code == 1
    assert "CRM_TEST_SMTP_PASSWORD" in result.stderr and "not set" in result.stderr
    assert runs(store) == [("2026-11-26", "2026-11-26", "failed")]


def test_sendmail_gets_the_message_and_a_failing_one_is_reported(
    cli: Invoke, due: Due, isolated_env: Path, store: Store
) -> None:
    due("[red]x", "custom", "Call", AS_OF)
    captured = isolated_env / "sent.eml"
    script = isolated_env / "fake-sendmail"
    script.write_text(f'#!/bin/sh\necho "$@" > {captured}.args\ncat > {captured}\n')
    script.chmod(0o755)
    config = isolated_env / "config.toml"
    config.write_text(
        f'[smtp]\nsendmail = "{script}"\nfrom = "crm@shop.example"\nto = "me@shop.example"\n'
    )
    assert send(cli).exit_code == 0
    message = email.message_from_bytes(captured.read_bytes(), policy=email.policy.default)
    assert message["Subject"].endswith(": 1 item")
    assert "-oi -- me@shop.example" in Path(f"{captured}.args").read_text()
    script.write_text("#!/bin/sh\necho 'sendmail: queue full' >&2\nexit 75\n")
    failed = send(cli, "--force")
    assert failed.exit_code == 1
    assert "exited with 75: sendmail: queue full" in failed.stderr
    assert [r[2] for r in runs(store)] == ["sent", "failed"]


def test_every_format_prints_every_section(cli: Invoke, due: Due, store: Store) -> None:
    due("[red]x", "custom", "Send the quote", AS_OF - timedelta(days=1))
    due("<script>", "case", "Broken kettle", AS_OF)
    due("Cy", "check-in", "Keep in touch", AS_OF)
    due("Di", "birthday", "Birthday", AS_OF + timedelta(days=3))
    due("Late", "birthday", "Birthday", AS_OF + timedelta(days=9))
    plain = cli("digest", "--as-of", "2026-11-26")
    assert plain.exit_code == 0, plain.stderr
    assert "\x1b" not in plain.stdout  # not a terminal: no colour codes
    for piece in ("Overdue (1)", "[red]x: Send the quote", "Cases near their target",
                  "<script>: Broken kettle", "Check-ins", "Sun 29 Nov: Di"):  # fmt: skip
        assert piece in plain.stdout
    assert "Late" not in plain.stdout  # beyond --days 7
    assert "Late" in cli("digest", "--as-of", "2026-11-26", "--days", "10").stdout
    md = cli("digest", "--as-of", "2026-11-26", "--format", "markdown").stdout
    assert "## Overdue (1)" in md and "**\\[red\\]x**" in md and "\\<script\\>" in md
    page = cli("digest", "--as-of", "2026-11-26", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in page
    assert "<script>" not in page
    data = json.loads(cli("digest", "--as-of", "2026-11-26", "--format", "json").stdout)
    assert data["item_count"] == 4
    assert data["today"]["cases"][0]["contact"] == "<script>"
    assert data["birthdays_and_anniversaries"][0]["due_on"] == "2026-11-29"


def test_sections_are_paged_with_their_full_counts(cli: Invoke, due: Due, store: Store) -> None:
    for n in range(1, 4):
        due(f"Today {n}", "custom", "Call", AS_OF)
    for n in range(4, 7):
        due(f"Born {n}", "birthday", "Birthday", AS_OF + timedelta(days=n))
    paged = cli("digest", "--as-of", "2026-11-26", "--limit", "1").stdout
    assert "Today (3)" in paged and "…and 2 more today" in paged
    assert "Birthdays and anniversaries (3, to" in paged
    assert "…and 2 more birthdays and anniversaries" in paged
    assert paged.count("Today ") == 2 and paged.count("Born ") == 1  # heading + one row
    assert "— 6 items" in paged  # the count covers what the page leaves out
    everything = cli("digest", "--as-of", "2026-11-26", "--limit", "0").stdout
    assert everything.count("Born ") == 3 and "more today" not in everything
    data = json.loads(cli("digest", "--as-of", "2026-11-26", "--limit", "1", "-f", "json").stdout)
    assert data["today_total"] == 3 and data["birthdays_and_anniversaries_total"] == 3
    assert len(data["birthdays_and_anniversaries"]) == 1


def test_bad_options_are_usage_errors(cli: Invoke) -> None:
    for args in (["--format", "pdf"], ["--days", "-1"], ["--as-of", "someday"]):
        result = cli("digest", *args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1


def test_real_queue_end_to_end_with_catch_up_beyond_the_queues_grace(
    cli: Invoke, smtp: Inbox, isolated_env: Path, store: Store
) -> None:
    from tinycrm.models.followups import FollowUp
    from tinycrm.vocabulary import FollowUpKind

    write_config(isolated_env, smtp.port)
    for args in (
        ["[red]x", "--birthday", "1980-11-12"],
        ["<script>", "--birthday", "--11-28", "--anniversary", "wedding=2016-11-30"],
    ):
        assert cli("contacts", "add", *args).exit_code == 0
    store.follow_ups.insert(FollowUp(1, "Send the quote", FollowUpKind.CUSTOM, AS_OF))
    assert send(cli, "--days", "0", as_of=date(2026, 11, 10)).exit_code == 0
    result = send(cli)  # 15 days later: the birthday on the 12th is past the queue's grace
    assert result.exit_code == 0, result.stderr
    plain, rich = parts(smtp.messages[-1])
    assert "Thu 12 Nov (missed): [red]x: Birthday: turns 46" in plain
    assert "[red]x: Send the quote" in plain
    assert "Sat 28 Nov: <script>: Birthday" in plain
    assert "Mon 30 Nov: <script>: Anniversary: wedding, 10 years" in plain
    assert "&lt;script&gt;" in rich and "<script>" not in rich
    data = json.loads(cli("digest", "--as-of", "2026-11-26", "--format", "json").stdout)
    assert [i["years"] for i in data["birthdays_and_anniversaries"]] == [None, 10]
