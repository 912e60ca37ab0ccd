"""Tables fit the terminal (nothing that identifies a row wraps, titles are cut with "…"), and
in a pipe every list is one table: one header line, then one record per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import Invoke
from tinycrm.cli import output

AS_OF = "2026-12-04"
LONG_TITLE = "Call about the winter service and the new studded tyres for the cargo bike " * 2


@pytest.fixture
def busy(cli: Invoke) -> dict[str, Any]:
    """A queue with derived and stored rows, long names and a long title; its --json form."""
    people = [
        ("Maximiliane Oberhauser-Schwarz", "--type", "personal", "--birthday", "1980-12-04"),
        ("Ann Lee", "--type", "dedicated", "--anniversary", "wedding=2014-12-02"),
        ("Bo Chen", "--type", "dedicated"),
    ]
    for person in people:
        assert (
            cli("contacts", "add", *person, "--email", f"{person[0][:2]}@x.example").exit_code == 0
        )
    assert cli("notes", "add", "3", "Visited", "--at", "2026-08-01").exit_code == 0
    for ref, due in (("1", "2026-12-01"), ("2", AS_OF), ("3", "2026-12-07")):
        added = cli(
            "follow-ups", "add", ref, LONG_TITLE.strip(), "--due", due, "--as-of", "2026-11-01"
        )
        assert added.exit_code == 0, added.stderr
    shown = cli("follow-ups", "today", "--as-of", AS_OF, "--json")
    assert shown.exit_code == 0, shown.stderr
    data: dict[str, Any] = json.loads(shown.stdout)
    assert data["overdue"] and data["today"]
    return data


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(output, "is_terminal", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    return monkeypatch


def render(cli: Invoke, terminal: pytest.MonkeyPatch, columns: int, *args: str) -> list[str]:
    terminal.setenv("COLUMNS", str(columns))
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def assert_titles_cut(lines: list[str]) -> None:
    """The long title is on one line, cut with an ellipsis."""
    cells = [
        cell.strip()
        for line in lines
        for cell in line.split("│")
        if cell.strip().startswith("Call")
    ]
    assert cells and all(cell.endswith("…") for cell in cells), lines
    assert not any(line.strip().startswith("studded") for line in lines)


@pytest.mark.parametrize("columns", [100, 80, 60])
def test_queue_fits_without_splitting_handles_or_dates(
    cli: Invoke, busy: dict[str, Any], terminal: pytest.MonkeyPatch, columns: int
) -> None:
    lines = render(cli, terminal, columns, "follow-ups", "today", "--as-of", AS_OF)
    rows = busy["overdue"] + busy["today"]
    assert all(cell_len(line) <= columns for line in lines), lines
    for row in rows:
        # Each row is one line holding its whole handle and its whole due date.
        line = next(line for line in lines if line.startswith(row["handle"] + " "))
        assert row["due"] in line
    assert_titles_cut(lines)


def test_title_takes_the_room_the_other_columns_leave(
    cli: Invoke, busy: dict[str, Any], terminal: pytest.MonkeyPatch
) -> None:
    lines = render(cli, terminal, 100, "follow-ups", "today", "--as-of", AS_OF)
    header = next(line for line in lines if line.startswith("Handle"))
    widths = {name.strip(): cell_len(name) for name in header.split("┃")}
    assert widths["Title"] > max(w for name, w in widths.items() if name != "Title")


def test_narrow_terminal_shows_kind_as_an_icon_and_drops_urgency(
    cli: Invoke, busy: dict[str, Any], terminal: pytest.MonkeyPatch
) -> None:
    wide = "\n".join(render(cli, terminal, 250, "follow-ups", "today", "--as-of", AS_OF))
    narrow = "\n".join(render(cli, terminal, 80, "follow-ups", "today", "--as-of", AS_OF))
    assert "Urgency" in wide and "anniversary" in wide
    assert "Urgency" not in narrow and "anniversary" not in narrow and "💍" in narrow


@pytest.mark.parametrize(
    "args",
    [
        ("follow-ups", "upcoming", "--as-of", "2026-11-30"),
        ("follow-ups", "overdue", "--as-of", "2026-12-10"),
        ("follow-ups", "list", "--as-of", AS_OF),
        ("contacts", "list"),
    ],
)
@pytest.mark.parametrize("columns", [80, 60])
def test_other_lists_fit_too(
    cli: Invoke, busy: dict[str, Any], terminal: pytest.MonkeyPatch, columns: int,
    args: tuple[str, ...],
) -> None:  # fmt: skip
    lines = render(cli, terminal, columns, *args)
    assert lines and all(cell_len(line) <= columns for line in lines), lines
    for date_text in ("2026-12-01", "2026-12-07"):
        # A date is never broken across lines (its first half alone on a line).
        assert not any(line.rstrip().endswith(date_text[:7]) for line in lines)
    if args[0] == "follow-ups":
        assert_titles_cut(lines)
    else:
        assert any("Maximiliane" in line for line in lines)


def crm(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # CRM_DB: the database under test
    return subprocess.run(
        [sys.executable, "-m", "tinycrm", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip


def test_queue_in_a_pipe_is_one_table(busy: dict[str, Any], tmp_path: Path) -> None:
    result = crm(tmp_path, "follow-ups", "today", "--as-of", AS_OF, "--limit", "1")
    assert result.returncode == 0, result.stderr
    header, *records = result.stdout.splitlines()
    assert header.split("\t")[0] == "handle" and header.split("\t")[-1] == "section"
    fields = len(header.split("\t"))
    assert all(len(line.split("\t")) == fields for line in records)
    assert [line.split("\t")[0] for line in records] == [
        busy["overdue"][0]["handle"],
        busy["today"][0]["handle"],
    ]
    assert [line.split("\t")[-1] for line in records] == ["overdue", "today"]
    assert "more overdue" in result.stderr and "more today" in result.stderr


@pytest.fixture
def reported(cli: Invoke) -> None:
    """A customer with a sale, a score and an escalated case, for the reports' tables."""
    steps = [
        (
            "users",
            "add",
            "Sam Shopkeeper-Longname",
            "--email",
            "sam@x.example",
            "--time-zone",
            "America/Argentina/Buenos_Aires",
        ),
        ("contacts", "add", "Maximiliane Oberhauser-Schwarz", "--email", "max@x.example"),
        ("sales", "add", "1", "3746.00", "--product", "Cargo bike", "--as-of", "2026-12-01"),
        ("satisfaction", "add", "1", "3", "--as-of", "2026-12-02"),
        ("cases", "open", "1", LONG_TITLE.strip(), "--severity", "high", "--as-of", "2026-12-02"),
        ("cases", "escalate", "1", "--to", "the workshop lead", "--as-of", "2026-12-02"),
    ]
    for step in steps:
        done = cli(*step)
        assert done.exit_code == 0, (step, done.stderr)


