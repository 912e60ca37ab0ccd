"""The queue screen (the start screen): done, snooze, skip, note and call, from the keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tinycrm.config import Settings
from tinycrm.services import followups
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import list_notes
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.followup import SnoozeForm
from tinycrm.tui.forms.note import NoteForm
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.queue_table import QueueTable

from .conftest import TODAY, open_titles, queue_titles, select_row


def queue_follow_ups(store: Store) -> None:
    add_follow_up(store, "Ana Souza", "Send the service quote", TODAY - timedelta(3),
                            TODAY - timedelta(10))  # fmt: skip
    add_follow_up(store, "Chloé Martin", "Fleet contract renewal", TODAY, TODAY)
    add_follow_up(store, "Dmitri Ivanov", "Ask about the commute", TODAY + timedelta(2),
                            TODAY)  # fmt: skip


@pytest.fixture
def queue_app(store: Store, data: dict[str, int]) -> CrmApp:
    queue_follow_ups(store)
    return CrmApp(store, TODAY)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_queue_is_the_start_screen(queue_app: CrmApp) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        shown = queue_titles(queue_app)
        assert "Send the service quote" in shown
        assert "Fleet contract renewal" in shown
        assert "Ask about the commute" in shown
        # the cursor starts on an item, not on a section heading
        assert queue_app.screen.query_one(QueueTable).current_item is not None


async def test_complete_an_item_updates_in_place(queue_app: CrmApp, store: Store) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Send the service quote")
        await pilot.press("d")
        await settle(pilot)
        assert "Send the service quote" not in queue_titles(queue_app)
        assert queue_app.screen.query_one(QueueTable).current_item is not None
    assert "Send the service quote" not in open_titles(store)


async def test_skip_an_item(queue_app: CrmApp, store: Store) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Fleet contract renewal")
        await pilot.press("x")
        await settle(pilot)
        assert "Fleet contract renewal" not in queue_titles(queue_app)
    assert "Fleet contract renewal" not in open_titles(store)


async def test_snooze_with_relative_date_and_bad_date(queue_app: CrmApp, store: Store) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Send the service quote")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(queue_app.screen, SnoozeForm)
        queue_app.screen.query_one("#field-until", Input).value = "someday"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(queue_app.screen, SnoozeForm)  # error shown, still open
        assert "someday" in str(queue_app.screen.query_one("#error-until").render())
        queue_app.screen.query_one("#field-until", Input).value = "+10d"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(queue_app.screen, SnoozeForm)
        assert "Send the service quote" not in queue_titles(queue_app)  # beyond the 7-day window
    later = followups.build_queue(store, TODAY + timedelta(10), days=0)
    assert "Send the service quote" in [i.title for i in later.today]


async def test_add_a_note_and_log_a_call_from_the_queue(queue_app: CrmApp, store: Store) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Fleet contract renewal")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(queue_app.screen, NoteForm)
        await pilot.press(*"Agreed on two more cargo bikes")
        await pilot.press("enter")
        await settle(pilot)
        select_row(queue_app, "Fleet contract renewal")
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"Confirmed delivery")
        await pilot.press("enter")
        await settle(pilot)
    notes = list_notes(store, "Chloé Martin")
    bodies = {row.note.body: row.note.channel for row in notes}
    assert bodies["Agreed on two more cargo bikes"] is None
    assert str(bodies["Confirmed delivery"]) == "call"


async def test_done_with_a_note(queue_app: CrmApp, store: Store) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Send the service quote")
        await pilot.press("D")
        await settle(pilot)
        await pilot.press(*"Quote sent by email")
        await pilot.press("enter")
        await settle(pilot)
        assert "Send the service quote" not in queue_titles(queue_app)
    assert "Quote sent by email" in [r.note.body for r in list_notes(store, "Ana Souza")]


async def test_open_the_customer_from_the_queue(queue_app: CrmApp) -> None:
    async with queue_app.run_test() as pilot:
        await settle(pilot)
        select_row(queue_app, "Fleet contract renewal")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(queue_app.screen, CustomerScreen)
        shown = str(queue_app.screen.query_one("#customer-follow-ups").render())
        assert "Fleet contract renewal" in shown


async def test_why_column_uses_the_spare_width(store: Store, data: dict[str, int]) -> None:
    long_title = "Call about the winter service contract"  # 38: was cut at 28
    add_follow_up(store, "Ana Souza", long_title, TODAY, TODAY)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        why = next(c for c in table.ordered_columns if str(c.label) == "Why")
        assert why.width >= len(long_title)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert why.width < len(long_title)  # narrower terminal: the title is cut


async def test_more_row_reads_the_next_page(store: Store, data: dict[str, int]) -> None:
    for i in range(55):
        add_follow_up(store, "Ben Okafor", f"Overdue {i:02d}", TODAY - timedelta(1 + i),
                                TODAY - timedelta(60))  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        overdue = [t for t in queue_titles(app) if t.startswith("Overdue")]
        assert 0 < len(overdue) < 55  # the first page (50 rows, with the seed's check-in)
        table.move_cursor(row=table.get_row_index("more:overdue"), animate=False)
        await pilot.press("enter")
        await settle(pilot)
        assert len([t for t in queue_titles(app) if t.startswith("Overdue")]) == 55
        assert "more:overdue" not in [str(k.value) for k in table.rows]


async def test_today_is_read_a_page_at_a_time(store: Store, data: dict[str, int]) -> None:
    """Today's section, like the others, reads a first page and counts the rest."""
    for i in range(45):
        add_follow_up(store, "Ben Okafor", f"Today {i:02d}", TODAY, TODAY)
    everything = followups.build_queue(store, TODAY, days=0, today_limit=None).today
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        shown = [t for t in queue_titles(app) if t.startswith("Today ")]
        assert 0 < len(shown) < 45
        drawn = len([i for i in table.items.values() if i.days_late == 0])
        more = str(table.get_row("more:today")[1])
        assert more == f"… {len(everything) - drawn} more (enter: show more)"
        table.move_cursor(row=table.get_row_index("more:today"), animate=False)
        await pilot.press("enter")
        await settle(pilot)
        assert len([t for t in queue_titles(app) if t.startswith("Today ")]) == 45
        assert "more:today" not in [str(k.value) for k in table.rows]


async def test_upcoming_window_is_the_configured_one(store: Store, data: dict[str, int]) -> None:
    """`follow_ups.upcoming_days` sets the TUI's window as it sets `crm follow-ups upcoming`'s."""
    add_follow_up(store, "Ana Souza", "In ten days", TODAY + timedelta(10), TODAY)
    for days, shown in ((7, False), (14, True)):
        app = CrmApp(store, TODAY, settings=Settings(upcoming_days=days))
        async with app.run_test() as pilot:
            await settle(pilot)
            assert ("In ten days" in queue_titles(app)) is shown
            summary = str(app.screen.query_one("#queue-summary", Static).render())
            assert f"in the next {days} days" in summary
