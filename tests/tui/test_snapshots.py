"""Snapshots of the screens on a fixed data set and date (pytest-textual-snapshot).

Update after an intended change with `pytest tests/tui --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tinycrm.store import Store
from tinycrm.tui.app import CrmApp

from .conftest import TODAY


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
    assert snap_compare(app, terminal_size=(80, 24), run_before=_customer)


def card_data(store: Store) -> None:
    """Sales, scores over a year (CSAT, one low) and an open case for Chloé Martin."""
    from datetime import timedelta

    from tinycrm.services.cases import open_case
    from tinycrm.services.sales import add_sale
    from tinycrm.services.satisfaction import add_score

    for days, amount, product in [(300, "1890.00", "Cargo bike"), (120, "89.90", "Panniers"),
                                  (20, "240.00", "Winter service")]:  # fmt: skip
        add_sale(store, "Chloé Martin", amount, sold_on=TODAY - timedelta(days), today=TODAY,
                 currency="EUR", products=[product])  # fmt: skip
    for days, score in [(330, 4), (270, 5), (200, 4), (150, 2), (100, 3), (60, 4), (10, 5)]:
        add_score(store, "Chloé Martin", str(score), on=TODAY - timedelta(days), today=TODAY)
    open_case(store, "Chloé Martin", "Brake squeal after service", today=TODAY - timedelta(1))


async def _chloe(pilot: Pilot[None]) -> None:
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("down", "down", "enter")
    await pilot.pause()


def test_customer_card_with_sales_scores_and_cases(
    snap_compare: Any, store: Store, data: dict[str, int]
) -> None:
    card_data(store)
    assert snap_compare(CrmApp(store, TODAY), terminal_size=(100, 50), run_before=_chloe)
