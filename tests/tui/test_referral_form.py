"""The contact form's referrer: checked as `crm contacts edit --referred-by` checks it, shown on
the customer card."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, Static

from conftest import Invoke
from tinycrm.services.contacts import get_contact
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.contact import ContactForm
from tinycrm.tui.forms.sale import SaleForm
from tinycrm.tui.screens.customer import CustomerScreen

from .conftest import screen_text


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_contact_form_sets_a_referrer_and_refuses_a_circle(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    assert cli("contacts", "edit", "Ben Okafor", "--referred-by", "Ana Souza").exit_code == 0
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")  # Ana Souza, the first row
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        field = app.screen.query_one("#field-referred_by", Input)
        assert field.value == ""
        field.value = "Ben Okafor"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)  # refused: nothing saved
        error = str(app.screen.query_one("#error-referred_by", Static).render())
        assert "Ben Okafor was referred by Ana Souza" in error
        assert get_contact(store, data["Ana Souza"]).referred_by is None
        field.value = "Chloé Martin"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
        await pilot.press("enter")  # Ana's card
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Referrer Chloé Martin" in " ".join(screen_text(app).split())
    assert get_contact(store, data["Ana Souza"]).referred_by == data["Chloé Martin"]


async def test_an_edit_that_leaves_the_referrer_keeps_it(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    assert cli("contacts", "edit", "Ana Souza", "--referred-by", "Ben Okafor").exit_code == 0
    assert cli("users", "add", "Maria", "--email", "maria@example.com").exit_code == 0
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#field-referred_by", Input).value == "Ben Okafor"
        app.screen.query_one("#field-owner", Input).value = "Maria"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
    ana = get_contact(store, data["Ana Souza"])
    assert (ana.owner, ana.referred_by) == ("Maria", data["Ben Okafor"])


async def test_a_referred_customers_first_sale_in_the_tui_says_whom_to_thank(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    assert cli("contacts", "edit", "Dmitri Ivanov", "--referred-by", "Ana Souza").exit_code == 0
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.open_customer(data["Dmitri Ivanov"])
        await settle(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert isinstance(app.screen, SaleForm)
        app.screen.query_one("#field-amount", Input).value = "80.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Thank Ana Souza for referring Dmitri Ivanov" in " ".join(screen_text(app).split())
    titles = [f.title for f in store.follow_ups.for_contact(data["Ana Souza"])]
    assert titles.count("Thank Ana Souza for referring Dmitri Ivanov") == 1
