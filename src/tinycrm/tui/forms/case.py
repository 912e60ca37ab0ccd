"""Cases: opening one for a customer, escalating and resolving an open one."""

from __future__ import annotations

from collections.abc import Sequence

from tinycrm.models.cases import Case
from tinycrm.services import cases
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values
from tinycrm.vocabulary import RESPONSE_DAYS, Severity

SEVERITIES = tuple(
    (f"{s.value} (respond in {RESPONSE_DAYS[s]} day{'s' if RESPONSE_DAYS[s] > 1 else ''})", s.value)
    for s in Severity
)


def case_choices(open_cases: Sequence[Case]) -> tuple[tuple[str, str], ...]:
    return tuple((f"#{c.id} {c.severity.value}: {c.title}", str(c.id)) for c in open_cases)


class CaseForm(FormScreen[int]):
    """Open a case for a customer; its response target enters the queue. Dismisses with its id."""

    def __init__(self, contact_id: int, contact_name: str) -> None:
        self.contact_id = contact_id
        fields = [
            Field("title", "What went wrong", placeholder="Brake squeal after the service"),
            Field("severity", "Severity", Severity.NORMAL.value, options=SEVERITIES),
        ]
        super().__init__(f"Open a case: {contact_name}", fields, self.save)

    async def save(self, values: Values) -> int:
        app = crm(self)
        ref, today = str(self.contact_id), app.today

        def change(store: Store) -> int:
            severity = values["severity"] or Severity.NORMAL.value
            return (
                cases.open_case(store, ref, values["title"], severity=severity, today=today).id or 0
            )

        return await app.write(change)


class EscalateForm(FormScreen[int]):
    """Hand an open case over to someone. Dismisses with the case's id."""

    def __init__(self, contact_name: str, open_cases: Sequence[Case]) -> None:
        fields = [
            Field("case", "Case", str(open_cases[0].id), options=case_choices(open_cases)),
            Field("to", "Escalate to", placeholder="who takes it over"),
        ]
        self.loaded = {str(case.id): case for case in open_cases}  # as the form shows them
        super().__init__(f"Escalate a case: {contact_name}", fields, self.save)

    async def save(self, values: Values) -> int:
        app = crm(self)
        today = app.today

        loaded = self.loaded.get(values["case"])

        def change(store: Store) -> int:
            return cases.escalate(store, values["case"], values["to"], today, loaded=loaded).id or 0

        return await app.write(change)


class ResolveForm(FormScreen[int]):
    """Resolve an open case, saying how. Dismisses with the case's id."""

    def __init__(self, contact_name: str, open_cases: Sequence[Case]) -> None:
        fields = [
            Field("case", "Case", str(open_cases[0].id), options=case_choices(open_cases)),
            Field("how", "How it was resolved", placeholder="replaced the brake pads"),
        ]
        self.loaded = {str(case.id): case for case in open_cases}  # as the form shows them
        super().__init__(f"Resolve a case: {contact_name}", fields, self.save)

    async def save(self, values: Values) -> int:
        app = crm(self)
        today = app.today

        loaded = self.loaded.get(values["case"])

        def change(store: Store) -> int:
            return cases.resolve(store, values["case"], values["how"], today, loaded=loaded).id or 0

        return await app.write(change)
