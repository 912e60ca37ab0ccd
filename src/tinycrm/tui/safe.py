"""User text made safe for widgets: never markup, never a control character.

Two layers: `safe()`/`block()` build the `Text` of every widget from user data (literal, control
characters shown as ␛…); `NoControls` is the last net, applied by the app to every line of every
widget (inputs, toasts, the command palette, Textual's own), so that no ESC or C1 byte of the data
can reach the terminal even where text was not built here.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from tinycrm.textsafe import visible, without_controls


def safe(value: object, style: str = "") -> Text:
    """`value` as literal text on one line: `[/]` stays `[/]`, ESC shows as ␛."""
    if value is None:
        return Text("")
    return Text(visible(str(value), one_line=True), style=style)


def block(value: str, style: str = "") -> Text:
    """Multi-line user text (a note body), literal, control characters made visible."""
    return Text(visible(value), style=style)


class NoControls(LineFilter):
    """Removes control characters from what a widget draws (they take no cell, so the
    layout is unchanged)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(text.isprintable() for text, _, _ in segments):
            return segments
        return [
            Segment(without_controls(text), style, control) for text, style, control in segments
        ]
