"""Printing results: Rich tables on a terminal, tab-separated text in a pipe, or JSON.

User text is always wrapped in `rich.text.Text` (never parsed as markup) and passed through
`textsafe.visible` so no control character reaches the terminal. Rich is imported only when
stdout is a terminal, which keeps scripted use fast.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tinycrm.textsafe import json_safe, visible

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def print_json(data: Any) -> None:
    """JSON with stable keys; C1 controls escaped too (JSON itself only escapes C0)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(json_safe(text) + "\n")


def print_json_list(items: Iterable[Any]) -> None:
    """print_json of a list, the same text, written an item at a time."""
    sys.stdout.write("[")
    separator = "\n"
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write(separator + json_safe("  " + text.replace("\n", "\n  ")))
        separator = ",\n"
    sys.stdout.write("]\n" if separator == "\n" else "\n]\n")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return visible(str(value), one_line=True)


@dataclass(frozen=True)
class Column:
    """A table column and how it behaves on a narrow terminal. Columns never wrap: a
    `prose` column (a title, a note; in a table that names none, the widest) takes the width
    the others leave and is cut with "…";
    when even that does not fit, columns with a `narrow_rank` give way, lowest rank first,
    shown as `icons` if given, else dropped. `max_width` caps a short-text column (a name),
    which becomes prose when nothing else is left to give way."""

    name: str
    prose: bool = False
    max_width: int | None = None
    narrow_rank: int = 0
    icons: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Section:
    """One part of a list shown under a heading on a terminal, and as the `section` column
    of one table in a pipe (so a pipe gets one header line and one record per line)."""

    name: str
    heading: str
    rows: Sequence[Sequence[object]]
    empty: str = "nothing to show"
    footer: str | None = None


SEPARATOR_WIDTH = 3  # " │ " between two columns (no outer edge or padding)
MIN_PROSE_WIDTH = 24  # below this a title says too little: narrower columns give way first


def _columns(columns: Sequence[str | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def _write_tsv(columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> None:
    sys.stdout.write("\t".join(c.name.lower().replace(" ", "_") for c in columns) + "\n")
    sys.stdout.writelines("\t".join(row) + "\n" for row in rows)


def print_table(
    columns: Sequence[str | Column],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
    footer: str | None = None,
) -> None:
    """A table for people on a terminal, tab-separated lines (with a header) in a pipe."""
    specs = _columns(columns)
    cells = ([_cell(v) for v in row] for row in rows)
    if not is_terminal():  # written as the rows come
        first = next(cells, None)
        if first is not None:
            _write_tsv(specs, itertools.chain([first], cells))
        else:
            print_notice(empty)
        if footer:
            print_notice(footer)
        return
    shown, laid_out, widths = _layout(specs, list(cells), console().width)
    _print_rich_table(shown, widths, laid_out, title=title, empty=empty, footer=footer)


def print_sections(columns: Sequence[str | Column], sections: Sequence[Section]) -> None:
    """Several lists with the same columns: a heading and a table each on a terminal (all laid
    out alike), one table with a trailing `section` column in a pipe ("… and N more" notes go
    to stderr)."""
    specs = _columns(columns)
    if not is_terminal():
        tagged = [[*(_cell(v) for v in row), s.name] for s in sections for row in s.rows]
        if tagged:
            _write_tsv([*specs, Column("section")], tagged)
        for section in sections:
            if section.footer:
                print_notice(section.footer)
        return
    rows = [[_cell(v) for v in row] for section in sections for row in section.rows]
    shown, cells, widths = _layout(specs, rows, console().width)
    for section in sections:
        print_heading(section.heading)
        part, cells = cells[: len(section.rows)], cells[len(section.rows) :]
        _print_rich_table(shown, widths, part, empty=section.empty, footer=section.footer)


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _layout(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], room: int
) -> tuple[list[Column], list[list[str]], list[int]]:
    """The columns that fit in `room` cells, their cells, and each column's width."""
    shown = list(columns)
    cells = [list(row) for row in rows]
    whole = _natural_widths(shown, cells, capped=False)
    if sum(whole) + SEPARATOR_WIDTH * (len(shown) - 1) <= room:
        return shown, cells, whole
    for rank in sorted({c.narrow_rank for c in columns if c.narrow_rank}):
        if _fits(shown, cells, room):
            break
        for index in reversed(range(len(shown))):
            column = shown[index]
            if column.narrow_rank != rank:
                continue
            if column.icons is None:
                del shown[index]
                for row in cells:
                    del row[index]
            else:
                shown[index] = replace(column, narrow_rank=0, icons=None)
                for row in cells:
                    row[index] = column.icons.get(row[index], row[index])
    if not any(c.prose for c in shown) and not _fits(shown, cells, room):
        # A table that names no prose column: its widest column is its text (a reason, a why).
        natural = _natural_widths(shown, cells)
        widest = natural.index(max(natural))
        shown[widest] = replace(shown[widest], prose=True)
    if not _fits(shown, cells, room):
        # Last resort: names and other short text share the room with the prose.
        shown = [replace(c, prose=True) if c.max_width else c for c in shown]
    natural = _natural_widths(shown, cells)
    rigid = sum(w for c, w in zip(shown, natural, strict=True) if not c.prose)
    spare = room - rigid - SEPARATOR_WIDTH * (len(shown) - 1)
    widths = dict(enumerate(natural))
    prose = sorted((i for i, c in enumerate(shown) if c.prose), key=lambda i: natural[i])
    for left, index in zip(range(len(prose), 0, -1), prose, strict=True):
        widths[index] = max(1, min(natural[index], spare // left))
        spare -= widths[index]
    return shown, cells, [widths[i] for i in range(len(shown))]


def _natural_widths(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], *, capped: bool = True
) -> list[int]:
    widths = [
        max([_width(c.name), *(_width(row[i]) for row in rows)]) for i, c in enumerate(columns)
    ]
    if not capped:
        return widths
    return [min(w, c.max_width or w) for c, w in zip(columns, widths, strict=True)]


def _fits(columns: Sequence[Column], rows: Sequence[Sequence[str]], room: int) -> bool:
    natural = _natural_widths(columns, rows)
    needed = sum(
        min(w, MIN_PROSE_WIDTH) if c.prose else w for c, w in zip(columns, natural, strict=True)
    )
    return needed + SEPARATOR_WIDTH * (len(columns) - 1) <= room


def _print_rich_table(
    columns: Sequence[Column],
    widths: Sequence[int],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    empty: str,
    footer: str | None,
) -> None:
    from rich.table import Table
    from rich.text import Text

    if not rows:
        console().print(Text(empty, style="dim"))
        return
    table = Table(title=title, header_style="bold", show_edge=False, pad_edge=False)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(column.name, width=width, no_wrap=True, overflow="ellipsis")
    for row in rows:
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


_console: Console | None = None


def console() -> Console:
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
