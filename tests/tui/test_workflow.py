"""Issue 14's TUI points: one key map, help that scrolls, cases, pass-on, scores, minutes, undo,
snooze moving on, why a search matched, readable under NO_COLOR."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.containers import VerticalScroll
from textual.content import Content
from textual.pilot import Pilot
from textual.style import Style
from textual.widgets import Input, Select, Static

from mailserver import serving
from tinycrm.config import Settings
from tinycrm.services import cases, followups
from tinycrm.services.cases import list_cases
from tinycrm.services.contacts import ContactFields, add_contact, edit_contact
from tinycrm.services.followups.stored import add_follow_up, list_follow_ups
from tinycrm.services.notes import add_note, list_notes
from tinycrm.services.satisfaction import history
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.base import FormScreen
from tinycrm.tui.forms.case import CaseForm
from tinycrm.tui.forms.followup import FollowUpForm
from tinycrm.tui.forms.note import NoteForm
from tinycrm.tui.forms.sale import SaleForm, ScoreForm
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.screens.customers import CustomersScreen
from tinycrm.tui.screens.help import HelpScreen
from tinycrm.tui.screens.queue import QueueScreen
from tinycrm.tui.widgets.contact_table import ContactTable
from tinycrm.tui.widgets.queue_table import QueueTable

from .conftest import TODAY, open_titles, queue_titles, screen_text, select_row


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def fill(app: CrmApp, **values: str) -> None:
    for name, value in values.items():
        widget = app.screen.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value


@pytest.fixture
def busy_app(store: Store, data: dict[str, int]) -> CrmApp:
    for title, days in [("Send the quote", -3), ("Fleet renewal", 0), ("Ask about commute", 2)]:
        add_follow_up(store, "Chloé Martin", title, TODAY + timedelta(days),
                                TODAY - timedelta(10))  # fmt: skip
    return CrmApp(store, TODAY)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_help_scrolls_to_the_end_with_keys(app: CrmApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help", VerticalScroll)
        assert box.max_scroll_y > 0  # longer than the screen
        await press(pilot, "pagedown")
        assert box.scroll_y > 0
        await press(pilot, "end")
        assert box.scroll_y == box.max_scroll_y
        await press(pilot, "home")
        assert box.scroll_y == 0


async def test_why_is_cut_with_an_ellipsis(store: Store, data: dict[str, int]) -> None:
    add_follow_up(store, "Ana Souza", "Call about the winter service contract renewal",
                            TODAY, TODAY, every="every 30 days")  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_text(app)
        assert "Call about the winter" in screen and "…" in screen
        assert "every 3 " not in screen


async def test_late_and_overdue_stand_out_under_no_color(
    busy_app: CrmApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with CrmApp(busy_app.store, TODAY).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = pilot.app.screen.query_one("#queue-summary", Static).render()
        assert isinstance(summary, Content)
        overdue = next(s for s in summary.spans if "overdue" in summary.plain[s.start : s.end])
        assert isinstance(overdue.style, Style) and overdue.style.reverse
        table = pilot.app.screen.query_one(QueueTable)
        late = next(h for h, item in table.items.items() if item.days_late > 0)
        cell = table.get_row(late)[3]
        assert "late" in cell.plain and "reverse" in str(cell.style)


FORMS = {"n": NoteForm, "c": NoteForm, "f": FollowUpForm, "dollar_sign": SaleForm,
         "asterisk": ScoreForm, "k": CaseForm}  # fmt: skip


async def test_one_key_map_on_queue_list_and_card(busy_app: CrmApp) -> None:
    async with busy_app.run_test(size=(100, 30)) as pilot:
        app = busy_app
        await settle(pilot)
        for screen in (QueueScreen, CustomersScreen, CustomerScreen):
            if screen is CustomersScreen:
                await press(pilot, "f3")
            if screen is CustomerScreen:
                await press(pilot, "enter")
            assert isinstance(app.screen, screen)
            for key, form in FORMS.items():
                await press(pilot, key)
                assert type(app.screen) is form, (screen, key)
                await press(pilot, "escape")
        await press(pilot, "f3")  # from a card: the list, not the card again
        assert isinstance(app.screen, CustomersScreen)
        await press(pilot, "enter", "f2")
        assert isinstance(app.screen, QueueScreen)


async def test_open_escalate_and_resolve_a_case(busy_app: CrmApp, store: Store) -> None:
    async with busy_app.run_test(size=(100, 30)) as pilot:
        app = busy_app
        await settle(pilot)
        select_row(app, "Fleet renewal")
        await press(pilot, "R")
        assert not isinstance(app.screen, FormScreen)  # no open case: a warning, no form
        await press(pilot, "k")
        fill(app, title="Cargo bike brakes squeal", severity="high")
        await press(pilot, "ctrl+s")
        assert "Case #1 (high): Cargo bike brakes squeal" in queue_titles(app)
        select_row(app, "Fleet renewal")
        await press(pilot, "K")
        fill(app, to="Marta (workshop)")
        await press(pilot, "ctrl+s")
        await press(pilot, "R")
        fill(app, how="New brake pads")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen)
    (case,) = [row.case for row in list_cases(store, "Chloé Martin")]
    assert case.escalated_to == "Marta (workshop)"
    assert case.resolution == "New brake pads" and case.resolved_on == TODAY


async def test_a_resolution_is_e_mailed_to_the_customer_unless_internal(
    store: Store, data: dict[str, int]
) -> None:
    wheel = cases.open_case(store, "Ana Souza", "Wobbly wheel", today=TODAY)
    bell = cases.open_case(store, "Ana Souza", "Loose bell", today=TODAY)
    with serving() as inbox:
        smtp = {"host": "127.0.0.1", "port": inbox.port, "security": "none",
                "from": "Corner Shop <shop@example.com>"}  # fmt: skip
        settings = Settings(smtp=smtp, portal={"base_url": "https://portal.example.com"})
        app = CrmApp(store, TODAY, settings=settings)
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await settle(pilot)
            app.open_customer(data["Ana Souza"])
            await settle(pilot)
            await press(pilot, "R")
            fill(app, case=str(wheel.id), how="Trued the wheel")
            await press(pilot, "ctrl+s")
            shown = " ".join(screen_text(app).replace("▌", " ").split())  # a toast's lines joined
            assert f"Case {wheel.id} resolved; the reply was e-mailed to" in shown
            await press(pilot, "R")
            fill(app, case=str(bell.id), how="Told her to stop ringing it", tell="internal")
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, FormScreen)
    [mail] = inbox.messages
    assert "Trued the wheel" in mail.get_content() and mail["To"] == "Ana Souza <ana@example.com>"
    resolved = {row.case.title: row.case for row in list_cases(store, "Ana Souza")}
    assert resolved["Wobbly wheel"].reply_mail == "sent"
    assert resolved["Loose bell"].resolution_internal and resolved["Loose bell"].reply_mail is None


async def test_pass_on_to_a_tag(busy_app: CrmApp, store: Store) -> None:
    async with busy_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        fill(busy_app, text="Winter service week", tag="vip", due="today")
        await press(pilot, "ctrl+s")
        assert "Pass on: Winter service week" in queue_titles(busy_app)
    assert "Pass on: Winter service week" in open_titles(store)


async def test_pass_on_leaves_out_who_asked_for_no_news(store: Store, data: dict[str, int]) -> None:
    edit_contact(store, "Ana Souza", ContactFields(add_tags=["vip"]), TODAY)
    edit_contact(store, "Ben Okafor", ContactFields(), TODAY, news=False)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        fill(app, text="Winter service week", tag="vip", due="today")
        await press(pilot, "ctrl+s")
        shown = " ".join(screen_text(app).replace("▌", " ").split())  # a toast's lines joined
        assert "1 pass-on follow-up created, 1 skipped (asked for no news)" in shown
        app.open_customer(data["Ben Okafor"])
        await settle(pilot)
        assert f"Asked for  no news on {TODAY.isoformat()}" in screen_text(app)
    assert open_titles(store).count("Pass on: Winter service week") == 1


async def test_done_satisfaction_check_with_a_note_and_score(store: Store, data: dict[str, int]
                                                             ) -> None:  # fmt: skip
    add_follow_up(store, "Ben Okafor", "How is the gravel bike?", TODAY, TODAY,
                            kind="satisfaction-check")  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        select_row(app, "How is the gravel bike?")
        await press(pilot, "D")
        fill(app, note="Loves it, wants mudguards", score="11")
        await press(pilot, "ctrl+s")
        assert "11" in str(app.screen.query_one("#error-score", Static).render())
        fill(app, score="5")
        await press(pilot, "ctrl+s")
        assert "How is the gravel bike?" not in queue_titles(app)
    scores = history(store, "Ben Okafor", TODAY).scores
    assert [(s.score, s.comment, s.scored_on) for s in scores] == [
        (5, "Loves it, wants mudguards", TODAY)
    ]


async def test_score_form_takes_a_date_and_call_form_minutes(busy_app: CrmApp, store: Store
                                                             ) -> None:  # fmt: skip
    async with busy_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "asterisk")
        fill(busy_app, score="4", on="2026-11-20")
        await press(pilot, "ctrl+s")
        await press(pilot, "c")
        fill(busy_app, body="Talked through the fleet contract", minutes="25")
        await press(pilot, "ctrl+s")
    assert [s.scored_on for s in history(store, "Chloé Martin", TODAY).scores] == [
        TODAY - timedelta(6)
    ]
    (call,) = [r.note for r in list_notes(store, "Chloé Martin")]
    assert call.duration_minutes == 25 and str(call.channel) == "call"


def queue_state(store: Store) -> list[tuple[str, str, object]]:
    queue = followups.build_queue(store, TODAY, days=60)
    return [(i.handle, i.title, i.due_on) for i in [*queue.overdue, *queue.today, *queue.upcoming]]


async def test_undo_done_and_skip(busy_app: CrmApp, store: Store) -> None:
    add_note(store, "Chloé Martin", "Visited the shop", TODAY - timedelta(40), "visit")
    eve = ContactFields(name="Eve Stone", relationship_type="dedicated")
    add_contact(store, eve, TODAY - timedelta(100))  # never contacted
    before = queue_state(store)
    async with busy_app.run_test(size=(100, 30), notifications=True) as pilot:
        app = busy_app
        await settle(pilot)
        checkins = [t for t in queue_titles(app) if t.startswith("Check-in")]  # derived rows
        assert "Check-in, no contact logged yet" in checkins
        assert any("last contact" in t for t in checkins)
        for title in ["Send the quote", *checkins]:
            for key in ("d", "x"):
                select_row(app, title)
                await press(pilot, key)
                assert title not in open_titles(store)
                if key == "d":
                    await pilot.pause()
                    assert "). u: undo" in screen_text(app)  # the toast names the customer
                await press(pilot, "u")
                assert queue_state(store) == before, (title, key)  # as it was, due dates too
                current = app.screen.query_one(QueueTable).current_item
                assert current is not None and current.title == title
        await press(pilot, "u")  # nothing left to undo: nothing changes
        assert queue_state(store) == before


async def test_snooze_moves_the_cursor_to_the_next_row(busy_app: CrmApp) -> None:
    async with busy_app.run_test(size=(100, 30)) as pilot:
        app = busy_app
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        first = table.current_item
        assert first is not None
        below = table.handle_below(first.handle)
        await press(pilot, "s")
        fill(app, until="+1d")  # still in the queue, further down
        await press(pilot, "ctrl+s")
        assert first.title in queue_titles(app)
        assert table.current_handle == below


async def test_search_shows_why_a_row_matched(store: Store, data: dict[str, int]) -> None:
    add_note(store, "Dmitri Ivanov", "Came in to test ride the gravel bike and asked about "
             "studded winter tyres for the commute", TODAY - timedelta(3))  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "slash")
        await press(pilot, *"tyres", "enter")
        table = app.screen.query_one(ContactTable)
        assert [str(c.label) for c in table.ordered_columns][-1] == "Match"
        assert str(table.get_row_at(0)[0]) == "Dmitri Ivanov"
        match = str(table.get_row_at(0)[4])
        assert match.startswith("…") and "tyres" in match[: table.ordered_columns[-1].width]
        await press(pilot, "escape")
        assert [str(c.label) for c in table.ordered_columns][-1] == "Tags"


async def test_undo_of_a_recurring_follow_up_keeps_no_history(
    store: Store, data: dict[str, int]
) -> None:
    add_follow_up(store, "Chloé Martin", "Weekly stock call", TODAY, TODAY,
                            every="weekly")  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        select_row(app, "Weekly stock call")
        await press(pilot, "d")
        closed = list_follow_ups(store, today=TODAY, status="done")
        assert [i.title for i in closed] == ["Weekly stock call"]  # kept as history
        await press(pilot, "u")
        assert list_follow_ups(store, today=TODAY, status="done") == []
        assert "Weekly stock call" in open_titles(store)
