"""The follow-up queue as one table: overdue, today and upcoming sections, a row per item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from tinycrm.tui.context import crm
from tinycrm.tui.safe import safe
from tinycrm.tui.widgets.fit import fit_columns
from tinycrm.vocabulary import FollowUpKind
from tinycrm.wording import due_text, more_text, total_text

if TYPE_CHECKING:
    from tinycrm.services.followups import (
        Queue,
        QueueItem,
    )

# A one-cell symbol and a word for each kind, so the list reads without colour too.
KIND_LABELS: dict[FollowUpKind, tuple[str, str]] = {
    FollowUpKind.THANK_YOU: ("♥", "thank-you"),
    FollowUpKind.CHECK_IN: ("☎", "check-in"),
    FollowUpKind.BIRTHDAY: ("✱", "birthday"),
    FollowUpKind.ANNIVERSARY: ("◆", "anniversary"),
    FollowUpKind.SATISFACTION_CHECK: ("☺", "satisfaction"),
    FollowUpKind.REORDER: ("↺", "reorder"),
    FollowUpKind.RECOVERY: ("⚑", "recovery"),
    FollowUpKind.CASE: ("!", "case"),
    FollowUpKind.PASS_ON: ("→", "pass-on"),
    FollowUpKind.CUSTOM: ("•", "to do"),
}

SECTION_ROWS = 50  # rows drawn per section unless asked for more; the rest is counted
WIDTHS = {"kind": 14, "customer": 20, "why": 20, "when": 10}  # "why" also takes the spare width
OWNER_WIDTH = 14  # the Owner column, shown with everyone's rows


def kind_label(kind: FollowUpKind) -> Text:
    symbol, word = KIND_LABELS.get(kind, ("•", str(kind)))
    return Text.assemble((symbol, "bold"), " ", word)


ALERT = "bold red"  # late; under NO_COLOR the app gives "bold reverse" (CrmApp.alert_style)


def lateness(item: QueueItem, alert: str = ALERT) -> Text:
    style = alert if item.days_late > 0 else "bold" if item.days_late == 0 else "dim"
    return Text(due_text(item.days_late, compact=True), style=style)


class QueueTable(DataTable[Text]):
    """Rows keyed by queue handle; section headings are rows keyed `section:<name>`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.items: dict[str, QueueItem] = {}
        self.follow: str | None = None  # the handle the cursor goes to on the next `show`

    def on_mount(self) -> None:
        for key, label in (("kind", "Kind"), ("customer", "Customer"), ("why", "Why"),
                           ("when", "When")):  # fmt: skip
            self.add_column(label, width=WIDTHS[key], key=key)
        self.on_resize()

    def on_resize(self) -> None:
        fit_columns(self, self.widths, {"why": 1.0})

    @property
    def widths(self) -> dict[str, int]:
        return {**WIDTHS, "owner": OWNER_WIDTH} if self.owners else WIDTHS

    @property
    def owners(self) -> bool:
        return ColumnKey("owner") in self.columns

    def show(
        self,
        queue: Queue,
        limits: dict[str, int] | None = None,
        *,
        owners: bool = False,
    ) -> None:
        """Replace the rows, keeping the cursor on the same item (or the same place).
        `limits`: rows drawn per section (default SECTION_ROWS); `owners`: an Owner column."""
        previous = self.follow or self.current_handle
        self.follow = None
        previous_row = self.cursor_row
        self.clear()
        if owners != self.owners:
            if owners:
                self.add_column("Owner", width=OWNER_WIDTH, key="owner")
            else:
                self.remove_column(ColumnKey("owner"))
            self.on_resize()
        self.items = {}
        for name, title, items, total in (
            ("overdue", "Overdue", queue.overdue, queue.overdue_total),
            ("today", "Today", queue.today, queue.today_total),
            ("upcoming", "Upcoming", queue.upcoming, queue.upcoming_total),
        ):
            shown = (limits or {}).get(name, SECTION_ROWS)
            self._add_section(name, title, items, max(total, len(items)), shown)
        self._restore(previous, previous_row)

    def _add_section(
        self, name: str, title: str, items: Sequence[QueueItem], total: int, shown: int
    ) -> None:
        """A heading with the section's total, its first `shown` rows, and "… N more"."""
        blank = [Text("")] if self.owners else []
        heading = Text.assemble((f"{title} ", "bold"), (f"({total_text(total)})", "dim"))
        self.add_row(heading, Text(""), Text(""), Text(""), *blank, key=f"section:{name}")
        if not items:
            self.add_row(Text(""), Text("nothing", style="dim"), Text(""), Text(""), *blank,
                         key=f"empty:{name}")  # fmt: skip
        for item in items[:shown]:
            self.items[item.handle] = item
            self.add_row(*self._cells(item), key=item.handle)
        drawn = min(len(items), shown)
        if total > drawn:
            more = f"… {more_text(total, drawn)} (enter: show more)"
            self.add_row(Text(""), Text(more, style="dim"), Text(""), Text(""), *blank,
                         key=f"more:{name}")  # fmt: skip

    def _cells(self, item: QueueItem) -> list[Text]:
        """Kind, customer, why (title, ↻ if recurring, detail), when, and the owner if shown."""
        why = safe(item.title)
        if item.recurring:
            why.append(" ↻", style="dim")
        if item.detail:
            why.append(" · ")
            why.append_text(safe(item.detail, "dim"))
        why.no_wrap, why.overflow = True, "ellipsis"  # cut with … when the column is narrow
        who = safe(item.contact_name, "bold")
        who.no_wrap, who.overflow = True, "ellipsis"
        cells = [kind_label(item.kind), who, why, lateness(item, crm(self).alert_style)]
        if self.owners:
            cells.append(safe(item.owner) if item.owner else Text("unassigned", style="dim"))
        return cells

    def _restore(self, handle: str | None, row: int) -> None:
        if handle is not None and handle in self.items:
            self.move_cursor(row=self.get_row_index(handle), animate=False)
            return
        target = min(max(row, 0), self.row_count - 1)
        # land on an item, not a heading: the next one down, else the last one above
        order = [str(row_key.value) for row_key in self.rows]
        below = [i for i in range(target, len(order)) if order[i] in self.items]
        above = [i for i in range(0, target) if order[i] in self.items]
        if below or above:
            self.move_cursor(row=(below or above[::-1])[0], animate=False)

    def handle_below(self, handle: str) -> str | None:
        """The item after `handle` in the table (else the one before): where the cursor goes
        when `handle` leaves."""
        order = [str(key.value) for key in self.rows if str(key.value) in self.items]
        if handle not in order:
            return None
        at = order.index(handle)
        rest = order[at + 1 :] or order[:at][::-1]
        return rest[0] if rest else None

    @property
    def current_handle(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return key if key in self.items else None

    @property
    def current_more(self) -> str | None:
        """The section whose "… N more" row the cursor is on."""
        if not self.row_count:
            return None
        key = str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        return key.removeprefix("more:") if key.startswith("more:") else None

    @property
    def current_item(self) -> QueueItem | None:
        handle = self.current_handle
        return self.items.get(handle) if handle else None
