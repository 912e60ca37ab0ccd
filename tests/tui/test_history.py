"""The customer's history on the TUI (issue 16): `h` on the card shows who changed what and
when, newest first, as `crm history` does; a change saved in the TUI is recorded as the TUI's."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from conftest import Invoke
from tinycrm.models.users import Identity
from tinycrm.services.contacts import ContactFields, edit_contact
from tinycrm.services.users import add_user
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.contact import ContactForm
from tinycrm.tui.screens.history import HistoryScreen

from .conftest import TODAY, screen_text

# Who changed it and when, from the history: "at 10:02", or "on 2026-12-04 at 23:59".
WHEN = r"(on \d{4}-\d\d-\d\d )?at \d\d:\d\d"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every change recorded at 10:02 UTC on the tests' day, shown in UTC."""
    monkeypatch.setattr(
        "tinycrm.store.history.now_iso", lambda: f"{TODAY.isoformat()}T10:02:00+00:00"
    )
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def test_h_on_the_card_shows_a_change_saved_in_the_tui(
    app: CrmApp, data: dict[str, int], cli: Invoke
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")  # Ana Souza, the first row
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        app.screen.query_one("#field-address", Input).value = "1 Rua Azul"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        lines = [line.split() for line in screen_text(app).splitlines()]
        newest = next(i for i, words in enumerate(lines) if "address:" in words)
        assert lines[newest][3:] == [
            "tui",
            "contact",
            "address:",
            "(empty)",
            "→",
            "1",
            "Rua",
            "Azul",
        ]
        assert any(words[4:7] == ["contact", "added:", "Ana"] for words in lines[newest:])
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HistoryScreen)
    shown = json.loads(cli("history", "Ana Souza", "--json").stdout)
    address = [(e["source"], e["new"]) for e in shown if e["field"] == "address"]
    assert address == [("tui", "1 Rua Azul")]


async def _ana_history(pilot: Pilot[None]) -> None:
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("enter", "h")
    await pilot.pause()


def test_history_screen(
    snap_compare: Any, fixed_clock: None, store: Store, data: dict[str, int]
) -> None:
    bea = add_user(store, "Bea", email="bea@shop.example", login="bea", admin=True)
    store.act_as(Identity(bea, "bea"))  # Bea at the keyboard: the seed's rows are nobody's
    edit_contact(store, "Ana Souza", ContactFields(phones=["555 0101"], owner="Bea"), TODAY)
    assert snap_compare(CrmApp(store, TODAY), terminal_size=(100, 30), run_before=_ana_history)


async def test_a_stale_contact_form_names_the_colleague_who_saved_first(
    store: Store, data: dict[str, int]
) -> None:
    ann = add_user(store, "Ann", email="ann@shop.example", login="ann", admin=True)
    store.act_as(Identity(ann, "ann"))
    add_user(store, "Bea", email="bea@shop.example", login="bea")
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")  # Ana Souza, the first row
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        colleague = Store.open(store.db.target)  # Bea, at her own computer
        try:
            colleague.act_as(Identity(colleague.users.find_by_name("Bea"), "bea"))
            edit_contact(colleague, "Ana Souza", ContactFields(phones=["555 0101"]), TODAY)
        finally:
            colleague.close()
        app.screen.query_one("#field-address", Input).value = "1 Rua Azul"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)  # nothing saved
        error = str(app.screen.query_one("#form-error", Static).render())
        assert re.search(
            rf"Ana Souza \(id {data['Ana Souza']}\) was changed by Bea {WHEN} since you opened"
            r" it: phones \(now 555 0101\)\.",
            error,
        ), error
