"""A customer's history: who changed what and when, and their interactions (`h` on the card),
as `crm history REF` shows it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tinycrm.errors import CrmError
from tinycrm.models.history import HistoryEntry
from tinycrm.services.contacts import get_contact
from tinycrm.services.history import customer_history, describe
from tinycrm.tui import keys
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.safe import safe


def history_lines(entries: list[HistoryEntry]) -> Text:
    """Newest first: when, who (through which front end), what."""
    if not entries:
        return Text("nothing recorded yet", style="dim")
    text = Text()
    for entry in reversed(entries):
        when = f"{entry.at.astimezone():%Y-%m-%d %H:%M}" if entry.source else entry.at.date()
        text.append(f"{when!s:<16}  ", style="dim")
        text.append_text(safe(f"{entry.user or '—':<12}", "bold"))
        text.append(f" {entry.source or '':<6} ", style="cyan")
        text.append_text(safe(describe(entry.change)))
        text.append("\n")
    text.rstrip()
    return text


class HistoryScreen(Screen[None]):
    """One customer's history, opened from their card."""

    BINDINGS: ClassVar[list[BindingType]] = [keys.BACK, keys.REFRESH]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="history"):
            yield Static("", id="history-name")
            yield Static("", id="history-lines")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = crm(self)
        try:
            contact = get_contact(app.store, self.contact_id)
            entries = customer_history(app.store, self.contact_id)
        except CrmError as exc:  # forgotten meanwhile
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self.sub_title = f"History of {contact.name}"
        name = safe(contact.name, "bold")
        name.append("  who changed what, newest first", style="dim")
        self.query_one("#history-name", Static).update(name)
        self.query_one("#history-lines", Static).update(history_lines(entries))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def show_changes(self) -> None:
        self.reload()

    def commands(self) -> CommandList:
        return [("Back", "Return to the customer's card", self.action_back)]
