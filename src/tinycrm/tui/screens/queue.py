"""The start screen: the follow-up queue (overdue, today, upcoming), worked from the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Footer, Header, Static

from tinycrm.errors import CrmError
from tinycrm.services.followups import build_queue, queue_scope
from tinycrm.store import Store
from tinycrm.tui import keys
from tinycrm.tui.actions import CustomerActions
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.widgets.queue_table import QueueTable
from tinycrm.wording import plural, total_text

if TYPE_CHECKING:
    from tinycrm.services.followups import QueueItem
    from tinycrm.services.followups.undo import Undo

PAGE = 30  # rows of each section read and drawn at first (about a screenful); enter on
# "… N more" reads PAGE_MORE more
PAGE_MORE = 200


def warm_up() -> None:
    """Import the customer card while the user reads the queue: the first `enter` then costs
    only reading the customer and drawing the card."""
    import tinycrm.tui.screens.customer  # noqa: F401


class QueueScreen(CustomerActions):
    BINDINGS: ClassVar[list[BindingType]] = [
        keys.DONE,
        keys.DONE_NOTE,
        keys.SNOOZE,
        keys.SKIP,
        keys.UNDO,
        keys.WHOSE,
        keys.OPEN,
        *keys.CUSTOMER_KEYS,
        keys.REFRESH,
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="queue-summary")
        yield QueueTable(id="queue")
        yield Footer(compact=True)

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # the queue has been read and drawn at least once
        self._read = -1  # the app's write generation when the queue was last read
        self.limits = {"overdue": PAGE, "today": PAGE, "upcoming": PAGE}
        self.last_change: Undo | None = None  # the last done or skip, for `u`
        self.everyone = False  # `v`: everyone's rows, not only mine (when there is a "me")

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
        app = crm(self)
        window = app.settings.upcoming_days
        try:
            scope = queue_scope(
                app.store, everyone=self.everyone, default=app.settings.team_view or "mine"
            )
            queue = build_queue(
                app.store,
                app.today,
                days=window,
                settings=app.settings,
                overdue_limit=self.limits["overdue"],
                today_limit=self.limits["today"],
                upcoming_limit=self.limits["upcoming"],
                scope=scope,
            )
        except CrmError as exc:
            self.notify(str(exc), severity="error")
            return
        self._read = app.generation
        rows = [*queue.overdue, *queue.today, *queue.upcoming]
        self.table.show(queue, self.limits, owners=scope is None and any(i.owner for i in rows))
        alert = app.alert_style
        whose = "Mine" if scope is not None else "Everyone's" if app.store.actor else ""
        summary = Text.assemble(
            (f"{whose} · " if whose else "", "bold"),
            (app.today.strftime("%A %d %B %Y"), "bold"),
            "  ",
            (f"{total_text(queue.overdue_total)} overdue", alert if queue.overdue_total else "dim"),
            " · ",
            f"{total_text(queue.today_total)} today",
            " · ",
            (
                f"{total_text(queue.upcoming_total)} in the next"
                f" {plural(app.settings.upcoming_days, 'day')}",
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

    def action_toggle_whose(self) -> None:
        if crm(self).store.actor is None:
            self.notify("Everyone's follow-ups are shown: the CRM does not know who you are")
            return
        self.everyone = not self.everyone
        self.reload()

    def show_changes(self) -> None:
        if self.loaded:
            self.reload()  # the cursor stays on its row (QueueTable.show)

    def _item_or_hint(self) -> QueueItem | None:
        item = self.table.current_item
        if item is None:
            self.notify("Move to a follow-up first (↑/↓)", severity="warning")
        return item

    def selected_customer(self) -> tuple[int, str] | None:
        item = self._item_or_hint()
        return (item.contact_id, item.contact_name) if item else None

    # -- actions -----------------------------------------------------------------------------
    def action_done(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            self._change(item, "done")

    def action_skip(self) -> None:
        item = self._item_or_hint()
        if item is not None:
            self._change(item, "skip")

    @work(group="queue-write", exclusive=False)
    async def _change(self, item: QueueItem, what: str) -> None:
        from tinycrm.services.followups.undo import close

        app = crm(self)
        today, settings, handle = app.today, app.settings, item.handle

        def change(store: Store) -> Undo:
            return close(store, handle, today, done=what == "done", settings=settings, loaded=item)

        try:
            self.last_change = await app.write(change)
        except CrmError as exc:
            self.notify(str(exc), severity="error")
        else:
            verb = "Done" if what == "done" else "Skipped"
            self.notify(f"{verb}: {item.title} ({item.contact_name}). u: undo")
        self.reload()

    def action_undo(self) -> None:
        if self.last_change is None:
            self.notify("Nothing to undo (u takes back the last done or skip)", severity="warning")
            return
        self._undo(self.last_change)
        self.last_change = None

    @work(group="queue-write", exclusive=False)
    async def _undo(self, change: Undo) -> None:
        from tinycrm.services.followups.undo import undo

        app = crm(self)
        today = app.today
        try:
            item = await app.write(lambda store: undo(store, change, today))
        except CrmError as exc:
            self.notify(str(exc), severity="error")
        else:
            verb = "done" if change.done else "skipped"
            self.notify(f"No longer {verb}: {item.title} ({item.contact_name})")
            self.table.follow = item.handle
        self.reload()

    def action_done_with_note(self) -> None:
        from tinycrm.tui.forms.followup import DoneForm

        item = self._item_or_hint()
        if item is not None:
            self.app.push_screen(DoneForm(item), self.saved("Done"))

    def action_snooze(self) -> None:
        from tinycrm.tui.forms.followup import SnoozeForm

        item = self._item_or_hint()
        if item is None:
            return
        below = self.table.handle_below(item.handle)

        def snoozed(until: object) -> None:
            if until is not None:
                self.notify(f"Snoozed until {until}: {item.title} ({item.contact_name})")
                self.table.follow = below  # the cursor goes on to the next row

        self.app.push_screen(SnoozeForm(item), snoozed)

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

    def commands(self) -> CommandList:
        return [
            ("Follow-up: done", "Mark the selected follow-up done", self.action_done),
            ("Follow-up: done with a note", "Done, and log what happened",
             self.action_done_with_note),
            ("Follow-up: snooze", "Move the selected follow-up to a later day", self.action_snooze),
            ("Follow-up: skip", "Skip this occurrence", self.action_skip),
            ("Follow-up: undo", "Take back the last done or skip", self.action_undo),
            ("Queue: mine / everyone's", "Your follow-ups, or everyone's with their owner",
             self.action_toggle_whose),
            *self.customer_commands(),
            ("Open customer", "Show the selected customer's card", self.action_open),
            ("Refresh queue", "Read the queue again", self.action_reload),
        ]  # fmt: skip
