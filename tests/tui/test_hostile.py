"""User text is data: markup-like and control-character names show literally on every screen."""

from __future__ import annotations

from textual.widgets import Static

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.contact_table import ContactTable

from .conftest import HOSTILE, TODAY


async def test_hostile_names_render_literally(store: Store) -> None:
    ids = []
    for name in HOSTILE:
        contact = add_contact(store, ContactFields(name=name, company=name, tags=[name]), TODAY)
        add_note(store, str(contact.id), f"note {name}", TODAY, "call")
        ids.append(contact.id)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        table = app.screen.query_one(ContactTable)
        shown = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert {"[/]", "[red]x", "[link=http://x]y[/link]"} <= shown
        assert "evil␛[2Jclear" in shown  # ESC made visible, never sent to the terminal
        for contact_id in ids:
            assert contact_id is not None
            app.open_customer(contact_id)
            await pilot.pause()
            assert isinstance(app.screen, CustomerScreen)
            header = str(app.screen.query_one("#customer-name", Static).render())
            notes = str(app.screen.query_one("#customer-notes", Static).render())
            assert "\x1b" not in header + notes
            assert "note " in notes
            await pilot.press("escape")
            await pilot.pause()
        screen_text = app.export_screenshot()
        assert "\x1b[2J" not in screen_text
        await pilot.press("slash", *"red")
        await pilot.pause(0.3)
        assert str(table.get_row_at(0)[0]) == "[red]x"
