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


# How docs/tui.md and the help screen write a key Textual names otherwise.
KEY_NAMES = {"question_mark": "?", "slash": "/", "dollar_sign": "$", "asterisk": "*",
             "escape": "esc", "f1": "F1", "f2": "F2", "f3": "F3", "f5": "F5"}  # fmt: skip


def test_every_tui_key_is_in_the_docs_and_the_help_screen() -> None:
    from textual.binding import Binding

    from tinycrm.tui import keys
    from tinycrm.tui.screens.help import HELP

    page = (DOCS / "tui.md").read_text(encoding="utf-8")
    bound = [v.key for v in vars(keys).values() if isinstance(v, Binding)]
    names = {KEY_NAMES.get(key, key) for keys_of in bound for key in keys_of.split(",")}
    assert len(names) > 20
    for name in sorted(names):
        assert f"`{name}`" in page, f"docs/tui.md does not name the key `{name}`"
        assert f"`{name}`" in HELP, f"the help screen does not name the key `{name}`"
