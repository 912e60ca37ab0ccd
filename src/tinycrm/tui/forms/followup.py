"""Follow-up forms: add one, mark one done (with an optional note), snooze one."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tinycrm import validation
from tinycrm.services import satisfaction
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values, collect
from tinycrm.tui.forms.sale import SCALES
from tinycrm.vocabulary import Channel, FollowUpKind, Scale

if TYPE_CHECKING:
    from tinycrm.services.followups import QueueItem

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
        from tinycrm.services.followups.stored import add_follow_up

        app = crm(self)
        due = app.parse_date(values["due"])
        ref, today = str(self.contact_id), app.today

        def change(store: Store) -> str:
            add_follow_up(
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

    def __init__(self, item: QueueItem) -> None:
        self.item = item
        fields = [Field("until", "Snooze until", "+1d", "+3d, monday, dec 24, 2026-12-01")]
        super().__init__(
            f"Snooze: {item.title}",
            fields,
            self.save,
            check=lambda v: collect({"until": lambda: crm(self).parse_date(v["until"])}),
        )

    async def save(self, values: Values) -> date:
        from tinycrm.services.followups.actions import snooze

        app = crm(self)
        until, today, item = app.parse_date(values["until"]), app.today, self.item
        settings = app.settings

        def change(store: Store) -> date:
            snooze(store, item.handle, until, today, settings=settings, loaded=item)
            return until

        return await app.write(change)


class DoneForm(FormScreen[str]):
    """Mark a queue item done, optionally logging a note (an interaction with a channel); a
    satisfaction check also takes the score the customer gave."""

    def __init__(self, item: QueueItem, channel: str | None = None) -> None:
        self.item = item
        self.scored = item.kind == FollowUpKind.SATISFACTION_CHECK
        fields = [
            Field("note", "Note (optional)", placeholder="What happened"),
            Field("channel", "Interaction (optional)", channel or "", options=CHANNELS),
        ]
        if self.scored:
            fields += [
                Field("score", "Score (optional)", placeholder="CSAT 1–5 (5 best) or NPS 0–10"),
                Field("scale", "Scale", Scale.CSAT.value, options=SCALES),
            ]
        super().__init__(
            f"Done: {item.title} ({item.contact_name})", fields, self.save, check=self.check_values
        )

    def check_values(self, values: Values) -> None:
        def score() -> None:
            if values.get("score", "").strip():
                on_scale = satisfaction.scale(values["scale"] or Scale.CSAT.value)
                satisfaction.read_score(values["score"], on_scale)

        collect(
            {
                "channel": lambda: values["channel"] and validation.channel(values["channel"]),
                "score": score,
            }
        )

    async def save(self, values: Values) -> str:
        from tinycrm.services.followups.actions import complete

        app = crm(self)
        today, item, settings = app.today, self.item, app.settings
        note = values["note"].strip() or None
        channel = values["channel"] or None
        score = values.get("score", "").strip()

        def change(store: Store) -> str:
            with store.write():  # the follow-up and its score together, or neither
                complete(
                    store, item.handle, today, note=note, channel=channel, settings=settings,
                    loaded=item,
                )  # fmt: skip
                if score:
                    satisfaction.add_score(
                        store,
                        str(item.contact_id),
                        score,
                        on=today,
                        today=today,
                        scale_name=values["scale"] or Scale.CSAT.value,
                        comment=note,
                        source="satisfaction check",
                    )
            return item.handle

        return await app.write(change)
