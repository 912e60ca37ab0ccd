"""`crm contacts …`: add, list, show, edit, archive and search contacts."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import ClassVar

import typer

from tinycrm.cli import output
from tinycrm.cli.context import (
    IF_VERSION_OPTION,
    JSON_OPTION,
    WRITE_AS_OF_OPTION,
    as_of_date,
    state,
    today,
)
from tinycrm.cli.plain_help import CrmTyper, LazyGroup
from tinycrm.errors import UsageError
from tinycrm.models.companies import Company
from tinycrm.models.contacts import Contact
from tinycrm.serialize.contacts import contact_dict
from tinycrm.services import contacts as service
from tinycrm.services import departures
from tinycrm.services.contacts import ContactFields
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.textsafe import visible
from tinycrm.wording import NARROW_HINT, matches_text, plural


class ContactsGroup(LazyGroup):
    """`crm contacts`: the card (cli/contact_card.py, with the queue and every section's
    records) and the commands that move contacts in and out (cli/transfer.py, with the import
    and export services) are loaded only when used."""

    lazy: ClassVar[dict[str, str]] = {
        "show": "tinycrm.cli.contact_card:show",
        "import": "tinycrm.cli.transfer:import_",
        "export": "tinycrm.cli.transfer:export",
        "sync": "tinycrm.cli.transfer:sync",
        "merge": "tinycrm.cli.transfer:merge",
        "forget": "tinycrm.cli.transfer:forget",
    }


app = CrmTyper(
    cls=ContactsGroup,
    add_completion=False,
    help="Add, find and change contacts.",
    no_args_is_help=True,
)

EMAIL = typer.Option(None, "--email", "-e", help="Email address (repeat for more).")
PHONE = typer.Option(None, "--phone", "-p", help="Phone number (repeat for more).")
COMPANY = typer.Option(
    None,
    "--company",
    "-c",
    help="The company they work at: an existing one (case and spaces aside) or a new one.",
)
ROLE = typer.Option(
    None,
    "--role",
    help="Their role at the company: buyer, decision maker, accounts payable, user, or any text.",
)
ADDRESS = typer.Option(None, "--address", help="Postal address.")
BIRTHDAY = typer.Option(
    None, "--birthday", "-b", help="1980-03-14, 14 mar 1980, or 14 mar without a year."
)
ANNIVERSARY = typer.Option(
    None, "--anniversary", "-a", metavar="LABEL=DATE", help="e.g. 'wedding=2015-06-21'."
)
TAG = typer.Option(None, "--tag", "-t", help="Tag (repeat for more).")
TYPE = typer.Option(
    None,
    "--type",
    help="Relationship: transactional, long-term, personal, dedicated, self-service,"
    " automated, community (default: the config's contacts.default_type, long-term).",
)
STAGE = typer.Option(
    None, "--stage", help="Lifecycle: exploration, awareness, expansion, commitment, dissolution."
)
CADENCE = typer.Option(
    None, "--cadence", metavar="DAYS|none", help="Keep-in-touch interval, overriding the type's."
)
OWNER = typer.Option(None, "--owner", help="Account manager.")
REFERRED_BY = typer.Option(
    None,
    "--referred-by",
    metavar="REF",
    help="The contact who referred them (id, name or email; 'none' clears).",
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Full name of the person or company."),
    email: list[str] = EMAIL,
    phone: list[str] = PHONE,
    company: str = COMPANY,
    role: str = ROLE,
    address: str = ADDRESS,
    birthday: str = BIRTHDAY,
    anniversary: list[str] = ANNIVERSARY,
    tag: list[str] = TAG,
    type_: str = TYPE,
    stage: str = STAGE,
    cadence: str = CADENCE,
    owner: str = OWNER,
    referred_by: str = REFERRED_BY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a contact. Without --type it gets the config's default type ([contacts]
    default_type, long-term unless set), which sets its keep-in-touch cadence; a contact with
    the same email or phone as another is added with a warning naming it."""
    app_state = state(ctx)
    defaulted = type_ is None and app_state.settings.default_type is not None
    fields = ContactFields(
        name=name,
        emails=email or [],
        phones=phone or [],
        company=company,
        role=role,
        address=address,
        birthday=birthday,
        anniversaries=anniversary or [],
        tags=tag or [],
        relationship_type=app_state.settings.default_type if type_ is None else type_,
        stage=stage,
        cadence=cadence,
        owner=owner,
        referred_by=referred_by,
        day_first=app_state.settings.day_first,
    )
    store = app_state.store_to_add_to
    existing = service.company_for(store, company)
    contact = service.add_contact(store, fields, today())
    _warn_duplicates(store, contact)
    output.print_result(
        contact_dict(contact),
        f"added {contact.name} (id {contact.id}){_company_note(contact, existing)}"
        f"{_referrer_note(contact)}: {_cadence_note(contact, defaulted)}",
        as_json=as_json,
    )


