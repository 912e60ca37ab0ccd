"""The company card in the TUI: reached with `C` from the customer list and the customer card."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from conftest import Invoke
from tinycrm.services.contacts import ContactFields, edit_contact
from tinycrm.services.sales import add_sale
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.screens.company import CompanyScreen
from tinycrm.tui.screens.customer import CustomerScreen

from .conftest import TODAY, screen_text
from .test_live import shows


def at_company(store: Store) -> None:
    """Ana (buyer) and Chloé (decision maker) at Souza & Martin, with a sale each."""
    for name, role in (("Ana Souza", "buyer"), ("Chloé Martin", "decision maker")):
        edit_contact(store, name, ContactFields(company="Souza & Martin", role=role), TODAY)
    for name, amount in (("Ana Souza", "120.00"), ("Chloé Martin", "80.00")):
        add_sale(store, name, amount, sold_on=TODAY, today=TODAY, currency="EUR")


async def _company_from_the_list(pilot: Pilot[None]) -> None:
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("C")
    await pilot.pause()


async def test_the_company_card_from_the_list_and_from_a_card(
    store: Store, data: dict[str, int]
) -> None:
    at_company(store)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await _company_from_the_list(pilot)  # Ana Souza is the list's first row
        assert isinstance(app.screen, CompanyScreen)
        shown = screen_text(app)
        assert "Souza & Martin" in shown
        assert "Ana Souza  buyer" in shown and "Chloé Martin  decision maker" in shown
        assert "Sales            2: 200.00 EUR" in shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # Chloé Martin's card
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CompanyScreen)
        assert "Souza & Martin" in screen_text(app)


async def test_a_customer_without_a_company_says_so(app: CrmApp) -> None:
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        assert not isinstance(app.screen, CompanyScreen)
        assert "Ana Souza is not at a company" in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_company_screen(
    snap_compare: Any, store: Store, data: dict[str, int], size: tuple[int, int]
) -> None:
    at_company(store)
    assert snap_compare(CrmApp(store, TODAY), terminal_size=size, run_before=_company_from_the_list)


async def test_the_company_card_shows_a_colleague_s_sale(
    store: Store, data: dict[str, int], cli: Invoke
) -> None:
    at_company(store)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await _company_from_the_list(pilot)
        assert "Sales            2: 200.00 EUR" in screen_text(app)
        sold = cli("sales", "add", "Ana Souza", "50", "--no-follow-up", "--as-of", "2026-11-26")
        assert sold.exit_code == 0, sold.stderr
        assert await shows(pilot, lambda: "Sales            3: 250.00 EUR" in screen_text(app))
