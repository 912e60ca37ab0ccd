"""Typed access to the running CrmApp from a screen or widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from tinycrm.tui.app import CrmApp


def crm(node: DOMNode) -> CrmApp:
    return cast("CrmApp", node.app)


# (title, help, callback): what a screen adds to the command palette
CommandList = list[tuple[str, str, Callable[[], object]]]
