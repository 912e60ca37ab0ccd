"""The e-mail channel end to end, with real servers on 127.0.0.1 (issue 17): `crm surveys send`
through aiosmtpd, the customer's reply built from the real `mailto:` link of the captured
message and put into a real IMAP server (pymap), then `crm mail collect` run as cron would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import Invoke
from imapserver import ImapServer, imap_serving
from mailserver import Inbox, free_port, serving
from tinycrm.config import database_location
from tinycrm.models.contacts import Contact
from tinycrm.store import Store

SHOP = "shop@shop.example"
SENT_ON = "2026-11-26"  # the day the surveys go out (a sale on 11-01: check due 11-15)
NEXT_DAY = "2026-11-27"


@dataclass
class Shop:
    inbox: Inbox
    imap: ImapServer
    path: Path
    cli: Invoke

    def crm(self, *args: str) -> subprocess.CompletedProcess[str]:
        """crm in its own process, as cron runs it."""
        return subprocess.run(
            [sys.executable, "-m", "tinycrm", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ.copy(),
        )

    def collect(self, as_of: str = NEXT_DAY) -> subprocess.CompletedProcess[str]:
        """`crm mail collect` in this process (the cron-like runs use `crm`)."""
        args = ["mail", "collect", "--as-of", as_of]
        done = self.cli(*args)
        return subprocess.CompletedProcess(args, done.exit_code, done.stdout, done.stderr)

    def json(self, *args: str) -> object:
        done = self.cli(*args, "--json")
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)


def write_config(path: Path, smtp_port: int, imap_port: int, extra: str = "") -> None:
    path.write_text(
        "[smtp]\n"
        f'host = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        f'from = "Bike Shop <{SHOP}>"\ntimeout = 10\n'
        "[imap]\n"
        f'host = "127.0.0.1"\nport = {imap_port}\nsecurity = "none"\nuser = "demouser"\n'
        'password_env = "SHOP_IMAP_PASSWORD"\ntimeout = 10\n'
        f"{extra}",
        encoding="utf-8",
    )


@pytest.fixture
def shop(isolated_env: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.setenv("SHOP_IMAP_PASSWORD", "demopass")
    for name, address in (("Ann Archer", "ann@example.com"), ("Bob Baker", "bob@example.com")):
        assert cli("contacts", "add", name, "--email", address).exit_code == 0
        assert cli("sales", "add", name, "120.00", "--date", "2026-11-01",
                   "--as-of", "2026-11-01").exit_code == 0  # fmt: skip
    with serving() as inbox, imap_serving() as imap:
        write_config(isolated_env / "config.toml", inbox.port, imap.port)
        yield Shop(inbox, imap, isolated_env, cli)


def links(message: EmailMessage) -> dict[int, str]:
    """The answer links of a survey's text part, by score."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    found: dict[int, str] = {}
    for line in part.get_content().splitlines():
        score, _, rest = line.strip().partition(": <mailto:")
        if rest:
            found[int(score)] = "mailto:" + rest.rstrip(">")
    return found


def survey_to(shop: Shop, address: str) -> EmailMessage:
    sent = [m for m in shop.inbox.messages if address in str(m["To"])]
    assert len(sent) == 1
    return sent[0]


def reply_from_link(
    link: str, sender: str, *, comment: str = "", message_id: str = "<r1@example.com>"
) -> bytes:
    """What the customer's mail program sends on clicking the link and pressing Send."""
    parts = urlsplit(link)
    fields = parse_qs(parts.query)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = unquote(parts.path)
    message["Subject"] = fields["subject"][0]
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    message.set_content(fields["body"][0] + comment)
    return message.as_bytes()


