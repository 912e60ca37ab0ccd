"""Adding a note or logging an interaction (a call, a visit…)."""

from __future__ import annotations

from tinycrm import validation
from tinycrm.errors import UsageError
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values, collect
from tinycrm.vocabulary import Channel


def minutes(text: str) -> int | None:
    """The typed duration: empty for none, else whole minutes (the service checks the range)."""
    text = text.strip().removesuffix("min").strip()
    if not text:
        return None
    if not text.isdigit():
        raise UsageError(f"minutes: a whole number, e.g. 15 (not {text!r})")
    return int(text)


class NoteForm(FormScreen[int]):
    """A note about one contact; with a channel it is an interaction. Dismisses with its id."""

    def __init__(self, contact_id: int, contact_name: str, channel: str | None = None) -> None:
        self.contact_id = contact_id
        title = f"Log a {channel}" if channel else "Add a note"
        fields = [
            Field("body", "Note", placeholder="What happened, what was agreed"),
            Field(
                "channel",
                "Interaction (empty for a plain note)",
                channel or "",
                options=tuple((c.value, c.value) for c in Channel),
            ),
            Field("on", "Date", "today", "today, yesterday, 2026-11-20, -3d"),
            Field("minutes", "Minutes (optional)", placeholder="how long it took, e.g. 15"),
        ]
        super().__init__(f"{title}: {contact_name}", fields, self.save, check=self.check_values)

    def check_values(self, values: Values) -> None:
        collect(
            {
                "channel": lambda: values["channel"] and validation.channel(values["channel"]),
                "on": lambda: crm(self).parse_date(values["on"] or "today", past=True),
                "minutes": lambda: minutes(values["minutes"]),
            }
        )

    async def save(self, values: Values) -> int:
        app = crm(self)
        on, today = app.parse_date(values["on"] or "today", past=True), app.today
        contact_id, duration = self.contact_id, minutes(values["minutes"])

        def change(store: Store) -> int:
            channel = values["channel"] or None
            note = add_note(
                store, str(contact_id), values["body"], on, channel, duration, today=today
            )
            return note.id or 0

        return await app.write(change)
