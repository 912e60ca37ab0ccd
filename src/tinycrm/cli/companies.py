"""`crm companies …`: the business customers contacts work at."""

from __future__ import annotations

import sys

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state, today
from tinycrm.cli.db import print_spellings, spelling_dicts
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.money import format_minor
from tinycrm.serialize.companies import company_card_dict, company_dict, company_row_dict
from tinycrm.services import companies as service
from tinycrm.services.companies import CompanyCard
from tinycrm.services.upgrades import spelling_report
from tinycrm.wording import plural

app = CrmTyper(
    add_completion=False,
    help="Companies as accounts: their people, sales, cases and owner.",
    no_args_is_help=True,
)

REF = typer.Argument(..., help="Company id or name (or part of it).")
OWNER = typer.Option(
    None, "--owner", help="Key account manager ('' clears: the owner of its people then)."
)
CADENCE = typer.Option(
    None,
    "--cadence",
    metavar="DAYS|default",
    help="Keep in touch with someone there at least this often (default: its people's own).",
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The company's name."),
    owner: str = OWNER,
    cadence: str = CADENCE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a company. A name equal to an existing one but for case or spaces is that company:
    nothing is added and its id is given."""
    company = service.add_company(state(ctx).store_to_add_to, name, owner=owner, cadence=cadence)
    output.print_result(
        company_dict(company), f"added company {company.name} (id {company.id})", as_json=as_json
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: str = REF,
    name: str = typer.Option(None, "--name", help="New name (its people follow)."),
    owner: str = OWNER,
    cadence: str = CADENCE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Rename a company, or set its owner (key account manager) or keep-in-touch cadence."""
    company = service.edit_company(state(ctx).store, ref, name=name, owner=owner, cadence=cadence)
    output.print_result(
        company_dict(company), f"updated {company.name} (id {company.id})", as_json=as_json
    )


@app.command("archive")
def archive(
    ctx: typer.Context,
    ref: str = REF,
    force: bool = typer.Option(False, "--force", help="Archive it even with open cases."),
    undo: bool = typer.Option(False, "--undo", help="Bring an archived company back."),
) -> None:
    """Archive a company: hidden from lists and roll-ups, its people and history kept. With
    open cases of its people it asks first (in a terminal), or needs --force."""
    store = state(ctx).store
    if not (undo or force):
        company = service.resolve_company(store, ref)
        cases = service.open_cases(store, company)
        if cases and sys.stdin.isatty() and output.is_terminal():
            force = typer.confirm(
                f"{company.name} has {plural(len(cases), 'open case')}: archive it anyway?"
            )
            if not force:
                output.print_notice("Nothing archived.")
                raise typer.Exit(1)
    company = service.archive_company(store, ref, archived=not undo, force=force)
    output.print_success(f"{'restored' if undo else 'archived'} {company.name} (id {company.id})")


@app.command("show")
def show(ctx: typer.Context, ref: str = REF, as_json: bool = JSON_OPTION) -> None:
    """The company card: its people and roles, sales and purchase interval, open cases,
    satisfaction, last interaction and owner."""
    card = service.company_card(state(ctx).store, ref, today())
    if as_json:
        output.print_json(company_card_dict(card))
        return
    _print_card(card)


def _print_card(card: CompanyCard) -> None:
    company = card.company
    output.print_fields(service.card_summary(card), title=f"{company.name} (id {company.id})")
    output.print_heading(f"People ({len(card.people)})")
    output.print_table(
        ["Id", "Name", "Role", "Email", "Last interaction"],
        ([p.id, p.name, p.role, p.emails[0] if p.emails else None, p.last_touch_on]
         for p in card.people),
        empty="nobody there yet (`crm contacts edit REF --company NAME`)",
    )  # fmt: skip
    if card.open_cases:
        output.print_heading("Open cases")
        output.print_table(
            ["Id", "Contact", "Opened", "Target", "Title"],
            ([r.case.id, r.contact_name, r.case.opened_on, r.case.target_on, r.case.title]
             for r in card.open_cases),
        )  # fmt: skip
    if card.sales:
        output.print_heading(f"Sales ({len(card.sales)})")
        output.print_table(
            ["Date", "Contact", "Amount", "Products"],
            ([r.sale.sold_on, r.contact_name, format_minor(r.sale.amount_minor, r.sale.currency),
              list(r.sale.products)] for r in card.sales[:10]),
        )  # fmt: skip
    if card.departures:
        output.print_heading("Left")
        output.print_table(
            ["Id", "Name", "Role", "Left on"],
            ([d.contact_id, d.contact_name, d.role, d.left_on] for d in card.departures),
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    archived: bool = typer.Option(False, "--archived", help="List archived companies instead."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List companies, alphabetically, with their people and owner."""
    rows = service.list_companies(state(ctx).store, archived=archived)
    if as_json:
        output.print_json([company_row_dict(r) for r in rows])
        return
    output.print_table(
        [
            output.Column("Id"),
            output.Column("Name", prose=True),
            output.Column("People"),
            output.Column("Owner", max_width=24),
        ],
        ([r.company.id, r.company.name, r.people, r.owner] for r in rows),
        empty="no archived companies" if archived else "no companies yet",
    )


@app.command("merged")
def merged(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The free-text company names the upgrade to companies (schema 8) merged: which
    spellings, differing only by case or spaces, became which company."""
    report = spelling_report(state(ctx).store)
    if as_json:
        output.print_json(spelling_dicts(report))
    elif not report.companies:
        output.print_notice("no free-text company names were upgraded in this database")
    else:
        print_spellings(report)