def typed_reply(survey: EmailMessage, sender: str, text: str, message_id: str) -> bytes:
    """A plain reply to the survey: "Re:" subject, In-Reply-To, the quoted survey below."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SHOP
    message["Subject"] = f"Re: {survey['Subject']}"
    message["Message-ID"] = message_id
    message["In-Reply-To"] = survey["Message-ID"]
    message["References"] = survey["Message-ID"]
    message["Date"] = format_datetime(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    part = survey.get_body(("plain",))
    assert part is not None
    quoted = "\n".join(f"> {line}" for line in part.get_content().splitlines())
    message.set_content(f"{text}\n\nOn Thu, 26 Nov 2026, Bike Shop wrote:\n{quoted}\n")
    return message.as_bytes()


def scores(shop: Shop, ref: str) -> list[dict[str, object]]:
    found = shop.json("satisfaction", "history", ref, "--as-of", NEXT_DAY)
    assert isinstance(found, dict)
    return list(found["scores"])


def send_surveys(cli: Invoke, *args: str) -> str:
    done = cli("surveys", "send", "--as-of", SENT_ON, *args)
    assert done.exit_code == 0, done.output
    return done.output


def test_a_genuine_answer_from_the_link_is_recorded_and_filed(shop: Shop, cli: Invoke) -> None:
    output = send_surveys(cli, "--due")
    assert "sent to Ann Archer <ann@example.com>" in output
    assert shop.inbox.count == 2
    survey = survey_to(shop, "ann@example.com")
    assert survey.get_body(("html",)) is not None
    answer_links = links(survey)
    assert sorted(answer_links) == [1, 2, 3, 4, 5]
    assert all(link.startswith(f"mailto:{SHOP}?") for link in answer_links.values())
    shop.imap.append(reply_from_link(answer_links[5], "Ann Archer <ann@example.com>",
                                     comment="Great service!"))  # fmt: skip

    done = shop.crm("mail", "collect", "--as-of", NEXT_DAY)  # as cron runs it

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [score] = scores(shop, "ann")
    assert (score["score"], score["scale"], score["source"]) == (5, "csat", "survey")
    assert score["comment"] == "Great service!"
    assert shop.imap.messages("INBOX") == []
    assert len(shop.imap.messages("tinycrm")) == 1


def contact(shop: Shop, ref: str) -> dict[str, object]:
    found = shop.json("contacts", "show", ref)
    assert isinstance(found, dict)
    return found


def kinds(shop: Shop, ref: str) -> list[str]:
    return [str(f["kind"]) for f in contact(shop, ref)["follow_ups"]]  # type: ignore[attr-defined]


def held(shop: Shop) -> str:
    done = shop.cli("mail", "review")
    assert done.exit_code == 0, done.output
    return done.output


def plain(sender: str, subject: str, text: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SHOP
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


def test_a_typed_reply_with_a_number_is_an_answer(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    survey = survey_to(shop, "ann@example.com")
    shop.imap.append(typed_reply(survey, "ann@example.com", "4\nQuick repair, thanks", "<t@e>"))

    assert shop.collect().returncode == 0

    [score] = scores(shop, "ann")
    assert (score["score"], score["source"], score["comment"]) == (
        4,
        "survey",
        "Quick repair, thanks",
    )


def test_a_forged_code_is_held_not_recorded(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    link = links(survey_to(shop, "ann@example.com"))[5]
    code = link.split("%5Bsurvey%20")[1][:32]
    forged = link.replace(code, "a" * 32)
    shop.imap.append(reply_from_link(forged, "ann@example.com"))

    done = shop.collect()

    assert done.returncode == 0
    assert "1 message held for review" in done.stderr
    assert scores(shop, "ann") == []
    assert "an unknown reply code" in held(shop)


def test_a_code_copied_by_another_sender_is_held(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    link = links(survey_to(shop, "ann@example.com"))[1]
    shop.imap.append(reply_from_link(link, "Bob Baker <bob@example.com>"))

    assert shop.collect().returncode == 0

    assert scores(shop, "ann") == [] and scores(shop, "bob") == []
    review = held(shop)
    assert "bob@example.com" in review and "not the contact's" in review
    assert "Ann Archer" in review  # whose survey it was


def test_a_replayed_answer_is_held_and_the_same_message_is_handled_once(
    shop: Shop, cli: Invoke
) -> None:
    send_surveys(cli, "ann")
    answer_links = links(survey_to(shop, "ann@example.com"))
    first = reply_from_link(answer_links[4], "ann@example.com", message_id="<a1@e>")
    shop.imap.append(first)
    assert shop.collect().returncode == 0
    shop.imap.append(first)  # delivered again: the same message
    shop.imap.append(reply_from_link(answer_links[2], "ann@example.com", message_id="<a2@e>"))

    done = shop.collect()

    assert done.returncode == 0
    assert [s["score"] for s in scores(shop, "ann")] == [4]
    review = held(shop)
    assert "already answered" in review
    assert review.count("ann@example.com") == 1  # the second copy of the first is not held
    assert len(shop.imap.messages("tinycrm")) == 3 and shop.imap.messages() == []


def test_an_answer_after_the_survey_expired_is_held(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    shop.imap.append(
        reply_from_link(links(survey_to(shop, "ann@example.com"))[5], "ann@example.com")
    )

    assert shop.collect(as_of="2027-01-10").returncode == 0

    assert scores(shop, "ann") == []
    assert "expired on 2026-12-26" in held(shop)


def test_nps_and_csat_surveys_and_a_low_score_opens_recovery(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    send_surveys(cli, "bob", "--scale", "nps")
    nps_links = links(survey_to(shop, "bob@example.com"))
    assert sorted(nps_links) == list(range(11))
    shop.imap.append(reply_from_link(nps_links[9], "bob@example.com", message_id="<b@e>"))
    csat_links = links(survey_to(shop, "ann@example.com"))
    shop.imap.append(reply_from_link(csat_links[2], "ann@example.com", comment="Late delivery"))

    assert shop.collect().returncode == 0

    [bob] = scores(shop, "bob")
    assert (bob["scale"], bob["score"]) == ("nps", 9)
    [ann] = scores(shop, "ann")
    assert (ann["scale"], ann["score"]) == ("csat", 2)
    assert "recovery" in kinds(shop, "ann") and "recovery" not in kinds(shop, "bob")


def test_an_out_of_range_number_is_held(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    survey = survey_to(shop, "ann@example.com")
    shop.imap.append(typed_reply(survey, "ann@example.com", "9", "<t9@e>"))

    assert shop.collect().returncode == 0

    assert scores(shop, "ann") == []
    assert "not a CSAT score" in held(shop)


def test_customer_mail_is_an_interaction_that_restarts_the_clock(shop: Shop) -> None:
    assert contact(shop, "ann")["last_interaction_on"] == "2026-11-01"
    shop.imap.append(plain("Ann <ANN@example.com>", "My bike", "The bell rings oddly.", "<m@e>"))
    shop.imap.append(plain("news@spam.example", "Offers", "Buy now", "<s@e>"))

    assert shop.collect().returncode == 0

    ann = contact(shop, "ann")
    assert ann["last_interaction_on"] == "2026-11-27"
    notes = ann["notes"]
    assert isinstance(notes, list) and len(notes) == 1
    note = notes[0]
    assert note["channel"] == "email"
    assert "My bike" in note["text"] and "The bell rings oddly." in note["text"]
    # Mail about nobody stays where it is, untouched, and is not read again.
    assert len(shop.imap.messages()) == 1 and len(shop.imap.messages("tinycrm")) == 1
    assert shop.collect().returncode == 0
    assert len(contact(shop, "ann")["notes"]) == 1  # type: ignore[arg-type]


def test_with_log_interactions_off_only_answers_are_read(shop: Shop, cli: Invoke) -> None:
    config = shop.path / "config.toml"
    config.write_text(config.read_text() + "[mail]\nlog_interactions = false\n")
    send_surveys(cli, "ann")
    shop.imap.append(
        reply_from_link(links(survey_to(shop, "ann@example.com"))[5], "ann@example.com")
    )
    shop.imap.append(plain("ann@example.com", "My bike", "Hello", "<m@e>"))

    assert shop.collect().returncode == 0

    assert len(scores(shop, "ann")) == 1
    assert contact(shop, "ann")["notes"] == []
    assert len(shop.imap.messages()) == 1


def test_a_reply_about_an_open_case_is_attached_to_it(shop: Shop, cli: Invoke) -> None:
    assert cli("cases", "open", "ann", "Gears slipping", "--as-of", SENT_ON).exit_code == 0
    shop.imap.append(plain("ann@example.com", "Re: Case #1 gears", "Still slipping.", "<c@e>"))

    assert shop.collect().returncode == 0

    notes = contact(shop, "ann")["notes"]
    assert isinstance(notes, list) and len(notes) == 1
    note = notes[0]
    assert note["text"].startswith("Case #1: reply by e-mail: Re: Case #1 gears")
    assert note["channel"] == "email"


def test_a_malformed_message_is_left_in_place_and_reported_once(shop: Shop) -> None:
    shop.imap.append(b"From: <<<@@>>>\r\nSubject: \xff\xfe broken\r\n\r\nbody\r\n")

    first = shop.collect()
    second = shop.collect()

    assert first.returncode == 0 and second.returncode == 0
    [line] = first.stderr.splitlines()
    assert line.startswith("crm: warning: message") and "cannot be read" in line
    assert second.stderr == ""
    assert len(shop.imap.messages()) == 1


def test_imap_server_down_exits_1_with_one_line_and_the_next_run_catches_up(
    shop: Shop, cli: Invoke
) -> None:
    config = shop.path / "config.toml"
    config.write_text(config.read_text().replace("timeout = 10\n[mail]", "[mail]")
                      .replace('password_env = "SHOP_IMAP_PASSWORD"\ntimeout = 10',
                               'password_env = "SHOP_IMAP_PASSWORD"\ntimeout = 2'))  # fmt: skip
    send_surveys(cli, "ann")
    shop.imap.append(
        reply_from_link(links(survey_to(shop, "ann@example.com"))[5], "ann@example.com")
    )
    assert shop.imap.process is not None
    shop.imap.process.send_signal(signal.SIGSTOP)  # up, but not answering
    try:
        hung = shop.crm("mail", "collect", "--as-of", NEXT_DAY)
    finally:
        shop.imap.process.send_signal(signal.SIGCONT)
    [line] = hung.stderr.splitlines()
    assert hung.returncode == 1
    assert line == f"crm: cannot collect mail: 127.0.0.1:{shop.imap.port} did not answer within 2 s"
    assert scores(shop, "ann") == [] and len(shop.imap.messages()) == 1

    caught_up = shop.collect()

    assert caught_up.returncode == 0, caught_up.stderr
    assert [s["score"] for s in scores(shop, "ann")] == [5]


def test_no_imap_server_at_all_is_one_line(shop: Shop) -> None:
    config = shop.path / "config.toml"
    closed = free_port()
    config.write_text(config.read_text().replace(f"port = {shop.imap.port}", f"port = {closed}"))

    done = shop.collect()

    assert done.returncode == 1
    assert done.stderr == f"crm: cannot collect mail: connection to 127.0.0.1:{closed} refused\n"


def test_two_collectors_at_once_handle_each_message_once(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann", "bob")
    for address, score in (("ann@example.com", 4), ("bob@example.com", 1)):
        link = links(survey_to(shop, address))[score]
        shop.imap.append(reply_from_link(link, address, message_id=f"<{score}@e>"))
    for number in range(8):
        sender = ("ann@example.com", "bob@example.com")[number % 2]
        shop.imap.append(plain(sender, f"Question {number}", "Hello", f"<q{number}@e>"))
    command = [sys.executable, "-m", "tinycrm", "mail", "collect", "--as-of", NEXT_DAY]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read() if run.stderr else ""
        if run.stderr:
            run.stderr.close()

    assert [s["score"] for s in scores(shop, "ann")] == [4]
    assert [s["score"] for s in scores(shop, "bob")] == [1]
    notes = [n["text"] for ref in ("ann", "bob") for n in contact(shop, ref)["notes"]]  # type: ignore[attr-defined]
    assert sorted(notes) == sorted(f"E-mail: Question {n} — Hello" for n in range(8))
    assert "no mail held" in held(shop)
    assert shop.imap.messages() == [] and len(shop.imap.messages("tinycrm")) == 10


def test_opt_out_by_edit_or_stop_reply_and_the_quiet_period(shop: Shop, cli: Invoke) -> None:
    assert cli("contacts", "edit", "bob", "--no-surveys").exit_code == 0
    output = send_surveys(cli, "--due")
    assert "skipped Bob Baker: asked for no surveys on" in output
    assert [str(m["To"]) for m in shop.inbox.messages] == ["Ann Archer <ann@example.com>"]
    again = send_surveys(cli, "ann")
    assert "skipped Ann Archer: surveyed on 2026-11-26; not again before 2027-02-24" in again
    assert shop.inbox.count == 1
    survey = survey_to(shop, "ann@example.com")
    shop.imap.append(typed_reply(survey, "ann@example.com", "STOP", "<stop@e>"))
    assert shop.collect().returncode == 0

    later = cli("surveys", "send", "ann", "--as-of", "2027-06-01")

    assert "skipped Ann Archer: asked for no surveys on 2026-11-27" in later.output
    assert shop.inbox.count == 1
    assert cli("contacts", "edit", "bob", "--surveys").exit_code == 0
    assert "sent to Bob Baker" in send_surveys(cli, "bob")


def test_the_survey_stands_for_the_due_check(shop: Shop, cli: Invoke) -> None:
    assert "satisfaction-check" in kinds(shop, "ann")
    send_surveys(cli, "--due")
    assert "satisfaction-check" not in kinds(shop, "ann")
    # Sending is no contact with the customer: the keep-in-touch clock does not move.
    assert contact(shop, "ann")["last_interaction_on"] == "2026-11-01"


def test_a_survey_is_recorded_only_when_the_server_took_it(
    shop: Shop, cli: Invoke, isolated_env: Path
) -> None:
    config = isolated_env / "config.toml"
    closed = free_port()
    config.write_text(config.read_text().replace(f"port = {shop.inbox.port}", f"port = {closed}"))

    done = cli("surveys", "send", "--due", "--as-of", SENT_ON)

    assert done.exit_code == 1
    assert done.output.strip().endswith(
        f"connection to 127.0.0.1:{closed} refused (0 sent, 2 not sent; the next run sends them)"
    )
    assert "satisfaction-check" in kinds(shop, "ann")
    dry = cli("surveys", "send", "--due", "--dry-run", "--as-of", SENT_ON)
    assert "would send to Ann Archer <ann@example.com>" in dry.output


class RefusingAnn(Inbox):
    """An SMTP server that refuses mail to Ann's address and takes the rest."""

    async def handle_RCPT(
        self, server: object, session: object, envelope: Any, address: str, options: object
    ) -> str:
        if address == "ann@example.com":
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_is_reported_and_the_other_surveys_still_go(
    shop: Shop, cli: Invoke, isolated_env: Path
) -> None:
    config = isolated_env / "config.toml"
    with serving(RefusingAnn()) as refusing:
        port = f"port = {refusing.port}"
        config.write_text(config.read_text().replace(f"port = {shop.inbox.port}", port))
        done = cli("surveys", "send", "--due", "--as-of", SENT_ON)

    assert done.exit_code == 1
    assert "sent to Bob Baker <bob@example.com>" in done.stdout
    assert done.stderr.strip().endswith(
        "1 survey sent, 1 not sent: ann@example.com: refused by the server"
    )
    assert refusing.count == 1
    assert "satisfaction-check" in kinds(shop, "ann")  # still due: the next run tries again
    assert "satisfaction-check" not in kinds(shop, "bob")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("surveys", "send", "ann", "--scale", "stars"), "--scale"),
        (("surveys", "send"), "name the contacts to survey, or give --due"),
        (("surveys", "send", "nobody-here"), "no contact matches 'nobody-here'"),
    ],
)
def test_bad_survey_input_is_one_line(
    shop: Shop, cli: Invoke, args: tuple[str, ...], message: str
) -> None:
    done = cli(*args)
    assert done.exit_code in (1, 2)
    [line] = done.output.splitlines()
    assert line.startswith("crm: ") and message in line
    assert shop.inbox.count == 0


