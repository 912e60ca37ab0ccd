"""`crm notes add|list`: dated notes, interactions with channels, --since."""

from __future__ import annotations

import json
from datetime import date, timedelta

from conftest import Invoke


def notes(cli: Invoke, *args: str) -> list[dict[str, object]]:
    result = cli("notes", "list", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_add_with_date_and_channel(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee", "--type", "personal")
    result = cli("notes", "add", "Ann", "Called about the service", "--channel", "call",
                 "--at", "2026-11-02", "--minutes", "15", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    note = json.loads(result.stdout)
    assert note["date"] == "2026-11-02"
    assert note["channel"] == "call"
    assert note["duration_minutes"] == 15
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert shown["last_interaction_on"] == "2026-11-02"


def test_every_channel_and_plain_notes(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    channels = ["call", "email", "visit", "meeting", "letter", "video", "chat", "other"]
    for channel in channels:
        assert cli("notes", "add", "Ann", f"via {channel}", "-c", channel).exit_code == 0
    assert cli("notes", "add", "Ann", "just a remark").exit_code == 0
    got = notes(cli)
    assert sorted(str(n["channel"]) for n in got if n["channel"]) == sorted(channels)
    assert next(n for n in got if n["channel"] is None)["text"] == "just a remark"
    bad = cli("notes", "add", "Ann", "x", "--channel", "pigeon")
    assert bad.exit_code == 2
    assert "pigeon" in bad.stderr and "call" in bad.stderr


def test_plain_note_does_not_count_as_interaction(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    cli("notes", "add", "Ann", "remember the dog's name", "--at", "2026-01-05")
    assert (
        json.loads(cli("contacts", "show", "Ann", "--json").stdout)["last_interaction_on"] is None
    )
    cli("notes", "add", "Ann", "call", "-c", "call", "--at", "2026-03-01")
    cli("notes", "add", "Ann", "older call", "-c", "call", "--at", "2026-02-01")
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert shown["last_interaction_on"] == "2026-03-01"  # an older one does not move it back


def test_relative_at_looks_back(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    result = cli("notes", "add", "Ann", "met", "--at", "yesterday", "--json")
    assert json.loads(result.stdout)["date"] == (date.today() - timedelta(days=1)).isoformat()


def test_list_since_and_by_contact_newest_first(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    cli("contacts", "add", "Bob")
    cli("notes", "add", "Ann", "first", "--at", "2026-01-10")
    cli("notes", "add", "Bob", "second", "--at", "2026-02-10")
    cli("notes", "add", "Ann", "third", "--at", "2026-03-10")
    assert [n["text"] for n in notes(cli)] == ["third", "second", "first"]
    assert [n["text"] for n in notes(cli, "--since", "2026-02-10")] == ["third", "second"]
    assert [n["text"] for n in notes(cli, "Ann")] == ["third", "first"]
    assert [n["contact"] for n in notes(cli, "Bob")] == ["Bob"]
    assert notes(cli, "--since", "2027-01-01") == []
    bad = cli("notes", "list", "--since", "whenever")
    assert bad.exit_code == 2 and "whenever" in bad.stderr


def test_plain_list_is_tab_separated(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    cli("notes", "add", "Ann", "line one\nline two\twith tab", "-c", "visit", "--at", "2026-05-01")
    lines = cli("notes", "list").stdout.splitlines()
    assert lines[0] == "date\tcontact\tchannel\tnote"
    assert lines[1].split("\t") == ["2026-05-01", "Ann", "visit", "line one line two with tab"]


def test_empty_note_and_unknown_contact(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    assert cli("notes", "add", "Ann", "   ").exit_code == 2
    missing = cli("notes", "add", "Zed", "hello")
    assert missing.exit_code == 1
    assert notes(cli) == []
