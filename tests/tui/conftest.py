"""A small, fixed data set for TUI tests and snapshots (independent of the growing demo data)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp

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


@pytest.fixture
def data(store: Store) -> dict[str, int]:
    return seed(store)


@pytest.fixture
def app(store: Store, data: dict[str, int]) -> CrmApp:
    return CrmApp(store, TODAY)
