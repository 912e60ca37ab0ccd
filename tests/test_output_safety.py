"""User text is data: markup and control characters are stored as given and shown literally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.cli import output
from tinycrm.store import Store

HOSTILE = [
    "[/]",
    "[red]x",
    "[link=http://e.x]y[/link]",
    "\x1b[2J",
    "\x1b]52;c;aGk=\x07",
    "\x9b31m",
    "<script>alert(1)</script>",
]
# How each is shown: control characters as visible stand-ins, everything else as typed.
SHOWN = [
    "[/]",
    "[red]x",
    "[link=http://e.x]y[/link]",
    "␛[2J",
    "␛]52;c;aGk=␇",
    "\\x9b31m",
    "<script>alert(1)</script>",
]
SGR = re.compile(r"\x1b\[[0-9;]*m")
C1 = re.compile("[\x80-\x9f]")


def names() -> list[str]:
    return [f"Zed{i} {text}" for i, text in enumerate(HOSTILE)]


@pytest.fixture
def hostile(cli: Invoke) -> list[str]:
    for i, name in enumerate(names()):
        assert cli("contacts", "add", name).exit_code == 0
        assert cli("notes", "add", str(i + 1), f"said {HOSTILE[i]}").exit_code == 0
    return names()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make output take its terminal path and Rich emit styles into the captured stdout."""
    monkeypatch.setattr(output, "is_terminal", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "250")


def assert_safe(text: str, *, styled_ok: bool) -> None:
    rest = SGR.sub("", text) if styled_ok else text
    assert "\x1b" not in rest, repr(text)
    assert not C1.search(text), repr(text)


def views(cli: Invoke) -> dict[str, str]:
    result = {}
    for args in (("contacts", "list"), ("contacts", "search", "zed"), ("notes", "list")):
        run = cli(*args)
        assert run.exit_code == 0, run.stderr
        result[" ".join(args)] = run.stdout
    for i in range(len(HOSTILE)):
        run = cli("contacts", "show", str(i + 1))
        assert run.exit_code == 0, run.stderr
        result[f"show {i + 1}"] = run.stdout
    return result


def test_stored_exactly_as_given(hostile: list[str], store: Store) -> None:
    rows = store.db.conn.execute("SELECT name FROM contacts ORDER BY id").fetchall()
    assert [r[0] for r in rows] == hostile
    bodies = store.db.conn.execute("SELECT body FROM notes ORDER BY id").fetchall()
    assert [r[0] for r in bodies] == [f"said {h}" for h in HOSTILE]


def check_views(cli: Invoke, styled_ok: bool) -> None:
    shown = views(cli)
    for view, text in shown.items():
        assert_safe(text, styled_ok=styled_ok)
        plain = SGR.sub("", text)
        if view.startswith("show"):
            i = int(view.split()[1]) - 1
            assert f"Zed{i} {SHOWN[i]}" in plain, (view, plain)
            assert f"said {SHOWN[i]}" in plain, (view, plain)
        else:
            for i, literal in enumerate(SHOWN):
                expected = f"said {literal}" if view == "notes list" else f"Zed{i} {literal}"
                assert expected in plain, (view, expected, plain)


def test_plain_mode_shows_literally(cli: Invoke, hostile: list[str]) -> None:
    check_views(cli, styled_ok=False)


def test_terminal_mode_shows_literally(cli: Invoke, hostile: list[str], terminal: None) -> None:
    assert SGR.search(cli("contacts", "list").stdout), "the terminal path was not taken"
    check_views(cli, styled_ok=True)


def test_no_color_means_no_escape_sequences(
    cli: Invoke, hostile: list[str], terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    for text in views(cli).values():
        assert "\x1b" not in text, repr(text)
    added = cli("contacts", "add", "Plain Person")
    assert "\x1b" not in added.stdout


def test_json_round_trips(cli: Invoke, hostile: list[str], terminal: None) -> None:
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    assert sorted(c["name"] for c in listed) == sorted(hostile)
    for i, name in enumerate(hostile):
        run = cli("contacts", "show", str(i + 1), "--json")
        assert_safe(run.stdout, styled_ok=False)
        shown = json.loads(run.stdout)
        assert shown["name"] == name
        assert shown["notes"][0]["text"] == f"said {HOSTILE[i]}"
    found = json.loads(cli("contacts", "search", "zed", "--json").stdout)
    assert sorted(c["name"] for c in found) == sorted(hostile)
    notes = cli("notes", "list", "--json").stdout
    assert_safe(notes, styled_ok=False)
    assert sorted(n["text"] for n in json.loads(notes)) == sorted(f"said {h}" for h in HOSTILE)


def test_errors_about_hostile_refs_are_safe(cli: Invoke, hostile: list[str]) -> None:
    run = cli("contacts", "show", "nobody \x1b[2J\x9b")
    assert run.exit_code == 1
    assert_safe(run.stderr, styled_ok=False)


def test_mailing_list_and_success_lines_are_safe(
    cli: Invoke, tmp_path: Path, hostile: list[str]
) -> None:
    run = cli("contacts", "add", "\x1b[31mRed\x9b", "--email", "r@x.example", "--tag", "t")
    assert_safe(run.stdout, styled_ok=False)
    run = cli("contacts", "list", "--tag", "t", "--format", "emails")
    assert_safe(run.stdout, styled_ok=False)
    assert "␛[31mRed" in run.stdout
