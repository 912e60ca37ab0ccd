"""Two people on one CRM: a form saved over a colleague's newer change is a conflict, never a
silent overwrite (issue 15)."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from conftest import Invoke
from tinycrm.models.followups import FollowUp
from tinycrm.services.cases import get_case, open_case
from tinycrm.services.contacts import get_contact
from tinycrm.services.followups.actions import snooze
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import list_notes
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.case import EscalateForm
from tinycrm.tui.forms.contact import ContactForm
from tinycrm.vocabulary import Stage

from .conftest import TODAY, screen_text, select_row

# Who changed it and when, from the history: "at 10:02", or "on 2026-12-04 at 23:59".
WHEN = r"(on \d{4}-\d\d-\d\d )?at \d\d:\d\d"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def toasts(app: CrmApp) -> str:
    """The screen's text with a toast's wrapped lines joined again."""
    return " ".join(screen_text(app).replace("▌", " ").split())


def form_error(app: CrmApp) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


async def test_a_stale_contact_form_does_not_overwrite_a_colleagues_edit(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    assert cli("users", "add", "Maria", "--email", "maria@example.com").exit_code == 0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")  # Ana Souza, the first row
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        # meanwhile a colleague gives Ana a phone number and a new stage
        colleague = cli(
            "contacts", "edit", "Ana Souza", "--phone", "555 0101", "--stage", "expansion"
        )
        assert colleague.exit_code == 0
        app.screen.query_one("#field-owner", Input).value = "Maria"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)  # nothing saved: the form stays open
        error = form_error(app)
        assert re.search(f"changed by Maria {WHEN} since you opened it", error)  # the CLI's user
        assert "phones (now 555 0101)" in error and "stage (now expansion)" in error
        assert "owner (now" not in error
        ana = get_contact(store, data["Ana Souza"])
        assert (ana.phones, ana.stage, ana.owner) == (["555 0101"], Stage.EXPANSION, None)
        # the form took the colleague's values where nothing was typed: saving keeps both
        assert app.screen.query_one("#field-phones", Input).value == "555 0101"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
    ana = get_contact(store, data["Ana Souza"])
    assert (ana.phones, ana.stage, ana.owner) == (["555 0101"], Stage.EXPANSION, "Maria")


async def test_saving_again_after_the_conflict_is_a_deliberate_overwrite(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert cli("contacts", "edit", "Ana Souza", "--address", "1 Rua Azul").exit_code == 0
        app.screen.query_one("#field-address", Input).value = "2 Rua Verde"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "address (now 1 Rua Azul)" in form_error(app)
        await pilot.press("ctrl+s")  # seen the colleague's value, keeps their own
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
    assert get_contact(store, data["Ana Souza"]).address == "2 Rua Verde"


async def test_an_open_contact_form_says_when_a_colleague_changes_the_contact(
    app: CrmApp, store: Store, data: dict[str, int], cli: Invoke
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        assert form_error(app) == ""
        assert cli("users", "add", "Maria", "--email", "maria@example.com").exit_code == 0
        assert cli("contacts", "edit", "Ana Souza", "--owner", "Maria").exit_code == 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0  # the check runs every second
        while "owner (now Maria)" not in form_error(app) and loop.time() < deadline:
            await pilot.pause(0.1)
        assert re.fullmatch(
            rf"Ana Souza was changed by Maria {WHEN} since you opened this form: owner"
            r" \(now Maria\)\. Saving will show you their change first\.",
            form_error(app),
        )


def quote_follow_up(store: Store) -> FollowUp:
    return add_follow_up(
        store, "Chloé Martin", "Send the quote", TODAY - timedelta(3), TODAY - timedelta(10)
    )


async def test_done_on_a_row_a_colleague_snoozed_meanwhile_is_a_conflict(
    store: Store, data: dict[str, int], isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The row is still on screen when "d" is pressed, however slow the machine: no refresh.
    monkeypatch.setattr("tinycrm.tui.app.WATCH_SECONDS", 3600)
    quote = quote_follow_up(store)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        select_row(app, "Send the quote")
        colleague = Store.open(store.db.target)  # another connection, another person
        try:
            snooze(colleague, str(quote.id), date(2026, 12, 20), TODAY)
        finally:
            colleague.close()
        await pilot.press("d")
        await settle(pilot)
        shown = toasts(app)
        assert f"follow-up {quote.id} was changed by someone else" in shown
        assert "snoozed until (now 2026-12-20)" in shown
    after = store.follow_ups.get(quote.id or 0)
    assert after is not None
    assert (after.status, after.snoozed_until) == ("open", date(2026, 12, 20))


async def test_done_on_a_row_a_colleague_completed_says_already_done(
    store: Store, data: dict[str, int], cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The row is still on screen when "d" is pressed, however slow the machine: no refresh.
    monkeypatch.setattr("tinycrm.tui.app.WATCH_SECONDS", 3600)
    quote = quote_follow_up(store)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        select_row(app, "Send the quote")
        colleague = cli("follow-ups", "done", str(quote.id), "--as-of", "2026-11-25")
        assert colleague.exit_code == 0, colleague.stderr
        await pilot.press("d")
        await settle(pilot)
        assert f"follow-up {quote.id} is already done on 2026-11-25" in toasts(app)
    after = store.follow_ups.get(quote.id or 0)
    assert after is not None and (after.status, after.completed_on) == ("done", date(2026, 11, 25))
    assert [row.note.body for row in list_notes(store)] == [
        "Prefers afternoons.", "Bought a gravel bike.", "Called about the spring service."
    ]  # fmt: skip


async def test_escalating_a_case_a_colleague_escalated_meanwhile_is_a_conflict(
    store: Store, data: dict[str, int], cli: Invoke
) -> None:
    case = open_case(store, "Ana Souza", "Squeaky brakes", today=TODAY)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("K")  # Ana Souza, the first row
        await settle(pilot)
        assert isinstance(app.screen, EscalateForm)
        assert cli("cases", "escalate", str(case.id), "--to", "Workshop").exit_code == 0
        app.screen.query_one("#field-to", Input).value = "Head office"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EscalateForm)
        assert f"case {case.id} was changed by someone else" in form_error(app)
        assert "escalated to (now Workshop on " in form_error(app)
    assert get_case(store, case.id or 0).escalated_to == "Workshop"


async def test_undo_after_a_colleague_changed_the_follow_up_changes_nothing(
    store: Store, data: dict[str, int], isolated_env: Path
) -> None:
    weekly = add_follow_up(store, "Ben Okafor", "Weekly call", TODAY, TODAY, every="weekly")
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        select_row(app, "Weekly call")
        await pilot.press("d")  # next due a week later
        await settle(pilot)
        colleague = Store.open(store.db.target)
        try:
            # the next day, in another time zone or past midnight
            snooze(colleague, str(weekly.id), TODAY + timedelta(9), TODAY + timedelta(1))
        finally:
            colleague.close()
        kept = store.follow_ups.for_contact(data["Ben Okafor"], open_only=False)
        await pilot.press("u")
        await settle(pilot)
        assert f"follow-up {weekly.id} was changed by someone else" in toasts(app)
    assert store.follow_ups.for_contact(data["Ben Okafor"], open_only=False) == kept
    after = store.follow_ups.get(weekly.id or 0)
    assert after is not None and after.snoozed_until == TODAY + timedelta(9)
