"""A company's card: its owner, people and roles, sales and purchase interval, open cases,
satisfaction across its people and the last interaction with anyone there."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tinycrm.errors import CrmError
from tinycrm.money import format_minor
from tinycrm.services.companies import CompanyCard, card_summary, company_card
from tinycrm.tui import keys
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.safe import safe

SALES_SHOWN = 5


def summary(card: CompanyCard) -> Text:
    text = Text()
    for label, value in card_summary(card):
        if value:
            text.append(f"{label:<17}", style="dim")
            text.append_text(safe(value))
            text.append("\n")
    text.rstrip()
    return text


def people(card: CompanyCard) -> Text:
    if not card.people:
        return Text("nobody there yet (e: a contact's company)", style="dim")
    text = Text()
    for person in card.people:
        text.append_text(safe(person.name, "bold"))
        if person.role:
            text.append_text(safe(f"  {person.role}", "italic"))
        last = person.last_touch_on.isoformat() if person.last_touch_on else "never contacted"
        text.append(f"  {last}\n", style="dim")
    for gone in card.departures:
        text.append_text(safe(gone.contact_name, "dim"))
        text.append(f"  left {gone.left_on.isoformat()}\n", style="dim")
    text.rstrip()
    return text


def cases(card: CompanyCard) -> Text:
    if not card.open_cases:
        return Text("no open cases", style="dim")
    text = Text()
    for row in card.open_cases:
        text.append(f"#{row.case.id} ", style="dim")
        text.append_text(safe(row.case.title))
        text.append_text(safe(f"  {row.contact_name}", "italic"))
        text.append(f"  respond by {row.case.target_on.isoformat()}\n", style="dim")
    text.rstrip()
    return text


def sales(card: CompanyCard) -> Text:
    if not card.sales:
        return Text("no sales yet", style="dim")
    text = Text()
    for row in card.sales[:SALES_SHOWN]:
        sale = row.sale
        text.append(sale.sold_on.isoformat(), style="dim")
        text.append(f"  {format_minor(sale.amount_minor, sale.currency):>14}  ", style="bold")
        text.append_text(safe(row.contact_name))
        text.append("\n")
    if len(card.sales) > SALES_SHOWN:
        text.append("all of them: crm companies show", style="dim")
    text.rstrip()
    return text


class CompanyScreen(Screen[None]):
    """One company's card, opened from a customer (the card or the list) with `C`."""

    BINDINGS: ClassVar[list[BindingType]] = [keys.BACK, keys.REFRESH]

    def __init__(self, company_id: int) -> None:
        super().__init__()
        self.company_id = company_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="company-card"):
            yield Static("", id="company-name")
            yield Static("", id="company-fields")
            yield Static("People", classes="section-title")
            yield Static("", id="company-people")
            yield Static("Open cases", classes="section-title")
            yield Static("", id="company-cases")
            yield Static("Sales", classes="section-title")
            yield Static("", id="company-sales")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = crm(self)
        try:
            card = company_card(app.store, str(self.company_id), app.today)
        except CrmError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self.sub_title = card.company.name
        name = safe(card.company.name, "bold")
        name.append(f"  #{card.company.id}", style="dim")
        self.query_one("#company-name", Static).update(name)
        self.query_one("#company-fields", Static).update(summary(card))
        self.query_one("#company-people", Static).update(people(card))
        self.query_one("#company-cases", Static).update(cases(card))
        self.query_one("#company-sales", Static).update(sales(card))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def show_changes(self) -> None:
        self.reload()

    def commands(self) -> CommandList:
        return [("Back", "Return to the previous screen", self.action_back)]
