"""The help screen: every key on every screen, and where to find the rest."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# tinycrm keys

**Everywhere**: `F1`/`?` this help · `F2` queue · `F3` customers · `ctrl+p` command palette
(every action is there) · `q` quit · `esc` back / close

## Queue (the start screen)
`↑`/`↓` move · `d` done · `D` done with a note · `s` snooze (a date or `+3d`, `monday`) ·
`x` skip · `c` log a call · `n` note · `a` add a follow-up · `$` record a sale ·
`*` record a satisfaction score · `enter`/`o` open the customer (on "… N more": show more) ·
`r` refresh

## Customers
`/` search (names, emails, phones, notes) · `t` filters (tag, stage, type) · `enter` open ·
`a` add a contact · `e` edit · `n` note · `c` log a call · `s` sale · `r` score ·
`esc` clear the search. In the search box, `enter` searches and `enter` again opens.

## Customer card
`e` edit · `n` note · `c` log a call · `f` add a follow-up · `s` record a sale ·
`r` record a satisfaction score (CSAT 1–5 or NPS 0–10) · `m` older notes · `esc` back

## Forms
`tab`/`shift+tab` move between fields · `enter` or `ctrl+s` save · `esc` cancel.
Dates: `2026-12-01`, `today`, `tomorrow`, `friday`, `+3d`, `+2w`, `in 3 days`, `dec 24`.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)
