"""The contact list: a DataTable filled a page at a time as the cursor nears the end.

100,000 contacts are never loaded at once: the first page appears at once, and the next one is
fetched when the cursor comes within a screenful of the last loaded row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from tinycrm.models.contacts import Contact
from tinycrm.tui.safe import safe
from tinycrm.tui.widgets.fit import fit_columns

PAGE = 200
WIDTHS = {"name": 20, "company": 11, "email": 16, "stage": 11, "tags": 9}  # at 80 columns
GROW = {"name": 0.2, "company": 0.2, "email": 0.25, "tags": 0.35}  # shares of a wider terminal
# Search results: the words around the match say why a row is there, so they get the room.
SEARCH_WIDTHS = {"name": 18, "company": 8, "email": 12, "stage": 11, "tags": 18}
SEARCH_GROW = {"name": 0.2, "company": 0.1, "email": 0.2, "tags": 0.5}

Loader = Callable[[int, int], Sequence[Contact]]


class ContactTable(DataTable[Text]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._loader: Loader | None = None
        self._offset = 0
        self.exhausted = True
        self._searching = False

    def on_mount(self) -> None:
        for key, label in (("name", "Name"), ("company", "Company"), ("email", "Email"),
                           ("stage", "Stage"), ("tags", "Tags")):  # fmt: skip
            self.add_column(label, width=WIDTHS[key], key=key)
        self.on_resize()

    def on_resize(self) -> None:
        if self._searching:
            fit_columns(self, SEARCH_WIDTHS, SEARCH_GROW)
        else:
            fit_columns(self, WIDTHS, GROW)

    def show(self, loader: Loader) -> None:
        """Start over with a new source of rows: `loader(offset, limit)`."""
        self.clear()
        self._label_last("Tags")
        self._loader = loader
        self._offset = 0
        self.exhausted = False
        self.load_page()

    def show_rows(self, contacts: Sequence[Contact], matches: Sequence[str] = ()) -> None:
        """Show a fixed list (search results): nothing more to page in. `matches`: why each
        row matched (the words around the match), shown in place of the tags."""
        self.clear()
        self._loader = None
        self.exhausted = True
        self._label_last("Match" if matches else "Tags")
        self._add(contacts, matches)

    def _label_last(self, label: str) -> None:
        self._searching = label == "Match"
        self.on_resize()
        column = self.columns.get(ColumnKey("tags"))
        if column is not None and str(column.label) != label:
            column.label = Text(label)
            self.refresh()

    def load_page(self) -> None:
        if self.exhausted or self._loader is None:
            return
        rows = self._loader(self._offset, PAGE)
        self._offset += len(rows)
        self.exhausted = len(rows) < PAGE
        self._add(rows)

    def _add(self, contacts: Sequence[Contact], matches: Sequence[str] = ()) -> None:
        for i, c in enumerate(contacts):
            last = safe(matches[i], "italic") if i < len(matches) else safe(", ".join(c.tags))
            cells = [
                safe(c.name, "bold" if not c.archived else "dim"),
                safe(c.company),
                safe(c.emails[0] if c.emails else ""),
                safe(c.stage.value if c.stage else ""),
                last,
            ]
            for cell in cells:  # a cut value says so: "mail.exampl" would read as an address
                cell.no_wrap, cell.overflow = True, "ellipsis"
            self.add_row(*cells, key=str(c.id))

    def put_cursor(self, contact_id: int | None, row: int, loaded: int) -> None:
        """After showing the rows again: page in as many as were loaded before, then put the
        cursor back on `contact_id` (rows added or removed above move it), else on `row`."""
        while self.row_count < loaded and not self.exhausted:
            self.load_page()
        if not self.row_count:
            return
        if contact_id is not None and str(contact_id) in self.rows:
            row = self.get_row_index(str(contact_id))
        self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not self.exhausted and event.cursor_row >= self.row_count - max(self.size.height, 30):
            self.load_page()

    @property
    def current_id(self) -> int | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return int(key) if key else None
