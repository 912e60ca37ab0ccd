"""The help screen: the one key map (tui/keys.py), scrolled with the arrow and page keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# tinycrm keys

A key means the same on every screen. `↑`/`↓`, `PgUp`/`PgDn`, `Home`/`End` scroll this help.

## Everywhere
`F1`/`?` this help · `F2` the queue · `F3` the customer list · `/` search customers ·
`a` add a contact · `p` pass on news to everyone with a tag · `ctrl+p` command palette
(every action is there) · `F5` refresh · `q` quit · `esc` back / close

## The selected customer (a queue row, a customer row, the card)
`enter`/`o` open the card · `e` edit · `n` note · `c` log a call (with minutes) ·
`f` add a follow-up · `$` record a sale · `*` record a satisfaction score ·
`k` open a case · `K` escalate a case · `R` resolve a case · `C` their company's card

## Queue (the start screen)
`d` done · `D` done with a note (a satisfaction check also takes the score) ·
`s` snooze (a date or `+3d`, `monday`) · `x` skip · `u` undo the last done or skip ·
`enter` on "… N more" shows more · `v` your follow-ups / everyone's (with their owner)

## Customers
`/` search (names, emails, phones, notes; the Match column says why a row matched) ·
`t` filters (tag, stage, type) · `esc` clear the search.
In the search box, `enter` searches and `enter` again opens.

## Customer card
`m` older notes · `h` history (who changed what, and when) · `esc`/`backspace` back

## Forms
`tab`/`shift+tab` move between fields · `enter` or `ctrl+s` save · `esc` cancel.
Dates: `2026-12-01`, `today`, `tomorrow`, `friday`, `+3d`, `+2w`, `in 3 days`, `dec 24`.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help", VerticalScroll)
        if direction == "down":
            box.scroll_down()
        else:
            box.scroll_up()

    def action_close(self) -> None:
        self.dismiss(None)
