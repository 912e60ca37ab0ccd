"""User text is data: on every screen, toast and form a name or title shows literally, and no
control sequence from it reaches the terminal (issue 21: OSC 52 set the clipboard, a title
crashed the TUI as markup)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.services.sales import add_sale
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.base import FormScreen
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.contact_table import ContactTable

from .conftest import TODAY, screen_text
from .terminal import run_in_terminal

CLIPBOARD = "\x1b]52;c;Y3VybCBldmls\x07"  # OSC 52 ("curl evil" to the clipboard), BEL-ended
WINDOW_TITLE = "\x1b]0;pwned\x1b\\"  # OSC 0, ST-ended
C1_CSI = "\x9b2J"  # CSI as one C1 byte: clear the screen
MARKUP = "[/] [@click=app.quit]quit[/] [link=https://evil.example]link[/link]"
HOSTILE_NAME = f"Ann {CLIPBOARD}{WINDOW_TITLE}{C1_CSI} {MARKUP} Lee"
HOSTILE_TITLE = f"Call {WINDOW_TITLE}{CLIPBOARD}{C1_CSI} {MARKUP}"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_data(store: Store) -> int:
    fields = ContactFields(name=HOSTILE_NAME, company=HOSTILE_NAME, tags=["evil"],
                           emails=["ann@example.com"], relationship_type="personal")  # fmt: skip
    contact = add_contact(store, fields, TODAY - timedelta(100))
    ref = str(contact.id)
    add_note(store, ref, f"note {HOSTILE_TITLE}", TODAY - timedelta(2), "call")
    add_follow_up(store, ref, HOSTILE_TITLE, TODAY - timedelta(2), TODAY - timedelta(9))
    add_follow_up(store, ref, f"Skip {HOSTILE_TITLE}", TODAY, TODAY - timedelta(9))
    add_follow_up(store, ref, f"Later {HOSTILE_TITLE}", TODAY + timedelta(2), TODAY)
    add_sale(store, ref, "10.00", sold_on=TODAY - timedelta(5), today=TODAY, currency="EUR",
             products=[HOSTILE_TITLE])  # fmt: skip
    return contact.id or 0


def squash(text: str) -> str:
    """`text` without spaces, line breaks and the toast's edge (a toast wraps its text)."""
    return re.sub(r"[\s▌]", "", text)


def shown(app: CrmApp) -> str:
    return squash(screen_text(app))


async def check(pilot: Pilot[None], *keys: str) -> str:
    """Press `keys`, then: no control character on screen; the screen's text."""
    await pilot.press(*keys)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app, CrmApp)
    svg = pilot.app.export_screenshot()
    found = CONTROL.findall(svg.replace("\n", "").replace("\t", ""))
    assert not found, f"control characters on screen after {keys}: {found!r}"
    return shown(pilot.app)


async def test_every_screen_and_toast_shows_hostile_text_inert(store: Store) -> None:
    hostile_data(store)
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        queue = await check(pilot)
        assert "␛]0;pwned" in queue
        for keys in (["s"], ["D"], ["n"], ["c"], ["f"], ["dollar_sign"], ["asterisk"], ["k"]):
            form = await check(pilot, *keys)
            assert isinstance(app.screen, FormScreen) and "␛]52;c;" in form, keys
            await check(pilot, "escape")
        await check(pilot, "s")  # a form's error line repeats what was typed
        app.screen.query_one("#field-until", Input).value = WINDOW_TITLE
        assert "␛]0;pwned" in await check(pilot, "enter")
        await check(pilot, "escape")
        card = await check(pilot, "enter")
        assert isinstance(app.screen, CustomerScreen)
        assert card.count("␛]52;c;") >= 4  # header, name line, company, follow-ups, notes, sales
        await check(pilot, "e")  # the edit form holds the name in its inputs
        await check(pilot, "escape", "escape")
        assert squash("Done: Call ␛]0;pwned") in await check(pilot, "d")
        assert squash("Skipped: Skip Call ␛]0;pwned") in await check(pilot, "x")
        listed = await check(pilot, "f3")
        assert squash("Ann ␛]52;c;") in listed
        await check(pilot, "slash", *"ann", "enter")
        assert app.screen.query_one(ContactTable).row_count == 1
        await check(pilot, "f1")
        await check(pilot, "escape", "ctrl+p")
        await check(pilot, "escape")


@pytest.mark.parametrize(("key", "verb"), [("d", "Done"), ("x", "Skipped")])
async def test_markup_in_a_title_is_text_in_the_toast(store: Store, key: str, verb: str) -> None:
    ref = str(add_contact(store, ContactFields(name="Ana Souza"), TODAY).id)
    add_follow_up(store, ref, "Send the [/] price list", TODAY, TODAY)
    add_follow_up(store, ref, "[@click=app.quit]Quit[/] [link=https://evil.example]x",
                            TODAY, TODAY)  # fmt: skip
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        assert squash("Send the [/] price list") in await check(pilot, key)  # was a MarkupError
        app.clear_notifications()
        toast = await check(pilot, key)
        assert squash(f"{verb}: [@click=app.quit]Quit[/] [link=https://evil.example]x") in toast
        # Where "Quit" would be, were the title markup: past the toast's edge, padding and verb.
        await pilot.click("Toast", offset=(len(f"{verb}: ") + 2, 1))
        await pilot.pause()
        assert app.is_running  # the text is not an action
        assert not app.query("Toast")  # the click reached the toast: it closed


def test_no_escape_reaches_the_terminal(tmp_path: Path) -> None:
    """The real `crm tui` on a pty: open the hostile customer's card, go back, mark the
    follow-up done; not one byte of the payloads is written, their visible forms are."""
    db = tmp_path / "hostile.db"
    store = Store.open(db, create=True)
    hostile_data(store)
    store.close()
    session = run_in_terminal(
        ["--db", str(db), "tui", "--as-of", TODAY.isoformat()],
        [("\r", b"Lifecycle"), ("\x1b", b"Kind"), ("d", b"Done:"), ("\x11", b"")],
        ready=b"Follow-ups",
    )
    out = session.output
    assert session.returncode == 0, out[-2000:]
    assert "␛]52;c;".encode() in out and "␛]0;pwned".encode() in out  # shown, as pictures
    assert b"\x1b]52" not in out
    assert b"\x1b]0;pwned" not in out
    assert "\x9b".encode() not in out and b"\x9b2J" not in out
