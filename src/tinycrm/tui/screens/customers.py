"""The customer list: incremental full-text search, filters by tag, stage and type, paged rows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from tinycrm.errors import CrmError
from tinycrm.models.contacts import Contact
from tinycrm.services.contacts import (
    count_contacts,
    get_contact,
    list_contacts,
    search_contacts,
)
from tinycrm.store.contacts import ContactFilter
from tinycrm.tui import keys
from tinycrm.tui.actions import CustomerActions
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.safe import safe
from tinycrm.tui.widgets.contact_table import ContactTable
from tinycrm.vocabulary import RelationshipType, Stage
from tinycrm.wording import NARROW_HINT, matches_text

SEARCH_DELAY = 0.15  # seconds of quiet typing before searching
SEARCH_LIMIT = 100


def around(snippet: str, query: str) -> str:
    """The snippet from the first searched word on, so that a narrow column shows it."""
    lowered = snippet.casefold()
    found = [i for w in query.split() if (i := lowered.find(w.casefold().strip('"*'))) > 0]
    if not found:
        return snippet
    start = snippet.rfind(" ", 0, min(found) + 1) + 1
    return "…" + snippet[start:] if start > 0 else snippet


class CustomersScreen(CustomerActions):
    BINDINGS: ClassVar[list[BindingType]] = [
        keys.OPEN,
        *keys.CUSTOMER_KEYS,
        keys.FILTER,
        keys.CLEAR,
        keys.REFRESH,
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._submitted: str | None = None  # the search text Enter was last pressed on

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ Search names, emails, phones, notes…", id="search", compact=True)
        with Horizontal(id="filters"):
            yield Input(placeholder="tag (t)", id="tag", compact=True)
            yield Select(
                [(s.value, s.value) for s in Stage], prompt="any stage", id="stage", compact=True
            )
            yield Select(
                [(t.value, t.value) for t in RelationshipType],
                prompt="any type",
                id="type",
                compact=True,
            )
        yield Static("", id="customers-status")
        yield ContactTable(id="contacts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Customers"
        self.refresh_list()
        self.table.focus()

    def on_screen_resume(self) -> None:
        if self.table.row_count:
            self.refresh_list(keep_cursor=True)

    @property
    def table(self) -> ContactTable:
        return self.query_one(ContactTable)

    def _filter(self) -> ContactFilter:
        tag = self.query_one("#tag", Input).value.strip() or None
        stage = self.query_one("#stage", Select).value
        kind = self.query_one("#type", Select).value
        return ContactFilter(
            tag=tag,
            stage=None if stage is Select.NULL else str(stage),
            relationship_type=None if kind is Select.NULL else str(kind),
        )

    def refresh_list(self, keep_cursor: bool = False) -> None:
        """Read the list again; `keep_cursor`: on the same contact (else the same row)."""
        table = self.table
        place = (table.current_id, table.cursor_row, table.row_count) if keep_cursor else None
        store = crm(self).store
        status = self.query_one("#customers-status", Static)
        text = self.query_one("#search", Input).value.strip()
        try:
            if text:
                found = search_contacts(store, text, limit=SEARCH_LIMIT)
                hits = found.results
                self.table.show_rows(
                    [h.contact for h in hits], [around(h.snippet, text) for h in hits]
                )
                count = f"{matches_text(len(hits), found.total)} matching {text!r} (all contacts)"
                status.update(safe(count if found.ranked else f"{count}, {NARROW_HINT}"))
            else:
                where = self._filter()
                total = count_contacts(store, where)

                def page(offset: int, limit: int) -> list[Contact]:
                    from dataclasses import replace

                    return list_contacts(store, replace(where, limit=limit, offset=offset))

                self.table.show(page)
                status.update(safe(f"{total:,} contacts"))
        except CrmError as exc:
            self.table.show_rows([])
            status.update(safe(str(exc), "red"))
            return
        if place is not None:
            table.put_cursor(*place)

    # -- typing ------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self._submitted = None
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self.refresh_list)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter searches and moves to the list; Enter again opens the highlighted customer.

        Focus moves after the key is handled, so a second Enter typed quickly (or sent in
        one go by tmux or a paste) still reaches the search box: it must open, not search
        again."""
        if self._timer is not None:
            self._timer.stop()
        if event.input.id == "search" and self._submitted == event.value:
            self.table.focus()
            self.action_open()
            return
        self.refresh_list()
        self.table.focus()
        if event.input.id == "search":
            self._submitted = event.value

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refresh_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # -- actions -----------------------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#tag", Input).focus()

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
            self.refresh_list()
        self.table.focus()

    def action_open(self) -> None:
        contact_id = self.table.current_id
        if contact_id is not None:
            crm(self).open_customer(contact_id)

    def action_reload(self) -> None:
        self.refresh_list(keep_cursor=True)

    def show_changes(self) -> None:
        self.refresh_list(keep_cursor=True)

    def selected_customer(self) -> tuple[int, str] | None:
        contact_id = self.table.current_id
        if contact_id is None:
            self.notify("No customer selected", severity="warning")
            return None
        return contact_id, get_contact(crm(self).store, contact_id).name

    def commands(self) -> CommandList:
        return [
            ("Search customers", "Full-text search over contacts and notes",
             self.action_focus_search),
            ("Filter customers", "By tag, lifecycle stage, relationship type",
             self.action_focus_filters),
            ("Open customer", "Show the selected customer's card", self.action_open),
            *self.customer_commands(),
        ]  # fmt: skip
