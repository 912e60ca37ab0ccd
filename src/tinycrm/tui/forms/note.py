"""Adding a note or logging an interaction (a call, a visit…)."""

from __future__ import annotations

from tinycrm import validation
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values, collect
from tinycrm.vocabulary import Channel


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
        ]
        super().__init__(f"{title}: {contact_name}", fields, self.save, check=self.check_values)

    def check_values(self, values: Values) -> None:
        collect(
            {
                "channel": lambda: values["channel"] and validation.channel(values["channel"]),
                "on": lambda: crm(self).parse_date(values["on"] or "today"),
            }
        )

    async def save(self, values: Values) -> int:
        app = crm(self)
        on = app.parse_date(values["on"] or "today")
        contact_id = self.contact_id

        def change(store: Store) -> int:
            note = add_note(store, str(contact_id), values["body"], on, values["channel"] or None)
            return note.id or 0

        return await app.write(change)
