"""Pass-on: one follow-up for every active contact with a tag (news, an offer)."""

from __future__ import annotations

from tinycrm.services.passon import PassedOn, pass_on
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values, collect


class PassOnForm(FormScreen[PassedOn]):
    """Dismisses with the follow-ups created and how many were skipped."""

    def __init__(self) -> None:
        fields = [
            Field("text", "What to pass on", placeholder="the spring sale starts on Monday"),
            Field("tag", "To everyone tagged", placeholder="regular"),
            Field("due", "Due", "today", "today, friday, +3d, 2026-12-01"),
        ]
        super().__init__(
            "Pass on news",
            fields,
            self.save,
            check=lambda v: collect({"due": lambda: crm(self).parse_date(v["due"] or "today")}),
        )

    async def save(self, values: Values) -> PassedOn:
        app = crm(self)
        due = app.parse_date(values["due"] or "today")

        def change(store: Store) -> PassedOn:
            return pass_on(store, values["text"], values["tag"], due)

        return await app.write(change)
