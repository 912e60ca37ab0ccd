"""An open TUI sees what colleagues did (issue 15): a change committed by another connection or
a `crm` process shows on the screen in view, the cursor staying on the same row."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from conftest import Invoke
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.contact_table import ContactTable
from tinycrm.tui.widgets.queue_table import QueueTable

from .conftest import TODAY, queue_titles, select_row

WAIT = 10.0  # seconds a change may take to show before the test fails (it takes about one)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def shows(pilot: Pilot[None], condition: Callable[[], bool]) -> bool:
    """Whether `condition` comes true while the app runs (its timer fires), within WAIT."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not condition():
        if loop.time() > deadline:
            return False
        await pilot.pause(0.1)
    return True


def current_title(app: CrmApp) -> str | None:
    item = app.screen.query_one(QueueTable).current_item
    return item.title if item else None


def contact_names(app: CrmApp) -> list[str]:
    table = app.screen.query_one(ContactTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def current_name(app: CrmApp) -> str:
    table = app.screen.query_one(ContactTable)
    return str(table.get_row_at(table.cursor_row)[0])


async def test_the_queue_shows_a_colleagues_follow_up_and_keeps_the_cursor(
    store: Store, data: dict[str, int], isolated_env: Path
) -> None:
    for title, days in [("Send the quote", -3), ("Fleet renewal", 0), ("Ask about commute", 2)]:
        add_follow_up(store, "Chloé Martin", title, TODAY + timedelta(days), TODAY)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        select_row(app, "Fleet renewal")
        colleague = Store.open(store.db.target)  # another connection, another person
        try:
            add_follow_up(colleague, "Ben Okafor", "Call back", TODAY - timedelta(5),
                                    TODAY - timedelta(5))  # fmt: skip
        finally:
            colleague.close()
        assert await shows(pilot, lambda: "Call back" in queue_titles(app))
        assert current_title(app) == "Fleet renewal"
        table = app.screen.query_one(QueueTable)
        titles = [table.items[str(key.value)].title for key in table.rows if str(key.value)
                  in table.items]  # fmt: skip
        assert titles.index("Call back") < titles.index("Fleet renewal")  # added above it


async def test_the_customer_list_shows_a_contact_added_by_a_crm_command(
    app: CrmApp, isolated_env: Path
) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("down", "down")
        assert current_name(app) == "Chloé Martin"
        added = subprocess.run(
            [sys.executable, "-m", "tinycrm", "contacts", "add", "Aaron Abel"],
            capture_output=True, text=True, env=os.environ, timeout=60, check=False,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert await shows(pilot, lambda: "Aaron Abel" in contact_names(app))
        assert contact_names(app)[0] == "Aaron Abel"
        assert current_name(app) == "Chloé Martin"  # one row further down, the same contact


async def test_the_card_shows_a_colleagues_note_and_edit(
    app: CrmApp, data: dict[str, int], cli: Invoke
) -> None:
    async with app.run_test(size=(120, 16)) as pilot:
        app.open_customer(data["Ben Okafor"])
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        scroll = app.screen.query_one("#card", VerticalScroll)
        await pilot.press("end")  # reading the notes at the bottom of the card
        await settle(pilot)
        assert scroll.scroll_y > 0
        bottom = scroll.scroll_y
        assert cli("notes", "add", "Ben Okafor", "Asked for a fitting").exit_code == 0
        assert cli("contacts", "edit", "Ben Okafor", "--phone", "555 0101").exit_code == 0

        def card(part: str) -> str:
            return str(app.screen.query_one(f"#customer-{part}", Static).render())

        assert await shows(pilot, lambda: "Asked for a fitting" in card("notes"))
        assert await shows(pilot, lambda: "555 0101" in card("fields"))
        assert scroll.scroll_y >= bottom  # still where the reader was, not back at the top


async def test_nothing_is_read_again_while_nobody_writes(app: CrmApp) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        read = app.generation
        await pilot.pause(2.5)  # two checks or more
        assert app.generation == read
