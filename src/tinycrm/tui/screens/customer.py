"""One customer's card: fields, lifecycle stage history, open follow-ups, sales, cases,
satisfaction chart and the timeline of notes and interactions."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tinycrm.errors import CrmError
from tinycrm.money import format_minor
from tinycrm.services.card import ContactDetails, asked_for, contact_details
from tinycrm.tui import keys
from tinycrm.tui.actions import CustomerActions
from tinycrm.tui.context import CommandList, crm
from tinycrm.tui.safe import block, safe
from tinycrm.tui.screens.history import HistoryScreen
from tinycrm.tui.widgets.queue_table import ALERT, kind_label, lateness
from tinycrm.tui.widgets.satisfaction_chart import satisfaction_chart
from tinycrm.vocabulary import Severity

NOTES_PAGE = 30
SALES_SHOWN = 5


def contact_fields(details: ContactDetails) -> Text:
    c = details.contact
    rows: list[tuple[str, str | None]] = [
        ("Company", c.company),
        ("Email", ", ".join(c.emails)),
        ("Phone", ", ".join(c.phones)),
        ("Address", c.address),
        ("Birthday", c.birthday.display() if c.birthday else None),
        ("Dates", "; ".join(f"{a.label} {a.when.display()}" for a in c.anniversaries)),
        ("Tags", ", ".join(c.tags)),
        ("Type", c.relationship_type.value if c.relationship_type else None),
        ("Check in", f"every {c.cadence_days} days" if c.cadence_days else None),
        ("Last touch", c.last_touch_on.isoformat() if c.last_touch_on else None),
        ("Owner", details.owner),
        ("Referrer", c.referrer),
        ("Brought in", ", ".join(name for _, name in details.referred)),
        ("Asked for", "; ".join(asked_for(details))),
    ]
    text = Text()
    for label, value in rows:
        if value:
            text.append(f"{label:<11}", style="dim")
            text.append_text(safe(value))
            text.append("\n")
    if c.archived:
        text.append("archived\n", style="bold yellow")
    text.rstrip()
    return text


def stage_line(details: ContactDetails) -> Text:
    if not details.stages:
        return Text("no lifecycle stage yet", style="dim")
    text = Text()
    for i, change in enumerate(details.stages):
        if i:
            text.append(" → ", style="dim")
        last = i == len(details.stages) - 1
        text.append(change.stage.value, style="bold" if last else "")
        text.append(f" {change.changed_on.isoformat()}", style="dim")
    return text


def timeline(details: ContactDetails) -> Text:
    if not details.notes:
        return Text("no notes yet", style="dim")
    text = Text()
    for row in details.notes:
        note = row.note
        text.append(note.on.isoformat(), style="bold")
        text.append(f"  {note.channel.value}" if note.channel else "  note", style="cyan")
        text.append("\n  ")
        text.append_text(block(note.body.replace("\n", "\n  ")))
        text.append("\n")
    if details.note_count > len(details.notes):
        text.append(f"… {details.note_count - len(details.notes)} older notes (m: more)\n",
                    style="dim")  # fmt: skip
    text.rstrip()
    return text


def follow_ups(details: ContactDetails, alert: str = ALERT) -> Text:
    if not details.follow_ups:
        return Text("nothing open (f: add one)", style="dim")
    text = Text()
    for item in details.follow_ups:
        label = kind_label(item.kind)
        label.align("left", 16)
        text.append_text(label)
        text.append_text(safe(item.title))
        if item.detail:
            text.append_text(safe(f" · {item.detail}", "dim"))
        text.append("  ")
        text.append_text(lateness(item, alert))
        text.append("\n")
    text.rstrip()
    return text


def open_cases(details: ContactDetails, today: date, alert: str = ALERT) -> Text:
    cases = [row.case for row in details.cases if row.case.is_open]
    closed = len(details.cases) - len(cases)
    text = Text()
    if not cases:
        text.append("no open cases (k: open one)", style="dim")
    for case in cases:
        text.append(f"#{case.id} ", style="dim")
        text.append(
            case.severity.value, style="bold red" if case.severity == Severity.HIGH else "bold"
        )
        text.append("  ")
        text.append_text(safe(case.title))
        text.append(f"  opened {case.opened_on.isoformat()}", style="dim")
        late = (today - case.target_on).days
        if late > 0:
            text.append(f"  {late}d past the response target", style=alert)
        else:
            text.append(f"  respond by {case.target_on.isoformat()}", style="dim")
        if case.escalated_to:
            text.append("  escalated to ", style="dim")
            text.append_text(safe(case.escalated_to))
        text.append("\n")
    if closed:
        text.append(f"{closed} resolved (crm cases list)", style="dim")
    text.rstrip()
    return text


def survey_history(details: ContactDetails, today: date) -> Text:
    """The surveys e-mailed to the contact and their answers, the e-mails held for review,
    (nothing at all for a contact never surveyed)."""
    scores = {score.id: score for score in details.scores}
    text = Text()
    for survey in details.surveys:
        text.append(f"\n{survey.sent_on.isoformat()} ", style="dim")
        text.append(f"{survey.scale.value.upper()} survey e-mailed to ")
        text.append_text(safe(survey.address))
        answer = scores.get(survey.score_id)
        if survey.bounced_on is not None and survey.answered_on is None:
            text.append(f": bounced on {survey.bounced_on.isoformat()}, call instead", style="bold")
        elif answer is not None and survey.answered_on is not None:
            text.append(f": answered {answer.score} on {survey.answered_on.isoformat()}")
        elif survey.answered_on is not None:
            text.append(f": answered on {survey.answered_on.isoformat()}")
        elif today > survey.expires_on:
            text.append(f": no answer (expired {survey.expires_on.isoformat()})", style="dim")
        else:
            text.append(f": no answer yet (until {survey.expires_on.isoformat()})", style="dim")
    for row in details.held_mail:
        text.append("\nheld for review: ", style="bold")
        text.append_text(safe(row.record.sender))
        if row.record.score is not None:
            text.append(f" ({row.record.score})")
        text.append(" — ")
        text.append_text(safe(row.record.reason))
        text.append(f" (crm mail review, id {row.record.id})", style="dim")
    return text


def sales_list(details: ContactDetails) -> Text:
    if not details.sales:
        return Text("no sales yet ($: record one)", style="dim")
    text = Text()
    for row in details.sales[:SALES_SHOWN]:
        sale = row.sale
        text.append(sale.sold_on.isoformat(), style="dim")
        text.append(f"  {format_minor(sale.amount_minor, sale.currency):>14}  ", style="bold")
        text.append_text(safe(", ".join(sale.products)))
        text.append("\n")
    if len(details.sales) > SALES_SHOWN:
        text.append("older sales: crm sales list", style="dim")
    text.rstrip()
    return text


class CustomerScreen(CustomerActions):
    """One card screen, reused for every customer (see `CrmApp.open_customer`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        keys.BACK,
        *keys.CUSTOMER_KEYS,
        keys.MORE_NOTES,
        keys.HISTORY,
        keys.REFRESH,
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.note_limit = NOTES_PAGE
        self.details: ContactDetails | None = None
        self.loaded = False
        self._read = -1  # the app's write generation when this card was last read

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="card"):
            yield Static("", id="customer-name")
            yield Static("", id="customer-fields")
            yield Static("Lifecycle", classes="section-title")
            yield Static("", id="customer-stages")
            yield Static("Open follow-ups (30 days)", classes="section-title")
            yield Static("", id="customer-follow-ups")
            yield Static("Open cases", classes="section-title")
            yield Static("", id="customer-cases")
            yield Static("Satisfaction", classes="section-title")
            yield Static("", id="customer-satisfaction")
            yield Static("Sales", classes="section-title")
            yield Static("", id="customer-sales")
            yield Static("Notes and interactions", classes="section-title")
            yield Static("", id="customer-notes")
        yield Footer(compact=True)

    def show_contact(self, contact_id: int) -> None:
        """Point the card at another customer; it is read when shown (or now, if it is)."""
        if contact_id != self.contact_id:
            self.contact_id = contact_id
            self.note_limit = NOTES_PAGE
            self._read = -1
        self.loaded = False
        if self.is_current:
            self.reload()

    def on_screen_resume(self) -> None:
        if not self.loaded or self._read != crm(self).generation:
            self.reload()

    def reload(self, *, keep_place: bool = False) -> None:
        """Read the customer again and show the card from its top (`keep_place`: where the
        reader has scrolled to)."""
        app = crm(self)
        try:
            details = contact_details(
                app.store,
                str(self.contact_id),
                note_limit=self.note_limit,
                today=app.today,
                settings=app.settings,
            )
        except CrmError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self._read = app.generation
        self.details = details
        c = details.contact
        self.sub_title = c.name
        name = safe(c.name, "bold")
        if c.stage:
            name.append(f"  {c.stage.value}", style="italic")
        name.append(f"  #{c.id}", style="dim")
        self.query_one("#customer-name", Static).update(name)
        self.query_one("#customer-fields", Static).update(contact_fields(details))
        self.query_one("#customer-stages", Static).update(stage_line(details))
        alert = app.alert_style
        self.query_one("#customer-follow-ups", Static).update(follow_ups(details, alert))
        self.query_one("#customer-cases", Static).update(open_cases(details, app.today, alert))
        chart = satisfaction_chart(details.scores, app.today, width=max(40, self.size.width - 4))
        chart.append_text(survey_history(details, app.today))
        self.query_one("#customer-satisfaction", Static).update(chart)
        self.query_one("#customer-sales", Static).update(sales_list(details))
        self.query_one("#customer-notes", Static).update(timeline(details))
        if not keep_place:
            card = self.query_one("#card", VerticalScroll)
            card.scroll_home(animate=False)
            card.focus()
        self.loaded = True

    # -- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_more_notes(self) -> None:
        if self.details and self.details.note_count > self.note_limit:
            self.note_limit += 200
            self.reload()

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.contact_id))

    def action_reload(self) -> None:
        self.reload()

    def show_changes(self) -> None:
        if self.loaded:
            self.reload(keep_place=True)

    def selected_customer(self) -> tuple[int, str] | None:
        return (self.contact_id, self.details.contact.name) if self.details else None

    def commands(self) -> CommandList:
        return [
            *self.customer_commands(),
            ("More notes", "Show older notes", self.action_more_notes),
            ("History", "Who changed what about this customer, and when", self.action_history),
            ("Back", "Return to the previous screen", self.action_back),
        ]
