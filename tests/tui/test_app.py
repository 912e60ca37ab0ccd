"""The app shell: lazy import, command palette, help, NO_COLOR, 80×24."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.app import SystemCommand

from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.screens.help import HelpScreen

from .conftest import TODAY


def test_cli_start_up_does_not_import_textual() -> None:
    code = "import sys, tinycrm.cli.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def titles(app: CrmApp) -> set[str]:
    return {c.title for c in app.get_system_commands(app.screen) if isinstance(c, SystemCommand)}


async def test_every_action_is_in_the_command_palette(app: CrmApp) -> None:
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert {"Search customers", "Edit contact", "Log a call", "Add contact", "Help"} <= (
            titles(app)
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        assert {"Add a follow-up", "Add a note", "Edit contact", "More notes"} <= titles(app)
        assert {"Record a sale", "Record a satisfaction score"} <= titles(app)


async def test_palette_runs_a_command(app: CrmApp) -> None:
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Customers")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "customers"


async def test_help_opens_and_closes(app: CrmApp) -> None:
    async with app.run_test() as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_no_color_is_honoured(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert app.no_color