def test_a_contact_without_an_address_is_skipped_and_reported(shop: Shop, cli: Invoke) -> None:
    assert cli("contacts", "add", "Cy Nomail").exit_code == 0
    output = send_surveys(cli, "cy", "ann")
    assert "skipped Cy Nomail: no e-mail address" in output
    assert shop.inbox.count == 1


def test_missing_imap_settings_point_to_the_docs(shop: Shop, isolated_env: Path) -> None:
    config = isolated_env / "config.toml"
    config.write_text(config.read_text().split("[imap]")[0])
    done = shop.collect()
    assert done.returncode == 2
    assert done.stderr.startswith("crm: config ") and "docs/mail.md" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_a_wrong_password_and_a_missing_folder_are_one_line(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    monkeypatch.setenv("SHOP_IMAP_PASSWORD", "wrong")
    done = shop.collect()
    assert done.returncode == 1
    assert done.stderr == (
        f"crm: cannot collect mail from 127.0.0.1:{shop.imap.port}: login refused for demouser"
        " (check imap.user and the password)\n"
    )
    monkeypatch.setenv("SHOP_IMAP_PASSWORD", "demopass")
    config = isolated_env / "config.toml"
    config.write_text(config.read_text() + 'folder = "Shop"\n')
    done = shop.collect()
    assert done.returncode == 1
    assert done.stderr == (
        f"crm: cannot collect mail: folder 'Shop' does not exist on 127.0.0.1:{shop.imap.port}"
        " (imap.folder)\n"
    )


def test_hostile_encoded_word_subjects_are_decoded_and_made_harmless(
    shop: Shop, cli: Invoke
) -> None:
    config = shop.path / "config.toml"
    config.write_text(
        config.read_text() + '[mail]\nshop_name = "Fahrradladen Müller"\nlanguage = "de"\n'
    )
    send_surveys(cli, "ann")
    survey = survey_to(shop, "ann@example.com")
    assert str(survey["Subject"]) == "Fahrradladen Müller: Wie zufrieden sind Sie?"
    link = links(survey)[4]
    reply = reply_from_link(link, "ann@example.com")
    assert b"=?utf-8?" in reply  # the customer's program encodes the non-ASCII subject
    shop.imap.append(reply)
    shop.imap.append(
        b"From: ann@example.com\r\nTo: shop@shop.example\r\nMessage-ID: <esc@e>\r\n"
        b"Subject: =?utf-8?q?Hi=1B[2J=1B]52;c;cHduZWQ=07_there=0D=0AX-Injected:_1?=\r\n"
        b"Date: Fri, 27 Nov 2026 09:30:00 +0000\r\n\r\nHello \x1b[31mred\r\n"
    )

    assert shop.collect().returncode == 0

    assert [s["score"] for s in scores(shop, "ann")] == [4]
    listed = shop.crm("notes", "list", "ann")
    assert listed.returncode == 0
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "Hi" in listed.stdout and "there" in listed.stdout and "Hello" in listed.stdout


def test_a_huge_body_is_read_from_its_start(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    survey = survey_to(shop, "ann@example.com")
    filler = ("x" * 70 + "\n") * 45_000  # ~3 MB
    shop.imap.append(typed_reply(survey, "ann@example.com", f"3\nOkay.\n{filler}", "<big@e>"))

    assert shop.collect().returncode == 0

    [score] = scores(shop, "ann")
    assert score["score"] == 3
    assert len(str(score["comment"])) <= 500


def test_html_only_mail_with_scripts_is_read_as_text(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    survey = survey_to(shop, "ann@example.com")
    answer = EmailMessage()
    answer["From"] = "ann@example.com"
    answer["To"] = SHOP
    answer["Subject"] = "Re: survey"
    answer["Message-ID"] = "<html@e>"
    answer["In-Reply-To"] = survey["Message-ID"]
    answer.set_content(
        "<html><head><script>alert('pwned')</script><style>p{}</style></head><body>"
        "<p>5</p><script>document.write('7')</script><p>Lovely <b>bike</b></p></body></html>",
        subtype="html",
    )
    shop.imap.append(answer.as_bytes())

    assert shop.collect().returncode == 0

    [score] = scores(shop, "ann")
    assert (score["score"], score["comment"]) == (5, "Lovely bike")


@pytest.mark.parametrize(
    "sender",
    [
        '"ann@example.com" <mallory@evil.test>',
        "=?utf-8?q?Ann_Archer_=3Cann=40example=2Ecom=3E?= <mallory@evil.test>",
        "Ann Archer <mallory@evil.test> (ann@example.com)",
    ],
)
def test_display_name_tricks_in_from_do_not_pass_for_the_contact(
    shop: Shop, cli: Invoke, sender: str
) -> None:
    send_surveys(cli, "ann")
    link = links(survey_to(shop, "ann@example.com"))[1]
    reply = reply_from_link(link, "placeholder@example.com")
    shop.imap.append(reply.replace(b"From: placeholder@example.com", f"From: {sender}".encode()))

    assert shop.collect().returncode == 0

    assert scores(shop, "ann") == []
    review = held(shop)
    assert "mallory@evil.test" in review and "not the contact's" in review


def test_a_message_id_collision_is_held_not_taken_for_the_first(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    answer_links = links(survey_to(shop, "ann@example.com"))
    shop.imap.append(reply_from_link(answer_links[5], "ann@example.com", message_id="<same@e>"))
    assert shop.collect().returncode == 0
    shop.imap.append(reply_from_link(answer_links[1], "ann@example.com", message_id="<same@e>"))

    assert shop.collect().returncode == 0

    assert [s["score"] for s in scores(shop, "ann")] == [5]
    assert "its Message-ID is an earlier message's" in held(shop)


def test_a_held_answer_can_be_accepted_or_dismissed(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    link = links(survey_to(shop, "ann@example.com"))[2]
    shop.imap.append(reply_from_link(link, "ann.archer@work.example", message_id="<w@e>"))
    shop.imap.append(plain("x@evil.test", "Answer: 5 [survey " + "b" * 32 + "]", "5", "<f@e>"))
    assert shop.collect().returncode == 0
    review = shop.cli("mail", "review").stdout
    ids = [line.split("\t")[0] for line in review.splitlines()[1:]]
    assert len(ids) == 2

    accepted = shop.cli("mail", "accept", ids[0], "--as-of", NEXT_DAY)
    dismissed = shop.cli("mail", "dismiss", ids[1], "--as-of", NEXT_DAY)
    again = shop.cli("mail", "dismiss", ids[1])

    assert accepted.exit_code == 0 and "CSAT 2 recorded for Ann Archer" in accepted.stdout
    assert "recovery follow-up" in accepted.stdout
    assert dismissed.exit_code == 0
    assert again.exit_code == 1 and "is not held for review (it is dismissed)" in again.output
    assert [s["score"] for s in scores(shop, "ann")] == [2]
    assert "no mail held" in held(shop)


def test_the_report_separates_survey_and_typed_scores_with_the_response_rate(
    shop: Shop, cli: Invoke
) -> None:
    send_surveys(cli, "--due")
    shop.imap.append(
        reply_from_link(links(survey_to(shop, "ann@example.com"))[5], "ann@example.com")
    )
    assert shop.collect().returncode == 0
    assert cli("satisfaction", "add", "bob", "3", "--as-of", NEXT_DAY).exit_code == 0

    data = shop.json("report", "satisfaction", "--months", "1", "--as-of", NEXT_DAY)

    assert isinstance(data, dict)
    [november] = data["months"]
    assert november["origin"] == {
        "survey": 1, "typed": 1, "csat_average_survey": 5.0, "csat_average_typed": 3.0,
    }  # fmt: skip
    assert november["surveys"] == {"sent": 2, "bounced": 0, "answered": 1, "response_rate": 0.5}
    table = cli("report", "satisfaction", "--months", "1", "--as-of", NEXT_DAY).stdout
    assert "1/1\t5.00/3.00\t2\t\t1 (50%)" in table


def test_the_digest_names_the_mail_held_for_review(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "ann")
    link = links(survey_to(shop, "ann@example.com"))[3]
    shop.imap.append(reply_from_link(link, "Mallory <mallory@evil.test>"))
    assert shop.collect().returncode == 0

    text = cli("digest", "--as-of", NEXT_DAY).stdout
    data = shop.json("digest", "--as-of", NEXT_DAY)

    assert "E-mails held for review (1; see crm mail review)" in text
    assert "mallory@evil.test (Ann Archer)" in text and "not the contact's" in text
    assert isinstance(data, dict) and data["held_for_review_total"] == 1


def test_an_address_the_headers_cannot_carry_is_skipped_the_others_sent(
    shop: Shop, cli: Invoke
) -> None:
    store = Store.open(database_location(os.environ["CRM_DB"]))  # the database under test
    try:  # as an import from another program might have stored it
        store.contacts.insert(
            Contact("Odd Address", emails=["odd one@example.com"]), date(2026, 11, 1)
        )
    finally:
        store.close()

    done = cli("surveys", "send", "odd", "ann", "--as-of", SENT_ON)

    assert done.exit_code == 1
    assert "skipped Odd Address: cannot address 'odd one@example.com'" in done.stdout
    assert (
        done.stderr == "crm: 1 survey sent, 1 not sent: odd one@example.com: InvalidHeaderDefect\n"
    )
    assert [str(m["To"]) for m in shop.inbox.messages] == ["Ann Archer <ann@example.com>"]


def test_surveys_without_smtp_settings_point_to_the_docs(shop: Shop, cli: Invoke) -> None:
    config = shop.path / "config.toml"
    config.write_text("[imap]" + config.read_text().split("[imap]")[1])
    done = cli("surveys", "send", "--due", "--as-of", SENT_ON)
    assert done.exit_code == 2
    assert done.stderr.startswith("crm: config ") and "no [smtp] table" in done.stderr
    assert "docs/mail.md" in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["accept", "dismiss"])
@pytest.mark.parametrize("record_id", ["0", "9223372036854775808"])
def test_an_id_no_row_can_have_is_one_usage_line(cli: Invoke, command: str, record_id: str) -> None:
    result = cli("mail", command, record_id)

    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Invalid value for 'ID'" in result.output


def delivery_failure(returned: bytes, recipient: str, message_id: str) -> bytes:
    """What a mail server sends back for a message it could not deliver (RFC 3464), with the
    returned message's headers."""
    head = returned.replace(b"\r\n", b"\n").partition(b"\n\n")[0].decode()
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.shop.example>\n"
        f"To: {SHOP}\nSubject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: {message_id}\nDate: Thu, 26 Nov 2026 09:31:00 +0000\n"
        "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\n"
        f"Your message could not be delivered to {recipient}.\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.shop.example\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
        f"--B\nContent-Type: text/rfc822-headers\n\n{head}\n\n--B--\n"
    ).encode()


def due_checks(shop: Shop) -> list[str]:
    """Whose satisfaction checks `crm follow-ups today` lists (overdue or due today)."""
    found = shop.json("follow-ups", "today", "--as-of", NEXT_DAY, "--limit", "0")
    assert isinstance(found, dict)
    rows = [*found["overdue"], *found["today"]]
    return sorted(str(r["contact"]) for r in rows if r["kind"] == "satisfaction-check")


def delivered(shop: Shop, address: str) -> bytes:
    """The survey to `address` as the SMTP server took it, byte for byte."""
    [raw] = [e.content for e in shop.inbox.envelopes if address in e.rcpt_tos]
    assert isinstance(raw, bytes)
    return raw


def test_a_bounced_survey_puts_the_check_back_for_a_phone_call(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "--due")
    assert due_checks(shop) == []
    survey = delivered(shop, "ann@example.com")
    assert survey_to(shop, "ann@example.com")["Message-ID"].encode() in survey
    shop.imap.append(delivery_failure(survey, "ann@example.com", "<dsn1@mx>"))

    done = shop.collect()

    assert done.returncode == 0, done.stderr
    assert "crm: 1 survey bounced: Ann Archer <ann@example.com>, call instead" in done.stderr
    assert due_checks(shop) == ["Ann Archer"]
    notes = contact(shop, "ann")["notes"]
    assert isinstance(notes, list) and len(notes) == 1
    assert "bounced (550 5.1.1 user unknown): call instead" in notes[0]["text"]
    # A bounce is no contact with the customer: the keep-in-touch clock does not move.
    assert contact(shop, "ann")["last_interaction_on"] == "2026-11-01"
    assert shop.imap.messages("INBOX") == []
    assert len(shop.imap.messages("tinycrm")) == 1

    again = shop.collect()

    assert "bounced" not in again.stderr
    assert due_checks(shop) == ["Ann Archer"]
    assert len(contact(shop, "ann")["notes"]) == 1  # type: ignore[arg-type]


def test_a_bounced_address_is_not_surveyed_again_until_it_is_changed(
    shop: Shop, cli: Invoke
) -> None:
    send_surveys(cli, "--due")
    survey = delivered(shop, "ann@example.com")
    shop.imap.append(delivery_failure(survey, "ann@example.com", "<dsn1@mx>"))
    assert shop.collect().returncode == 0

    again = cli("surveys", "send", "--due", "--as-of", NEXT_DAY)

    assert (
        "skipped Ann Archer: a survey to ann@example.com bounced on 2026-11-27: call instead"
        in (again.output)
    )
    assert shop.inbox.count == 2
    assert due_checks(shop) == ["Ann Archer"]
    assert cli("contacts", "edit", "ann", "--email", "ann@new.example").exit_code == 0
    # The bounced survey does not count as one lately: the new address gets one now.
    later = cli("surveys", "send", "--due", "--as-of", NEXT_DAY)
    assert "sent to Ann Archer <ann@new.example>" in later.output
    assert due_checks(shop) == []


def test_a_bounce_found_by_the_reply_code_alone_counts_once(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "--due")
    survey = delivered(shop, "bob@example.com")
    # A server that returns the headers without the Message-ID: the reply code names it.
    head = [line for line in survey.split(b"\n") if not line.lower().startswith(b"message-id:")]
    for n in (1, 2):  # the report, and a second one from another relay
        shop.imap.append(delivery_failure(b"\n".join(head), "bob@example.com", f"<d{n}@mx>"))

    done = shop.collect()

    assert "crm: 1 survey bounced: Bob Baker <bob@example.com>, call instead" in done.stderr
    digest = shop.json("digest", "--as-of", NEXT_DAY)
    assert isinstance(digest, dict) and digest["bounced_surveys_total"] == 1
    assert due_checks(shop) == ["Bob Baker"]
    assert len(contact(shop, "bob")["notes"]) == 1  # type: ignore[arg-type]
    assert len(shop.imap.messages("tinycrm")) == 2


def test_a_bounced_survey_is_its_own_figure_in_the_report_not_an_unanswered_one(
    shop: Shop, cli: Invoke
) -> None:
    send_surveys(cli, "--due")
    shop.imap.append(
        reply_from_link(links(survey_to(shop, "bob@example.com"))[4], "bob@example.com")
    )
    assert shop.collect().returncode == 0
    report = ("report", "satisfaction", "--months", "1", "--as-of", NEXT_DAY)
    before = shop.json(*report)
    shop.imap.append(
        delivery_failure(delivered(shop, "ann@example.com"), "ann@example.com", "<dsn1@mx>")
    )
    assert shop.collect().returncode == 0

    after = shop.json(*report)
    table = cli(*report).stdout

    assert isinstance(before, dict) and isinstance(after, dict)
    assert before["months"][0]["surveys"] == {
        "sent": 2, "bounced": 0, "answered": 1, "response_rate": 0.5,
    }  # fmt: skip
    assert after["months"][0]["surveys"] == {
        "sent": 2, "bounced": 1, "answered": 1, "response_rate": 1.0,
    }  # fmt: skip
    assert "\tsurveys_sent\tbounced\tanswered_of_delivered\n" in table
    assert "\t2\t1\t1 (100%)" in table


def test_the_digest_names_a_bounced_survey_and_whom_to_call_the_next_day_too(
    shop: Shop, cli: Invoke
) -> None:
    assert cli("contacts", "edit", "ann", "--phone", "+1 555 0100").exit_code == 0
    send_surveys(cli, "--due")
    assert "bounced" not in cli("digest", "--as-of", NEXT_DAY).stdout
    shop.imap.append(
        delivery_failure(delivered(shop, "ann@example.com"), "ann@example.com", "<dsn1@mx>")
    )
    assert shop.collect().returncode == 0

    text = cli("digest", "--as-of", NEXT_DAY).stdout
    data = shop.json("digest", "--as-of", NEXT_DAY)
    markdown = cli("digest", "--as-of", NEXT_DAY, "--format", "markdown").stdout
    html = cli("digest", "--as-of", NEXT_DAY, "--format", "html").stdout
    later = [shop.json("digest", "--as-of", day) for day in ("2026-11-28", "2026-11-29")]

    line = "the survey to ann@example.com bounced on Fri 27 Nov · 550 5.1.1 user unknown"
    assert f"Surveys that bounced (1; call instead)\n  - Ann Archer: {line}" in text
    assert f"{line} · call +1 555 0100\n" in text
    assert isinstance(data, dict) and data["bounced_surveys_total"] == 1
    assert data["bounced_surveys"] == [
        {"contact_id": 1, "contact": "Ann Archer", "company": None,
         "address": "ann@example.com", "bounced_on": NEXT_DAY,
         "reason": "550 5.1.1 user unknown", "phone": "+1 555 0100"},
    ]  # fmt: skip
    assert f"## Surveys that bounced (1; call instead)\n\n- **Ann Archer**: {line}" in markdown
    assert "Surveys that bounced (1; call instead)</h2>" in html
    assert "<strong>Ann Archer</strong>: the survey to ann@example.com bounced" in html
    # A bounce collected after the morning's digest is in the next day's, not after.
    assert [d["bounced_surveys_total"] for d in later if isinstance(d, dict)] == [1, 0]


def test_each_owner_gets_the_bounced_surveys_of_their_customers(
    shop: Shop, cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, login in (("Uma Reddy", "uma"), ("Vic Lowe", "vic")):
        added = cli("users", "add", name, "--email", f"{login}@shop.example", "--login", login)
        assert added.exit_code == 0, added.output
        monkeypatch.setenv("CRM_USER", "uma")  # the first user, the admin, adds the second
    assert cli("contacts", "assign", "ann", "--to", "vic").exit_code == 0
    send_surveys(cli, "--due")
    for n, address in enumerate(("ann@example.com", "bob@example.com")):
        shop.imap.append(delivery_failure(delivered(shop, address), address, f"<dsn{n}@mx>"))
    assert shop.collect().returncode == 0

    found = shop.json("digest", "--each-owner", "--as-of", NEXT_DAY)

    assert isinstance(found, dict)
    digests = {d["user"]: d["digest"] for d in found["digests"]}
    uma, vic = digests["Uma Reddy"], digests["Vic Lowe"]
    assert [b["contact"] for b in vic["bounced_surveys"]] == ["Ann Archer"]
    assert uma["bounced_surveys"] == []  # Uma owns nobody; as the admin she gets nobody's
    assert [b["contact"] for b in uma["unassigned"]["bounced_surveys"]] == ["Bob Baker"]
    assert vic["unassigned"] is None


def test_other_bounces_and_malformed_reports_are_left_alone(shop: Shop, cli: Invoke) -> None:
    send_surveys(cli, "--due")
    other = plain(SHOP, "Your order", "Thanks!", "<order@shop.example>")
    bounce = delivery_failure(other, "ann@example.com", "<dsn-other@mx>")
    survey = delivered(shop, "ann@example.com")
    broken = (
        delivery_failure(survey, "ann@example.com", "<dsn-broken@mx>")
        .replace(b"Action: failed", b"Action: fai\xffled")
        .replace(b"text/rfc822-headers", b"message/rfc822")
    )
    shop.imap.append(bounce)
    shop.imap.append(broken)

    done = shop.collect()

    assert done.returncode == 0, done.stderr
    assert "bounced" not in done.stderr
    assert due_checks(shop) == []
    assert len(shop.imap.messages("INBOX")) == 2
    assert contact(shop, "ann")["notes"] == []
