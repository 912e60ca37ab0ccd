"""Logging notes and interactions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tinycrm import validation
from tinycrm.errors import UsageError
from tinycrm.models.notes import Note
from tinycrm.services import history
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.notes import NoteRow


def add_note(
    store: Store,
    ref: str,
    body: str,
    on: date,
    channel: str | None = None,
    duration_minutes: int | None = None,
    *,
    today: date | None = None,
) -> Note:
    """Log a note; with a channel it is an interaction and restarts the keep-in-touch clock.
    A note dated after `today` is refused (None: trusted callers such as the demo loader)."""
    if today is not None:
        validation.happened_on(on, today, "the note's date")
    text = body.strip()
    if not text:
        raise UsageError("a note needs some text")
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        raise UsageError("a duration is between 0 and 1440 minutes")
    with store.write():
        contact = resolve_ref(store, ref)
        note = Note(
            contact_id=contact.id or 0,
            body=text,
            on=on,
            channel=validation.channel(channel) if channel else None,
            duration_minutes=duration_minutes,
        )
        note_id = store.notes.insert(note)
        history.record(store, [history.note_added(note_id, note)])
    return replace(note, id=note_id)


def list_notes(
    store: Store, ref: str | None = None, since: date | None = None, limit: int | None = None
) -> list[NoteRow]:
    contact_id = resolve_ref(store, ref).id if ref else None
    return store.notes.query(contact_id, since, limit)
