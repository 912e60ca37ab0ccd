"""Small things a new user tripped over (issue 14, "Wording and small things"): names rather
than ids in confirmations, the words people use for channels, exact counts, plain Markdown."""

from __future__ import annotations

import json

import pytest

from conftest import Invoke


def test_notes_add_and_sales_cost_name_the_contact(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    noted = cli("notes", "add", "Ann", "Asked about mudguards", "--at", "2026-11-20")
    assert noted.stdout == "note added for Ann Lee on 2026-11-20\n"
    called = cli("notes", "add", "Ann", "Rang back", "--channel", "call", "--at", "2026-11-21")
    assert called.stdout == "call logged for Ann Lee on 2026-11-21\n"
    cost = cli("sales", "cost", "Ann", "15.00", "--date", "2026-11-22", "--currency", "EUR")
    assert cost.exit_code == 0, cost.stderr
    assert cost.stdout.endswith("recorded for Ann Lee on 2026-11-22\n")
    assert "contact 1" not in noted.stdout + called.stdout + cost.stdout


def test_an_nps_score_out_of_range_is_worded_properly(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    result = cli("satisfaction", "add", "Ann", "11", "--scale", "nps")
    assert result.exit_code == 2
    assert "NPS scores are whole numbers from 0 to 10, not '11'" in result.stderr
    assert "a NPS" not in result.stderr


def test_db_check_spells_follow_ups_with_a_hyphen(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    shown = cli("db", "check").stdout
    assert "Follow-ups" in shown
    assert "Follow ups" not in shown


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("phone", "call"), ("Phone Call", "call"), ("e-mail", "email"), ("mail", "email"),
     ("in person", "visit"), ("sms", "chat"), ("zoom", "video"), ("post", "letter")],
)  # fmt: skip
def test_common_words_for_a_channel_are_accepted(cli: Invoke, typed: str, stored: str) -> None:
    cli("contacts", "add", "Ann Lee")
    result = cli("notes", "add", "Ann", "Talked", "--channel", typed, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["channel"] == stored


def test_an_unknown_channel_still_lists_the_real_ones(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    result = cli("notes", "add", "Ann", "Talked", "--channel", "pigeon")
    assert result.exit_code == 2
    assert "unknown channel 'pigeon' (one of: call, email, visit" in result.stderr


def test_done_with_a_channel_alone_logs_the_interaction(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    cli("follow-ups", "add", "Ann", "Ask about the wheel", "--due", "2026-11-26",
        "--as-of", "2026-11-26")  # fmt: skip
    done = cli("follow-ups", "done", "1", "--channel", "phone", "--as-of", "2026-11-26")
    assert done.exit_code == 0, done.stderr
    notes = json.loads(cli("notes", "list", "--json").stdout)
    assert [(n["text"], n["channel"]) for n in notes] == [("Ask about the wheel", "call")]


def test_an_ambiguous_ref_gives_the_exact_count(cli: Invoke) -> None:
    for number in range(30):
        cli("contacts", "add", f"Lee {number:02}")
    result = cli("contacts", "show", "lee")
    assert result.exit_code == 1
    assert "'lee' matches 30 contacts: " in result.stderr
    assert result.stderr.count(": Lee ") == 10  # ten listed, then …
    few = cli("contacts", "show", "Lee 0")
    assert "'Lee 0' matches 10 contacts" in few.stderr


def test_the_markdown_digest_leaves_parentheses_alone(cli: Invoke) -> None:
    cli("contacts", "add", "Ann (Bikes) Lee")
    cli("follow-ups", "add", "Ann", "Call (about the wheel)", "--due", "2026-11-26",
        "--as-of", "2026-11-26")  # fmt: skip
    shown = cli("digest", "--format", "markdown", "--as-of", "2026-11-26").stdout
    assert "**Ann (Bikes) Lee**" in shown
    assert "Call (about the wheel)" in shown
    assert "\\(" not in shown
