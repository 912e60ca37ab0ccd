"""Printing results: Rich tables on a terminal, tab-separated text in a pipe, or JSON.

User text is always wrapped in `rich.text.Text` (never parsed as markup) and passed through
`textsafe.visible` so no control character reaches the terminal. Rich is imported only when
stdout is a terminal, which keeps scripted use fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from tinycrm.textsafe import json_safe, visible


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def print_json(data: Any) -> None:
    """JSON with stable keys; C1 controls escaped too (JSON itself only escapes C0)."""
    import json  # ~1.5 ms at start-up: only --json output pays for it

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(json_safe(text) + "\n")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return visible(str(value), one_line=True)


def print_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
    footer: str | None = None,
) -> None:
    """A table for people on a terminal, tab-separated lines (with a header) in a pipe."""
    materialised = [[_cell(v) for v in row] for row in rows]
    if not is_terminal():
        out = sys.stdout
        if materialised:
            out.write("\t".join(c.lower().replace(" ", "_") for c in columns) + "\n")
            out.writelines("\t".join(row) + "\n" for row in materialised)
        else:
            print_notice(empty)
        if footer:
            print_notice(footer)
        return
    from rich.table import Table
    from rich.text import Text

    if not materialised:
        console().print(Text(empty, style="dim"))
        return
    table = Table(title=title, header_style="bold", show_edge=False, pad_edge=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in materialised:
        table.add_row(*(Text(cell) for cell in row))
    console().print(table)
    if footer:
        console().print(Text(footer, style="dim"))


def print_fields(pairs: Sequence[tuple[str, object]], title: str | None = None) -> None:
    """Label: value lines (one record), aligned on a terminal."""
    shown = [(label, _cell(value)) for label, value in pairs if value not in (None, "", [])]
    if not is_terminal():
        if title:
            sys.stdout.write(visible(title, one_line=True) + "\n")
        sys.stdout.writelines(f"{label}: {value}\n" for label, value in shown)
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in shown:
        grid.add_row(Text(label), Text(value))
    if title:
        console().print(Text(visible(title, one_line=True), style="bold underline"))
    console().print(grid)


def print_heading(text: str) -> None:
    if is_terminal():
        from rich.text import Text

        console().print()
        console().print(Text(text, style="bold"))
    else:
        sys.stdout.write(f"\n# {text}\n")


def print_line(text: str) -> None:
    """A line of user-derived text, made safe."""
    sys.stdout.write(visible(text) + "\n")


def print_success(text: str) -> None:
    """A confirmation for people (stdout; scripts use --json)."""
    if is_terminal():
        from rich.text import Text

        console().print(Text("✓ ", style="green") + Text(visible(text, one_line=True)))
    else:
        sys.stdout.write(visible(text, one_line=True) + "\n")


def print_result(data: Any, message: str, *, as_json: bool) -> None:
    """What a command that changes something prints: `data` as JSON for scripts, or a
    one-line confirmation for people."""
    if as_json:
        print_json(data)
    else:
        print_success(message)


def print_notice(text: str) -> None:
    """A remark for the person (e.g. "nothing due"): stderr, so stdout stays data."""
    sys.stderr.write(visible(text, one_line=True) + "\n")


_console: Any = None


def console() -> Any:
    global _console
    if _console is None:
        from rich.console import Console

        # NO_COLOR (https://no-color.org): Rich alone drops colours but keeps bold, dim and
        # underline; with no colour system it writes no escape sequence at all.
        plain = os.environ.get("NO_COLOR", "") != ""
        _console = Console(
            highlight=False, emoji=False, markup=False, color_system=None if plain else "auto"
        )
    return _console


def reset_console() -> None:
    """Forget the cached console (tests swap stdout between invocations)."""
    global _console
    _console = None
