"""Cases: opening one for a customer, escalating and resolving an open one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tinycrm.mail import replies
from tinycrm.models.cases import Case
from tinycrm.services import cases
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FormScreen, Values
from tinycrm.vocabulary import RESPONSE_DAYS, Severity
from tinycrm.wording import plural

SEVERITIES = tuple(
    (f"{s.value} (respond in {plural(RESPONSE_DAYS[s], 'day')})", s.value) for s in Severity
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


# Whether the resolution is the reply the customer sees (their portal page, an e-mail).
TELLING = (
    ("yes: their portal page, and e-mailed if the portal is set up", "reply"),
    ("no: a note for staff only", "internal"),
)


@dataclass(frozen=True)
class Resolved:
    case: Case
    mailed: list[replies.Outcome]  # the reply's e-mail, when one was sent or tried

    def message(self) -> str:
        """What the toast says: resolved, and what became of the reply's e-mail."""
        told = f"Case {self.case.id} resolved"
        for outcome in self.mailed:
            if outcome.error is None:
                told += f"; the reply was e-mailed to {outcome.address}"
            else:
                told += f"; the reply was NOT e-mailed ({outcome.error}): crm cases send-replies"
        return told


class ResolveForm(FormScreen[Resolved]):
    """Resolve an open case, saying how: the reply the customer sees, or a note for staff
    only. Dismisses with the case and what became of the reply's e-mail."""

    def __init__(self, contact_name: str, open_cases: Sequence[Case]) -> None:
        fields = [
            Field("case", "Case", str(open_cases[0].id), options=case_choices(open_cases)),
            Field("how", "How it was resolved", placeholder="replaced the brake pads"),
            Field("tell", "The customer sees it", "reply", options=TELLING),
        ]
        self.loaded = {str(case.id): case for case in open_cases}  # as the form shows them
        super().__init__(f"Resolve a case: {contact_name}", fields, self.save)

    async def save(self, values: Values) -> Resolved:
        app = crm(self)
        today = app.today
        internal = values["tell"] == "internal"
        mail = None if internal else replies.reply_mail(app.settings)
        loaded = self.loaded.get(values["case"])

        def change(store: Store) -> Resolved:
            case = cases.resolve(
                store, values["case"], values["how"], today, loaded=loaded,
                internal=internal, mail_reply=mail is not None,
            )  # fmt: skip
            # After the commit: a failed e-mail leaves the reply pending, the case resolved.
            mailed = replies.send_replies(store, mail, case.id) if mail else []
            return Resolved(case, mailed)

        return await app.write(change)
