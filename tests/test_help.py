"""`--help` as a user reads it (issue 14): text in square brackets is shown, paragraphs are
wrapped to the terminal, the usage line is the one docs/cli.md shows, no escape sequences,
and a mistyped command gets a suggestion at every level."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from conftest import Invoke, in_a_terminal
from tinycrm.cli.app import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command and group below `crm`, with its path of names."""
    root = typer.main.get_command(app)
    ctx = root.make_context("crm", [], resilient_parsing=True)

    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name in getattr(command, "list_commands", lambda _: [])(ctx):
            yield from walk(command.get_command(ctx, name), [*path, name])

    yield from walk(root, [])


ALL = list(commands())


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "crm")
def test_every_bracketed_word_in_help_is_shown_and_usage_is_the_documented_one(
    cli: Invoke, path: list[str]
) -> None:
    command = dict((tuple(p), c) for p, c in ALL)[tuple(path)]
    shown = cli(*path, "--help")
    assert shown.exit_code == 0, shown.stderr
    texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
    for bracketed in re.findall(r"\[[^\]\s]+\]", " ".join(texts)):
        assert bracketed in shown.stdout, f"{bracketed} is missing from crm {' '.join(path)} -h"
    usage = words(shown.stdout.split("\n\n")[0]).removeprefix("Usage: ")
    documented = re.findall(r"```\n(crm[^\n]*)\n```", DOCS.read_text(encoding="utf-8"))
    assert usage in documented


def test_the_brackets_the_issue_found_missing(cli: Invoke) -> None:
    assert "per the config's [smtp] table" in words(cli("digest", "--help").stdout)
    assert "minutes x [costs] hourly" in words(cli("report", "top", "--help").stdout)


def test_usage_names_arguments_as_the_docs_do(cli: Invoke) -> None:
    shown = cli("contacts", "import", "--help").stdout
    assert shown.startswith("Usage: crm contacts import [OPTIONS] FILE\n")
    assert "{" not in shown and "<str>" not in shown
    assert "--on-duplicate TEXT" in shown


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("path", [["digest"], ["contacts", "import"]])
def test_paragraphs_are_wrapped_to_the_width_not_where_the_source_breaks(
    columns: int, path: list[str]
) -> None:
    env = {**os.environ, "COLUMNS": str(columns)}
    command = [sys.executable, "-m", "tinycrm", *path, "--help"]
    shown = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert max(len(line) for line in shown.splitlines()) <= columns
    texts = "\n".join(line.strip(" │") for line in shown.splitlines())
    description = [block.strip() for block in texts.split("\n\n") if block.strip()][1:3]
    for paragraph in description:
        lines = paragraph.splitlines()
        for line, following in itertools.pairwise(lines):
            # A line ends early only when the next word would not have fitted.
            assert len(line) + 1 + len(following.split()[0]) > min(columns, 80) - 6, paragraph


def test_help_in_a_terminal_under_no_color_has_no_escape_sequences() -> None:
    code, shown = in_a_terminal(["digest", "--help"], env={"NO_COLOR": "1"})
    assert code == 0
    assert "Usage: crm digest" in shown
    assert "\x1b" not in shown


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("contacs", "contacts"), ("followups", "follow-ups"), ("satisfction", "satisfaction")],
)
def test_top_level_typos_get_a_suggestion(cli: Invoke, typo: str, meant: str) -> None:
    result = cli(typo)
    assert result.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{meant}'?" in result.stderr


@pytest.mark.parametrize(("typo", "meant"), [("serch", "search"), ("imprt", "import")])
def test_contacts_typos_get_a_suggestion_loaded_or_not(cli: Invoke, typo: str, meant: str) -> None:
    """`import` is loaded only when used (cli/transfer.py), and still suggested."""
    result = cli("contacts", typo)
    assert result.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{meant}'?" in result.stderr


def test_contacts_help_lists_every_command_in_order(cli: Invoke) -> None:
    shown = cli("contacts", "--help").stdout
    names = ["add", "edit", "archive", "list", "search", "assign", "show", "import", "export",
             "sync", "merge", "forget"]  # fmt: skip
    listed = [line.split()[0] for line in shown.split("Commands:", 1)[1].splitlines() if line]
    assert listed == names


def test_digest_takes_json_as_every_command_does(cli: Invoke) -> None:
    cli("demo")
    plain = cli("digest", "--json", "--as-of", "2026-11-26")
    assert plain.exit_code == 0, plain.stderr
    assert json.loads(plain.stdout) == json.loads(
        cli("digest", "--format", "json", "--as-of", "2026-11-26").stdout
    )
    clash = cli("digest", "--json", "--format", "html")
    assert clash.exit_code == 2 and "--json and --format html" in clash.stderr
