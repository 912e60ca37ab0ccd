"""The CLI reference in docs/ is generated from the code and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from tinycrm.cli import docgen

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_cli_reference_is_up_to_date() -> None:
    expected = docgen.render()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is stale: run `make docs`"


def test_cli_reference_covers_every_command() -> None:
    text = docgen.render()
    for command in ("crm contacts add", "crm notes add", "crm db backup", "crm demo"):
        assert f"`{command}`" in text
