"""A small, fixed data set for TUI tests and snapshots (independent of the growing demo data)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from tinycrm.services import followups
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.widgets.queue_table import QueueTable

TODAY = date(2026, 11, 26)


HOSTILE = ["[/]", "[red]x", "evil\x1b[2Jclear", "[link=http://x]y[/link]"]


def screen_text(app: CrmApp) -> str:
    """What the screen shows, as text (from the SVG screenshot Textual exports, toasts too)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]*>", "", svg)).replace("\xa0", " ")


def seed(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}
    people = [
        ("Ana Souza", "ana@example.com", "long-term", "commitment", ["regular"], "1980-03-14"),
        ("Ben Okafor", "ben@example.com", "personal", "commitment", ["vip"], "26 nov"),
        ("Chloé Martin", "chloe@martin.fr", "dedicated", "expansion", ["b2b"], None),
        ("Dmitri Ivanov", None, "transactional", "awareness", ["commuter"], None),
    ]
    for name, email, kind, stage, tags, birthday in people:
        fields = ContactFields(
            name=name,
            emails=[email] if email else None,
            relationship_type=kind,
            stage=stage,
            tags=tags,
            birthday=birthday,
        )
        ids[name] = add_contact(store, fields, date(2026, 1, 10)).id or 0
    add_note(store, "Ana Souza", "Called about the spring service.", date(2026, 10, 2), "call")
    add_note(store, "Ana Souza", "Prefers afternoons.", date(2026, 11, 20))
    add_note(store, "Ben Okafor", "Bought a gravel bike.", date(2026, 11, 1), "visit")
    return ids


@pytest.fixture(autouse=True)
def lasting_toasts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Toasts stay until the test has read them: on a loaded machine Textual's 5 s can pass
    between a toast and the test reading the screen, as they cannot on a quiet one."""
    monkeypatch.setattr(CrmApp, "NOTIFICATION_TIMEOUT", 3600)


@pytest.fixture
def data(store: Store) -> dict[str, int]:
    return seed(store)


@pytest.fixture
def app(store: Store, data: dict[str, int]) -> CrmApp:
    return CrmApp(store, TODAY)


def queue_titles(app: CrmApp) -> list[str]:
    """The titles of the rows the queue screen shows."""
    return [item.title for item in app.screen.query_one(QueueTable).items.values()]


def select_row(app: CrmApp, title: str) -> None:
    """Put the queue's cursor on the row with `title`."""
    table = app.screen.query_one(QueueTable)
    handle = next(h for h, item in table.items.items() if item.title == title)
    table.move_cursor(row=table.get_row_index(handle), animate=False)


def open_titles(store: Store) -> list[str]:
    """The titles of the open rows in the next 7 days' queue, as the services build it."""
    queue = followups.build_queue(store, TODAY, days=7)
    return [i.title for i in [*queue.overdue, *queue.today, *queue.upcoming]]