def _company_note(contact: Contact, existing: Company | None) -> str:
    """Which company a --company linked to: the existing one, or one just created."""
    if contact.company_id is None:
        return ""
    role = f" as {contact.role}" if contact.role else ""
    if existing is not None and existing.id == contact.company_id:
        return f" at {contact.company}{role} (existing company {contact.company_id})"
    return f" at {contact.company}{role} (new company {contact.company_id})"


def _referrer_note(contact: Contact) -> str:
    if contact.referred_by is None:
        return ""
    return f", referred by {contact.referrer} (id {contact.referred_by})"


def _warn_duplicates(store: Store, contact: Contact) -> None:
    """One stderr line per existing contact with the new one's email or phone."""
    for twin in service.look_alikes(store, contact):
        merge = f"crm contacts merge {twin.contact_id} {contact.id}"
        output.print_notice(f"crm: warning: {twin} ('{merge}' joins them)")


def _cadence_note(contact: Contact, defaulted: bool) -> str:
    """Which keep-in-touch cadence applies to a new contact, and why."""
    kind = contact.relationship_type.value if contact.relationship_type else None
    if contact.cadence_override is not None:
        why = "--cadence"
    elif defaulted:
        why = f"{kind}, the default type: [contacts] default_type"
    else:
        why = kind or "no --type and no [contacts] default_type"
    days = contact.cadence_days
    return f"check-in every {days} days ({why})" if days else f"no check-ins ({why})"


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    name: str = typer.Option(None, "--name", help="New name."),
    email: list[str] = typer.Option(None, "--email", "-e", help="Replace the email addresses."),
    phone: list[str] = typer.Option(None, "--phone", "-p", help="Replace the phone numbers."),
    company: str = COMPANY,
    role: str = ROLE,
    left_company: bool = typer.Option(
        False,
        "--left-company",
        help="They left their company: the link goes, their sales stay with it, and a"
        " follow-up asks to find the new contact there.",
    ),
    address: str = ADDRESS,
    birthday: str = typer.Option(None, "--birthday", "-b", help="New birthday ('' clears)."),
    anniversary: list[str] = typer.Option(
        None, "--anniversary", "-a", metavar="LABEL=DATE", help="Set an anniversary by label."
    ),
    tag: list[str] = typer.Option(None, "--tag", "-t", help="Replace the tags."),
    add_tag: list[str] = typer.Option(None, "--add-tag", help="Add a tag."),
    remove_tag: list[str] = typer.Option(None, "--remove-tag", help="Remove a tag."),
    type_: str = TYPE,
    stage: str = STAGE,
    cadence: str = typer.Option(
        None, "--cadence", metavar="DAYS|none|default", help="Keep-in-touch interval."
    ),
    owner: str = OWNER,
    referred_by: str = REFERRED_BY,
    if_version: int = IF_VERSION_OPTION,
    surveys: bool = typer.Option(
        None,
        "--surveys/--no-surveys",
        help="--no-surveys: never e-mail this contact a survey (--surveys takes it back).",
    ),
    news: bool = typer.Option(
        None,
        "--news/--no-news",
        help="--no-news: leave this contact out of pass-on, news and offers (--news takes it"
        " back).",
    ),
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a contact. List options replace the list; '' clears a single field.

    The named fields are applied to the contact as stored at that moment; with --if-version a
    script that read the contact first is refused if someone saved it since."""
    changes = [name, email, phone, company, role, address, birthday, anniversary, tag, add_tag,
               remove_tag, type_, stage, cadence, owner, referred_by, surveys, news]  # fmt: skip
    if not left_company and all(value is None or value == [] for value in changes):
        raise UsageError(
            "nothing to change: name a field to change (see 'crm contacts edit --help')"
        )
    fields = ContactFields(
        name=name,
        emails=email or None,
        phones=phone or None,
        company=company,
        role=role,
        address=address,
        birthday=birthday,
        anniversaries=anniversary or None,
        tags=tag or None,
        add_tags=add_tag or [],
        remove_tags=remove_tag or [],
        relationship_type=type_,
        stage=stage,
        cadence=cadence,
        owner=owner,
        referred_by=referred_by,
        day_first=state(ctx).settings.day_first,
    )
    store = state(ctx).store
    day = as_of_date(ctx, as_of)
    existing = service.company_for(store, company)
    if left_company:
        departure, contact = departures.leave_and_edit(
            store, ref, fields, day, if_version=if_version, surveys=surveys, news=news
        )
        _print_departure(departure, as_json=as_json)
    else:
        contact = service.edit_contact(
            store, ref, fields, day, if_version=if_version, surveys=surveys, news=news
        )
    output.print_result(
        contact_dict(contact),
        f"updated {contact.name} (id {contact.id})"
        + (_company_note(contact, existing) if company else "")
        + (_referrer_note(contact) or ", no referrer" if referred_by is not None else ""),
        as_json=as_json,
    )


def _print_departure(departure: departures.Departure, *, as_json: bool) -> None:
    """What --left-company did (on stderr with --json, where stdout is the contact)."""
    company = departure.company.name
    sales = "1 sale stays" if departure.sales == 1 else f"{departure.sales} sales stay"
    text = (
        f"{departure.contact_name} left {company} ({sales} with it);"
        f" follow-up {departure.follow_up.id}: {departure.follow_up.title}"
    )
    (output.print_notice if as_json else output.print_success)(text)


@app.command("archive")
def archive(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    undo: bool = typer.Option(False, "--undo", help="Bring an archived contact back."),
) -> None:
    """Archive a contact: hidden from lists and queues, kept with its history."""
    contact = service.set_archived(state(ctx).store, ref, archived=not undo)
    output.print_success(f"{'restored' if undo else 'archived'} {contact.name} (id {contact.id})")


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: str = typer.Option(None, "--tag", "-t", help="Only contacts with this tag."),
    company: str = typer.Option(None, "--company", "-c", help="Only this company."),
    type_: str = typer.Option(None, "--type", help="Only this relationship type."),
    stage: str = typer.Option(None, "--stage", help="Only this lifecycle stage."),
    owner: str = typer.Option(None, "--owner", metavar="USER", help="Only this user's."),
    unowned: bool = typer.Option(False, "--unowned", help="Only those nobody owns."),
    archived: bool = typer.Option(False, "--archived", help="List archived contacts instead."),
    limit: int = typer.Option(
        0, "--limit", "-n", min=0, max=1_000_000, help="At most this many (0: all)."
    ),
    fmt: str = typer.Option(
        "table", "--format", "-f", help="table, emails (a mailing list) or json."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """List contacts, alphabetically."""
    fmt = "json" if as_json else fmt.lower()
    if fmt not in ("table", "emails", "json"):
        raise UsageError(f"--format must be table, emails or json, not {fmt!r}")
    where = ContactFilter(
        tag=tag,
        company=company,
        relationship_type=type_,
        stage=stage,
        archived=archived,
        unowned=unowned,
        limit=limit or None,
    )
    store = state(ctx).store
    where = service.listed_filter(store, where, owner)
    # Written as they are read: a million contacts are never all in memory.
    found = service.each_contact(store, where)
    if fmt == "json":
        output.print_json_list(contact_dict(c) for c in found)
    elif fmt == "emails":
        _print_mailing_list(found)
    else:
        owners = service.any_owned(store, where)
        output.print_table(
            [*CONTACT_COLUMNS, OWNER_COLUMN] if owners else CONTACT_COLUMNS,
            ([*_contact_row(c), *([c.owner or "unowned"] if owners else [])] for c in found),
            empty="no contacts match",
        )


CONTACT_COLUMNS = [
    output.Column("Id"),
    output.Column("Name", max_width=24),
    output.Column("Company", prose=True, narrow_rank=2),
    output.Column("Email", max_width=28),
    output.Column("Phone"),
    output.Column("Tags", prose=True, narrow_rank=1),
    output.Column("Stage", narrow_rank=3),
]


OWNER_COLUMN = output.Column("Owner", max_width=16, narrow_rank=2)


def _contact_row(c: Contact) -> list[object]:
    return [
        c.id,
        c.name,
        c.company,
        c.emails[0] if c.emails else None,
        c.phones[0] if c.phones else None,
        c.tags,
        c.stage.value if c.stage else None,
    ]


def _print_mailing_list(found: Iterable[Contact]) -> None:
    """'Name <email>' lines, one per contact with an email; names quoted when needed."""
    for contact in found:
        if contact.emails:
            name = visible(contact.name, one_line=True).replace('"', "'")
            needs_quotes = any(ch in name for ch in ',;:<>@()[]"\\')
            shown = f'"{name}"' if needs_quotes else name
            sys.stdout.write(f"{shown} <{visible(contact.emails[0], one_line=True)}>\n")


@app.command("search")
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Words to find in contacts and their notes."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=500, help="At most this many."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Full-text search over contacts and notes, best match first."""
    found = service.search_contacts(state(ctx).store, text, limit)
    if as_json:
        output.print_json(
            [{**contact_dict(r.contact), "match": r.snippet, "rank": r.rank} for r in found.results]
        )
        return
    shown = len(found.results)
    footer = f"showing {matches_text(shown, found.total)} matches"
    if not found.ranked:
        footer += f", {NARROW_HINT}"
    output.print_table(
        ["Id", "Name", "Company", "Match"],
        ([r.contact.id, r.contact.name, r.contact.company, r.snippet] for r in found.results),
        empty=f"nothing matches {text!r}",
        footer=footer if found.total > shown or not found.ranked else None,
    )


@app.command("assign")
def assign(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(None, metavar="[REF]...", help="Contacts: id, name or email."),
    to: str = typer.Option(
        ..., "--to", metavar="USER", help="Their new owner ('' or none: nobody)."
    ),
    tag: str = typer.Option(None, "--tag", "-t", help="Every active contact with this tag."),
    owner: str = typer.Option(None, "--owner", metavar="USER", help="Every one this user owns."),
    stage: str = typer.Option(None, "--stage", help="Every active contact at this stage."),
    unowned: bool = typer.Option(False, "--unowned", help="Every active contact nobody owns."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Give customers an owner: those named, or every active one the filters match (filters
    combine), in one transaction."""
    done = service.assign(
        state(ctx).store, refs or [], to, tag=tag, owner=owner, stage=stage, unowned=unowned
    )
    who = done.owner.name if done.owner else "nobody"
    if as_json:
        output.print_json(
            {"owner": who if done.owner else None, "contacts": done.contacts,
             "changed": done.changed}
        )  # fmt: skip
        return
    same = done.contacts - done.changed
    kept = f" ({same} had {who} already)" if same else ""
    output.print_success(f"assigned {plural(done.contacts, 'contact')} to {who}{kept}")
