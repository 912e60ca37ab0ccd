"""Column widths that follow the terminal: fixed columns stay, the spare width is shared out.

Textual's DataTable sizes columns once (fixed or to their content); a table that should use a
wider terminal, and not cut text off in a narrow column, sets the widths again on resize.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


def fit_columns(table: DataTable[Any], base: dict[str, int], grow: dict[str, float]) -> None:
    """Give each column in `base` its width, plus its `grow` share of the width left over."""
    width = table.size.width or table.app.size.width
    padding = 2 * table.cell_padding * len(base)
    spare = max(0, width - sum(base.values()) - padding - table.styles.scrollbar_size_vertical)
    total = sum(grow.values()) or 1.0
    changed = False
    for name, wanted in base.items():
        column = table.columns.get(ColumnKey(name))
        new = wanted + int(spare * grow.get(name, 0.0) / total)
        if column is not None and column.width != new:
            column.width = new
            changed = True
    if changed:
        # DataTable has no public "resize a column": drop its render caches, re-measure
        table._clear_caches()
        table._require_update_dimensions = True
        table.refresh(layout=True)
