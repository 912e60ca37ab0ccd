"""User text made safe for widgets: never markup, never a control character."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from tinycrm.textsafe import visible


def safe(value: object, style: str = "") -> Text:
    """`value` as literal text on one line: `[/]` stays `[/]`, ESC shows as ␛."""
    if value is None:
        return Text("")
    return Text(visible(str(value), one_line=True), style=style)


def block(value: str, style: str = "") -> Text:
    """Multi-line user text (a note body), literal, control characters made visible."""
    return Text(visible(value), style=style)


def when(day: date | None, today: date) -> str:
    """A date as a person reads it relative to today: 'today', 'tomorrow', '3d ago', ISO."""
    if day is None:
        return ""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if -7 < delta < 0:
        return f"{-delta}d ago"
    if 0 < delta < 7:
        return f"in {delta}d"
    return day.isoformat()