@pytest.mark.parametrize(
    ("args", "whole"),
    [
        (("report", "top", "--as-of", AS_OF), ["3,746.00 EUR", "Maximiliane"]),
        (("report", "satisfaction", "--as-of", AS_OF, "--months", "2"), ["2026-12", "3.00"]),
        (("report", "team", "--as-of", AS_OF), ["(nobody)"]),
        (("cases", "list"), ["2026-12-03", "open, escalated"]),
        (("report", "lifecycle", "--as-of", AS_OF), ["Maximiliane", "expansion"]),
        (("contacts", "show", "1"), ["2026-12-03", "Thank-you call", "3,746.00 EUR"]),
        (("users", "list"), ["sam@x.example", "admin"]),
    ],
)
def test_reports_at_80_columns_keep_their_figures_whole(
    cli: Invoke, reported: None, terminal: pytest.MonkeyPatch, args: tuple[str, ...],
    whole: list[str],
) -> None:  # fmt: skip
    lines = render(cli, terminal, 80, *args)
    assert lines and all(cell_len(line) <= 80 for line in lines), lines
    cells = {cell.strip() for line in lines for cell in line.replace("┃", "│").split("│")}
    for text in whole:
        assert any(cell.startswith(text) for cell in cells), (text, lines)


def test_a_table_without_a_prose_column_cuts_its_widest_at_80_columns(
    cli: Invoke, reported: None, terminal: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The import's report names no prose column: its long reasons are cut, not the result
    and the line number."""
    again = tmp_path / "again.csv"
    again.write_text("name,email\nMaximiliane O.,max@x.example\n", encoding="utf-8")
    lines = render(cli, terminal, 80, "contacts", "import", str(again), "--dry-run")
    assert all(cell_len(line) <= 80 for line in lines), lines
    row = next(line for line in lines if "line 2" in line)
    assert row.startswith("skipped │ line 2 │ Maximiliane O. │ same email"), lines
