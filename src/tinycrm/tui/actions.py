"""What can be done for the selected customer, the same on the queue, the list and the card.

A screen says which customer is selected (`selected_customer`); the actions open the forms and
say what was saved. The forms call the services.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from tinycrm.models.cases import Case
from tinycrm.services.cases import list_cases
from tinycrm.services.contacts import get_contact
from tinycrm.tui.context import CommandList, crm


class CustomerActions(Screen[None]):
    def selected_customer(self) -> tuple[int, str] | None:
        """(id, name) of the customer the actions are for; None (after saying why) if none."""
        raise NotImplementedError

    def show_changes(self) -> None:
        """Someone changed the database: read what this screen shows again, keeping the cursor
        on the same row (and the card where it is scrolled to)."""
        raise NotImplementedError

    def saved(self, message: str) -> Callable[[object], None]:
        """A form's dismiss callback: `message` when the form saved something."""

        def done(result: object) -> None:
            if result is not None:
                self.notify(message)

        return done

    def action_edit(self) -> None:
        from tinycrm.tui.forms.contact import ContactForm

        if chosen := self.selected_customer():
            contact = get_contact(crm(self).store, chosen[0])
            self.app.push_screen(ContactForm(contact), self.saved("Contact saved"))

    def action_note(self, channel: str | None = None) -> None:
        from tinycrm.tui.forms.note import NoteForm

        if chosen := self.selected_customer():
            message = "Call logged" if channel else "Note added"
            self.app.push_screen(NoteForm(*chosen, channel), self.saved(message))

    def action_log_call(self) -> None:
        self.action_note("call")

    def action_follow_up(self) -> None:
        from tinycrm.tui.forms.followup import FollowUpForm

        if chosen := self.selected_customer():
            self.app.push_screen(FollowUpForm(*chosen), self.saved("Follow-up added"))

    def action_sale(self) -> None:
        from tinycrm.tui.forms.sale import SaleForm

        if chosen := self.selected_customer():
            currency = crm(self).settings.default_currency
            self.app.push_screen(SaleForm(*chosen, currency), self.saved("Sale recorded"))

    def action_score(self) -> None:
        from tinycrm.tui.forms.sale import ScoreForm

        if chosen := self.selected_customer():
            self.app.push_screen(ScoreForm(*chosen), self.saved("Score recorded"))

    def action_open_case(self) -> None:
        from tinycrm.tui.forms.case import CaseForm

        if chosen := self.selected_customer():
            self.app.push_screen(CaseForm(*chosen), self.saved("Case opened"))

    def _open_cases(self) -> tuple[str, list[Case]] | None:
        chosen = self.selected_customer()
        if chosen is None:
            return None
        found = [row.case for row in list_cases(crm(self).store, str(chosen[0]), open_only=True)]
        if not found:
            self.notify(f"{chosen[1]} has no open case (k: open one)", severity="warning")
            return None
        return chosen[1], found

    def action_escalate_case(self) -> None:
        from tinycrm.tui.forms.case import EscalateForm

        if found := self._open_cases():
            self.app.push_screen(EscalateForm(*found), self.saved("Case escalated"))

    def action_resolve_case(self) -> None:
        from tinycrm.tui.forms.case import Resolved, ResolveForm

        def resolved(result: Resolved | None) -> None:
            if result is not None:
                failed = any(outcome.error for outcome in result.mailed)
                self.notify(result.message(), severity="warning" if failed else "information")

        if found := self._open_cases():
            self.app.push_screen(ResolveForm(*found), resolved)

    def action_company(self) -> None:
        """The selected customer's company card."""
        if chosen := self.selected_customer():
            contact = get_contact(crm(self).store, chosen[0])
            if contact.company_id is None:
                self.notify(f"{contact.name} is not at a company (e: set one)", severity="warning")
                return
            crm(self).open_company(contact.company_id)

    def customer_commands(self) -> CommandList:
        return [
            ("Edit contact", "Edit the customer's fields", self.action_edit),
            ("Add a note", "A note about the customer", self.action_note),
            ("Log a call", "A call with the customer (and how long)", self.action_log_call),
            ("Add a follow-up", "Something to do for the customer", self.action_follow_up),
            ("Record a sale", "Amount, currency, products; after-sale follow-ups",
             self.action_sale),
            ("Record a satisfaction score", "CSAT 1–5 or NPS 0–10, with a comment",
             self.action_score),
            ("Open a case", "A complaint or problem, with a response target",
             self.action_open_case),
            ("Escalate a case", "Hand an open case over to someone", self.action_escalate_case),
            ("Resolve a case", "Close an open case, saying how", self.action_resolve_case),
            ("Company card", "The customer's company: its people, sales, cases",
             self.action_company),
        ]  # fmt: skip
