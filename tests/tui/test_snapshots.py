"""Snapshots of the screens on a fixed data set and date (pytest-textual-snapshot).

Update after an intended change with `pytest tests/tui --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from typing import Any

import pytest
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


SIZES = [(80, 24), (100, 30)]


async def _help(pilot: Pilot[None]) -> None:
    await pilot.press("f1")
    await pilot.pause()


async def _search(pilot: Pilot[None]) -> None:
    await pilot.press("slash")  # the customer list's search box, once it has the focus
    await pilot.pause()
    await pilot.press(*"afternoons", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_queue_screen(snap_compare: Any, store: Store, data: dict[str, int],
                      size: tuple[int, int]) -> None:  # fmt: skip
    from .test_queue import queue_follow_ups

    queue_follow_ups(store)
    assert snap_compare(CrmApp(store, TODAY), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_customers_screen(snap_compare: Any, app: CrmApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_customers)


@pytest.mark.parametrize("size", SIZES)
def test_search_results(snap_compare: Any, app: CrmApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_search)


@pytest.mark.parametrize("size", SIZES)
def test_customer_screen(snap_compare: Any, app: CrmApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_customer)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, app: CrmApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_help)


def card_data(store: Store) -> None:
    """Sales, scores over a year (CSAT, one low) and an open case for Chloé Martin, who has
    no owner in a CRM with a user: her card says "unowned"."""
    from datetime import timedelta

    from tinycrm.services.cases import open_case
    from tinycrm.services.sales import add_sale
    from tinycrm.services.satisfaction import add_score
    from tinycrm.services.users import add_user

    for days, amount, product in [(300, "1890.00", "Cargo bike"), (120, "89.90", "Panniers"),
                                  (20, "240.00", "Winter service")]:  # fmt: skip
        add_sale(store, "Chloé Martin", amount, sold_on=TODAY - timedelta(days), today=TODAY,
                 currency="EUR", products=[product])  # fmt: skip
    for days, score in [(330, 4), (270, 5), (200, 4), (150, 2), (100, 3), (60, 4), (10, 5)]:
        add_score(store, "Chloé Martin", str(score), on=TODAY - timedelta(days), today=TODAY)
    open_case(store, "Chloé Martin", "Brake squeal after service", today=TODAY - timedelta(1))
    add_user(store, "Ann", email="ann@shop.example", login="ann", admin=True)


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
