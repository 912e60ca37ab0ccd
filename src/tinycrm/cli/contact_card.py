"""`crm contacts show`: everything about one contact, loaded only when used (cli/contacts.py's
group names it), so finding and listing contacts do not import the card's sections (the queue,
notes, sales, cases, surveys)."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state, today
from tinycrm.models.contacts import Contact
from tinycrm.money import format_minor
from tinycrm.serialize.contacts import NAME_PARTS, contact_details_dict
from tinycrm.services.card import ContactDetails, asked_for, contact_details
from tinycrm.services.trend import trend
from tinycrm.wording import due_text

# Titles and texts take the room the dates and handles leave (whole at 80 columns).
TITLE = output.Column("Title", prose=True)


def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    notes: int = typer.Option(
        20, "--notes", min=0, max=1_000_000, help="How many recent notes to show."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Everything about one contact: fields, stage history, follow-ups and notes."""
    app_state = state(ctx)
    details = contact_details(
        app_state.store, ref, note_limit=notes, today=today(), settings=app_state.settings
    )
    contact = details.contact
    if as_json:
        output.print_json(contact_details_dict(details))
        return
    pairs = [
        *_field_pairs(contact, details.owner),
        ("Referred", [f"{n} (id {i})" for i, n in details.referred]),
        ("Asked for", asked_for(details)),
    ]
    output.print_fields(pairs, title=f"{contact.name} (id {contact.id})")
    if details.stages:
        output.print_heading("Lifecycle")
        output.print_table(
            ["Date", "Stage"], ([s.changed_on, s.stage.value] for s in details.stages)
        )
    output.print_heading(f"Follow-ups ({len(details.follow_ups)})")
    output.print_table(
        [
            output.Column("Handle"),
            output.Column("Due"),
            output.Column("When", narrow_rank=2),
            output.Column("Kind", narrow_rank=1),
            TITLE,
        ],
        (
            [i.handle, i.due_on, due_text(i.days_late), i.kind.value, i.title]
            for i in details.follow_ups
        ),
        empty="nothing due in the next 30 days",
    )
    output.print_heading(f"Notes ({details.note_count})")
    output.print_table(
        [output.Column("Date"), output.Column("Channel", narrow_rank=1),
         output.Column("Note", prose=True)],
        ([r.note.on, r.note.channel.value if r.note.channel else "", r.note.body]
         for r in details.notes),
        empty="no notes yet",
        footer=f"showing {len(details.notes)} of {details.note_count}"
        if details.note_count > len(details.notes)
        else None,
    )  # fmt: skip
    _show_sales_part(details)


def _show_sales_part(details: ContactDetails) -> None:
    """Sales, satisfaction and cases sections of `contacts show` (only when there are any)."""
    if details.sales:
        output.print_heading("Sales")
        output.print_table(
            ["Date", "Amount", output.Column("Products", prose=True)],
            ([r.sale.sold_on, format_minor(r.sale.amount_minor, r.sale.currency),
              list(r.sale.products)] for r in details.sales),
        )  # fmt: skip
    if details.scores:
        output.print_heading("Satisfaction")
        found = trend(details.scores, today())
        output.print_table(
            ["Date", "Scale", "Score", output.Column("Comment", prose=True)],
            ([s.scored_on, s.scale.value, s.score, s.comment] for s in details.scores[-10:]),
            footer=f"Trend: {found.describe()}" if found else None,
        )
    if details.cases:
        output.print_heading("Cases")
        output.print_table(
            ["Id", output.Column("Opened", narrow_rank=1), "Severity", "Status", TITLE],
            ([r.case.id, r.case.opened_on, r.case.severity.value,
              "open" if r.case.is_open else f"resolved {r.case.resolved_on}", r.case.title]
             for r in details.cases),
        )  # fmt: skip


def _labelled(value: str, label: str | None) -> str:
    return f"{value} ({label})" if label else value


def _field_pairs(c: Contact, owner: str | None) -> list[tuple[str, object]]:
    cadence = f"every {c.cadence_days} days" if c.cadence_days else "none"
    parts = c.name_parts
    return [
        ("Kind", {"org": "organisation"}.get(c.kind, c.kind) if c.kind else None),
        (
            "Name parts",
            None
            if parts is None
            else "; ".join(
                f"{label} {part}"
                for label, part in zip(NAME_PARTS, parts.parts(), strict=True)
                if part
            ),
        ),
        ("Nickname", c.nickname),
        ("Job title", c.job_title),
        ("Gender", c.gender.replace(";", ", ") if c.gender else None),
        ("Company", f"{c.company} ({c.role})" if c.company and c.role else c.company),
        ("Email", [_labelled(e, c.email_labels.get(e)) for e in c.emails]),
        ("Phone", [_labelled(p, c.phone_labels.get(p)) for p in c.phones]),
        (
            "Address",
            "; ".join(f"{a.label}: {a.text}" if a.label else a.text for a in c.postal_addresses()),
        ),
        ("Web", [_labelled(link.value, link.label) for link in c.urls]),
        ("Messaging", [_labelled(link.value, link.label) for link in c.ims]),
        ("Related", [_labelled(link.value, link.label) for link in c.related]),
        ("Birthday", c.birthday.display() if c.birthday else None),
        ("Anniversaries", [f"{a.label}: {a.when.display()}" for a in c.anniversaries]),
        ("Tags", c.tags),
        ("Relationship", c.relationship_type.value if c.relationship_type else None),
        ("Stage", c.stage.value if c.stage else None),
        ("Keep in touch", cadence),
        ("Last interaction", c.last_touch_on),
        ("Owner", owner),
        ("Referred by", f"{c.referrer} (id {c.referred_by})" if c.referred_by else None),
        ("Archived", "yes" if c.archived else None),
    ]
