"""Hostile names, companies, notes, products, case titles and comments show literally on every
output path (tables, JSON, digest text/Markdown/HTML), with no raw ESC or C1 reaching a terminal."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from conftest import Invoke
from test_output_safety import HOSTILE, SGR, assert_safe
from tinycrm.cli import output
from tinycrm.services.cases import open_case
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.services.sales import add_sale
from tinycrm.services.satisfaction import add_score
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
EXTRA = ['=HYPERLINK("http://e.x")', "[bold]textual[/bold]", "$(rm -rf /)"]
TEXTS = [*HOSTILE, *EXTRA]
AS_OF = ("--as-of", TODAY.isoformat())


@pytest.fixture
def seeded(store: Store) -> None:
    for i, text in enumerate(TEXTS):
        contact = add_contact(
            store,
            ContactFields(
                name=f"Zed{i} {text}",
                company=f"Co {text}",
                tags=["t"],
                birthday="--11-27",
                relationship_type="dedicated",
            ),
            TODAY,
        )
        ref = str(contact.id)
        add_note(store, ref, f"said {text}", TODAY, "call")
        add_follow_up(store, ref, f"todo {text}", TODAY, TODAY)
        add_sale(
            store,
            ref,
            "10.00",
            sold_on=TODAY,
            today=TODAY,
            currency="EUR",
            products=[f"prod {text}"],
        )
        add_score(store, ref, "1", on=TODAY, today=TODAY, comment=f"meh {text}")
        open_case(store, ref, f"case {text}", today=TODAY)


COMMANDS = [
    ("contacts", "list"),
    ("contacts", "search", "zed"),
    ("contacts", "show", "1"),
    ("contacts", "show", "4"),
    ("notes", "list"),
    ("follow-ups", "today", *AS_OF),
    ("follow-ups", "upcoming", *AS_OF),
    ("follow-ups", "list"),
    ("sales", "list"),
    ("cases", "list"),
    ("satisfaction", "history", "4", *AS_OF),
    ("report", "at-risk", *AS_OF),
    ("report", "top", *AS_OF),
    ("report", "lifecycle", *AS_OF),
    ("report", "satisfaction", *AS_OF),
    ("digest", *AS_OF),
    ("digest", "--format", "markdown", *AS_OF),
]


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:3]) for a in COMMANDS])
def test_every_view_is_safe(
    cli: Invoke,
    seeded: None,
    args: tuple[str, ...],
    terminal: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if terminal:
        monkeypatch.setattr(output, "is_terminal", lambda: True)
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.setenv("COLUMNS", "300")
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert_safe(result.stdout, styled_ok=terminal)
    assert_safe(result.stderr, styled_ok=False)
    plain = SGR.sub("", result.stdout)
    if "markdown" in args:
        plain = plain.replace("\\", "")  # Markdown escapes [ ] ( ) so they render literally
    assert "␛[2J" in plain or "Zed3" not in plain  # ESC shown as a visible stand-in
    if "Zed0" in plain:
        assert "Zed0 [/]" in plain


@pytest.mark.parametrize(
    "args",
    [a for a in COMMANDS if a[0] != "digest" or "--format" not in a],
    ids=lambda a: " ".join(a[:3]),
)
def test_json_carries_the_exact_text(cli: Invoke, seeded: None, args: tuple[str, ...]) -> None:
    extra = ("--format", "json") if args[0] == "digest" else ("--json",)
    result = cli(*args, *extra)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and not re.search("[\x80-\x9f]", result.stdout)
    data = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    assert "\x1b" in data or "\\u001b" in data or "Zed3" not in data


def test_digest_html_escapes_markup(cli: Invoke, seeded: None) -> None:
    result = cli("digest", "--format", "html", *AS_OF)
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "\x1b" not in html and not re.search("[\x80-\x9f]", html)
