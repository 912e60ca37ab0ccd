"""Follow-up forms: add one, mark one done (with an optional note), snooze one."""

from __future__ import annotations

from datetime import date

from tinycrm import validation
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values, collect
from tinycrm.vocabulary import Channel, FollowUpKind

CHANNELS = tuple((c.value, c.value) for c in Channel)


class FollowUpForm(FormScreen[str]):
    """A new follow-up for a contact; dismisses with its title."""

    def __init__(self, contact_id: int, contact_name: str) -> None:
        self.contact_id = contact_id
        fields = [
            Field("title", "What to do", placeholder="Call about the winter service"),
            Field("due", "Due", "+1w", "tomorrow, friday, +2w, 2026-12-01"),
            Field(
                "kind",
                "Kind",
                FollowUpKind.CUSTOM.value,
                options=tuple((k.value, k.value) for k in FollowUpKind),
            ),
            Field("every", "Repeat (empty: once)", placeholder="monthly, every 3 months, yearly"),
        ]
        super().__init__(
            f"New follow-up: {contact_name}",
            fields,
            self.save,
            check=lambda v: collect({"due": lambda: crm(self).parse_date(v["due"])}),
        )

    async def save(self, values: Values) -> str:
        from tinycrm.services import followups

        app = crm(self)
        due = app.parse_date(values["due"])
        ref, today = str(self.contact_id), app.today

        def change(store: Store) -> str:
            followups.add_follow_up(
                store,
                ref,
                values["title"],
                due,
                today,
                kind=values["kind"] or None,
                every=values["every"].strip() or None,
            )
            return values["title"]

        return await app.write(change)


class SnoozeForm(FormScreen[date]):
    """Move a queue item to a later day; dismisses with that day."""

    def __init__(self, handle: str, what: str) -> None:
        self.handle = handle
        fields = [Field("until", "Snooze until", "+1d", "+3d, monday, dec 24, 2026-12-01")]
        super().__init__(
            f"Snooze: {what}",
            fields,
            self.save,
            check=lambda v: collect({"until": lambda: crm(self).parse_date(v["until"])}),
        )

    async def save(self, values: Values) -> date:
        from tinycrm.services import followups

        app = crm(self)
        until, today, handle = app.parse_date(values["until"]), app.today, self.handle
        settings = app.settings

        def change(store: Store) -> date:
            followups.snooze(store, handle, until, today, settings=settings)
            return until

        return await app.write(change)


class DoneForm(FormScreen[str]):
    """Mark a queue item done, optionally logging a note (an interaction with a channel)."""

    def __init__(self, handle: str, what: str, channel: str | None = None) -> None:
        self.handle = handle
        fields = [
            Field("note", "Note (optional)", placeholder="What happened"),
            Field("channel", "Interaction (optional)", channel or "", options=CHANNELS),
        ]
        super().__init__(
            f"Done: {what}",
            fields,
            self.save,
            check=lambda v: collect(
                {"channel": lambda: v["channel"] and validation.channel(v["channel"])}
            ),
        )

    async def save(self, values: Values) -> str:
        from tinycrm.services import followups

        app = crm(self)
        today, handle, settings = app.today, self.handle, app.settings
        note = values["note"].strip() or None
        channel = values["channel"] or None

        def change(store: Store) -> str:
            followups.complete(store, handle, today, note=note, channel=channel, settings=settings)
            return handle

        return await app.write(change)
