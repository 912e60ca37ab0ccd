"""Making user text safe to show on a terminal: it is data, never markup or control codes.

Rich and Textual strip only a few C0 codes; ESC, CSI (0x9b) and other C1 codes would reach the
terminal and could clear the screen, set the clipboard (OSC 52) or forge output. Every front end
passes user text through `visible()` before it is printed or put in a widget.
"""

from __future__ import annotations

import re

# C0 (except TAB/LF, which callers flatten where needed), DEL, C1, and bidi overrides that can
# reorder what is displayed.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 block: ␛ for ESC, ␀ for NUL, …
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with control characters replaced by visible stand-ins (ESC → ␛)."""
    if text.isprintable():  # the common case, checked in C: no control or format character
        return text
    cleaned = _UNSAFE.sub(_picture, text)
    if one_line:
        cleaned = cleaned.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return cleaned


def without_controls(text: str) -> str:
    """`text` with every control character removed (they take no cell on a terminal)."""
    return text if text.isprintable() else _UNSAFE.sub("", text)


# JSON escapes C0 itself; DEL, C1 and the JavaScript line separators it leaves raw.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 (CSI 0x9b…) and U+2028/9 written as \\u escapes (same data)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
