"""The start screen: the follow-up queue (overdue, today, upcoming), worked from the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tinycrm.errors import CrmError
from tinycrm.store import Store
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.widgets.queue_table import QueueTable
from tinycrm.wording import plural

if TYPE_CHECKING:
    from tinycrm.services.followups import (
        QueueItem,
    )

PAGE = 30  # overdue and upcoming rows read and drawn at first (about a screenful); enter on
# "… N more" reads PAGE_MORE more
PAGE_MORE = 200


def warm_up() -> None:
    """Import the customer card while the user reads the queue: the first `enter` then costs
    only reading the customer and drawing the card."""
    import tinycrm.tui.screens.customer  # noqa: F401


class QueueScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done", "Done"),
        Binding("D", "done_with_note", "Done+note"),
        Binding("s", "snooze", "Snooze"),
        Binding("x", "skip", "Skip"),
        Binding("c", "log_call", "Log call"),
        Binding("n", "note", "Note", show=False),
        Binding("a", "add_follow_up", "Add", show=False),
        Binding("dollar_sign", "sale", "Sale", show=False),
        Binding("asterisk", "score", "Score", show=False),
        Binding("enter,o", "open", "Open"),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="queue-summary")
        yield QueueTable(id="queue")
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # the queue has been read and drawn at least once
        self._read = -1  # the app's write generation when the queue was last read
        self.limits = {"overdue": PAGE, "today": PAGE, "upcoming": PAGE}

    def on_mount(self) -> None:
        self.sub_title = "Follow-ups"

    def on_screen_resume(self) -> None:
        # first display, and every return from a form or a card after something was written
        if not self.loaded or self._read != crm(self).generation:
            self.reload()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def reload(self) -> None:
        """Read the queue again (the first page of each section) and redraw it in place."""
        from tinycrm.services.followups import build_queue

        app = crm(self)
        window = app.settings.upcoming_days
        try:
            queue = build_queue(
                app.store,
                app.today,
                days=window,
                settings=app.settings,
                overdue_limit=self.limits["overdue"],
                upcoming_limit=self.limits["upcoming"],
            )
        except CrmError as exc:
            self.notify(str(exc), severity="error")
            return
        self._read = app.generation
        self.table.show(queue, app.today, self.limits)
        summary = Text.assemble(
            (app.today.strftime("%A %d %B %Y"), "bold"),
            "  ",
            (f"{queue.overdue_total} overdue", "red" if queue.overdue_total else "dim"),
            " · ",
            f"{queue.today_total} today",
            " · ",
            (
                f"{queue.upcoming_total} in the next {plural(app.settings.upcoming_days, 'day')}",
                "dim",
            ),
        )
        self.query_one("#queue-summary", Static).update(summary)
        self.table.focus()
        if not self.loaded:
            self.loaded = True
            self.set_timer(0.3, warm_up)

    def action_reload(self) -> None:
        self.reload()

    def _item_or_hint(self) -> QueueItem | None:
        item = self.table.current_item
        if item is None:
            self.notify("Move to a follow-up first (↑/↓)", severity="warning")
        return item

    # -- actions -----------------------------------------------------------------------------
    def action_done(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            self._change(item.handle, "done", f"Done: {item.title}")

    def action_skip(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            self._change(item.handle, "skip", f"Skipped: {item.title}")

    @work(group="queue-write")
    async def _change(self, handle: str, what: str, message: str) -> None:
        from tinycrm.services import followups

        app = crm(self)
        today, settings = app.today, app.settings

        def change(store: Store) -> None:
            if what == "done":
                followups.complete(store, handle, today, settings=settings)
            else:
                followups.skip(store, handle, today, settings=settings)

        try:
            await app.write(change)
        except CrmError as exc:
            self.notify(str(exc), severity="error")
        else:
            self.notify(message)
        self.reload()

    def action_done_with_note(self) -> None:
        from tinycrm.tui.forms.followup import DoneForm

        item = self._item_or_hint()
        if item is not None:
            self.app.push_screen(DoneForm(item.handle, item.title), self._after("Done"))

    def action_snooze(self) -> None:
        from tinycrm.tui.forms.followup import SnoozeForm

        item = self._item_or_hint()
        if item is not None:
            self.app.push_screen(SnoozeForm(item.handle, item.title), self._after("Snoozed"))

    def action_log_call(self) -> None:
        self._note("call")

    def action_note(self) -> None:
        self._note(None)

    def _note(self, channel: str | None) -> None:
        from tinycrm.tui.forms.note import NoteForm

        item = self._item_or_hint()
        if item is not None:
            form = NoteForm(item.contact_id, item.contact_name, channel)
            self.app.push_screen(form, self._after("Call logged" if channel else "Note added"))

    def action_add_follow_up(self) -> None:
        from tinycrm.tui.forms.followup import FollowUpForm

        item = self._item_or_hint()
        if item is not None:
            form = FollowUpForm(item.contact_id, item.contact_name)
            self.app.push_screen(form, self._after("Follow-up added"))

    def _after(self, message: str) -> Callable[[object], None]:
        def done(result: object) -> None:
            if result is not None:
                self.notify(message)

        return done

    def action_open(self) -> None:
        section = self.table.current_more
        if section is not None:  # "… N more": read the next page of that section
            self.limits[section] += PAGE_MORE
            self.reload()
            return
        item = self._item_or_hint()
        if item is not None:
            crm(self).open_customer(item.contact_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_sale(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            crm(self).record_sale(item.contact_id, item.contact_name, self._after("Sale recorded"))

    def action_score(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            done = self._after("Score recorded")
            crm(self).record_score(item.contact_id, item.contact_name, done)

    def commands(self) -> CommandList:
        return [
            ("Follow-up: done", "Mark the selected follow-up done", self.action_done),
            ("Follow-up: done with a note", "Done, and log what happened",
             self.action_done_with_note),
            ("Follow-up: snooze", "Move the selected follow-up to a later day", self.action_snooze),
            ("Follow-up: skip", "Skip this occurrence", self.action_skip),
            ("Log a call", "Log a call with the selected customer", self.action_log_call),
            ("Add a note", "Add a note about the selected customer", self.action_note),
            ("Add a follow-up", "A new follow-up for the selected customer",
             self.action_add_follow_up),
            ("Record a sale", "A sale for the selected customer", self.action_sale),
            ("Record a satisfaction score", "CSAT 1–5 or NPS 0–10 for the selected customer",
             self.action_score),
            ("Open customer", "Show the selected customer's card", self.action_open),
            ("Refresh queue", "Read the queue again", self.action_reload),
        ]  # fmt: skip
