"""Customers screen, customer card and contact forms, driven through Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tinycrm.models.users import Identity
from tinycrm.services.contacts import ContactFields, add_contact, edit_contact, list_contacts
from tinycrm.services.importing import import_records, parse_file
from tinycrm.services.users import add_user
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.contact import ContactForm
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.contact_table import ContactTable

from .conftest import TODAY, screen_text


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def names(app: CrmApp) -> list[str]:
    table = app.screen.query_one(ContactTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_customers_lists_and_searches(app: CrmApp) -> None:
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert names(app) == ["Ana Souza", "Ben Okafor", "Chloé Martin", "Dmitri Ivanov"]
        await pilot.press("slash", *"spring")
        await pilot.pause(0.3)
        assert names(app) == ["Ana Souza"]
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        card = str(app.screen.query_one("#customer-notes", Static).render())
        assert "Called about the spring service." in card


async def test_add_contact_with_bad_date_shows_error_and_saves_nothing(
    app: CrmApp, store: Store
) -> None:
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        app.screen.query_one("#field-name", Input).value = "Eve New"
        app.screen.query_one("#field-birthday", Input).value = "32nd of never"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        error = str(app.screen.query_one("#error-birthday", Static).render())
        assert "32nd of never" in error
        assert "Eve New" not in [c.name for c in list_contacts(store, ContactFilter())]
        app.screen.query_one("#field-birthday", Input).value = "1990-05-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert "Eve New" in [c.name for c in list_contacts(store, ContactFilter())]


async def test_a_search_with_too_many_matches_to_rank_says_so(
    app: CrmApp, store: Store, tmp_path: Path
) -> None:
    """Past 1,000 matches (docs/search.md): name matches first, then the newest notes, and the
    status line says there are more and how to narrow the search."""
    add_contact(store, ContactFields(name="Fred Friday"), TODAY)
    spreadsheet = tmp_path / "customers.csv"
    spreadsheet.write_text(
        "Name,Notes\n" + "".join(f"Customer {n},calls every friday\n" for n in range(1001)),
        encoding="utf-8",
    )
    import_records(store, parse_file(spreadsheet, "csv"), today=TODAY)
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("slash", *"friday")
        await pilot.pause(0.3)
        await settle(pilot)
        assert names(app)[:3] == ["Fred Friday", "Customer 1000", "Customer 999"]
        status = str(app.screen.query_one("#customers-status", Static).render())
        assert status == (
            "100 of more than 1,000 matching 'friday' (all contacts), newest first: add a word"
            " to narrow the search"
        )


async def test_two_quick_enters_search_then_open(app: CrmApp) -> None:
    """Like tmux send-keys or a paste: both Enters queued before the first is handled."""
    from textual import events

    async with app.run_test() as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("slash", *"okafor")
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause(0.3)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.details is not None
        assert app.screen.details.contact.name == "Ben Okafor"


async def test_a_new_contact_with_a_known_email_is_added_with_a_warning(
    app: CrmApp, store: Store
) -> None:
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#field-name", Input).value = "Ana S."
        app.screen.query_one("#field-emails", Input).value = "ANA@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)  # added all the same
        shown = screen_text(app)
        assert "Same email or phone" in shown and "Ana Souza (id 1) has the same" in shown
    assert [c.name for c in list_contacts(store, ContactFilter())].count("Ana S.") == 1


async def test_the_card_says_unowned_in_a_crm_with_users(app: CrmApp, store: Store) -> None:
    ann = add_user(store, "Ann", email="ann@shop.example", login="ann", admin=True)
    store.act_as(Identity(ann, "ann"))
    edit_contact(store, "Ben Okafor", ContactFields(owner="Ann"), TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")  # Ana Souza: nobody's
        await settle(pilot)
        assert "Owner      unowned" in screen_text(app)
        await pilot.press("escape", "down", "enter")  # Ben Okafor: Ann's
        await settle(pilot)
        assert "Owner      Ann" in screen_text(app)


async def test_the_card_has_no_owner_line_in_a_crm_without_users(app: CrmApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Owner" not in screen_text(app)
