"""Snapshots of the screens on a fixed data set and date (pytest-textual-snapshot).

Update after an intended change with `pytest tests/tui --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tinycrm.tui.app import CrmApp


async def _customers(pilot: Pilot[None]) -> None:
    await pilot.press("f3")
    await pilot.pause()


async def _customer(pilot: Pilot[None]) -> None:
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def test_customers_screen(snap_compare: Any, app: CrmApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_customers)


def test_customer_screen(snap_compare: Any, app: CrmApp) -> None:
    pytest.importorskip("tinycrm.services.followups")  # the card lists open follow-ups
    assert snap_compare(app, terminal_size=(80, 24), run_before=_customer)
