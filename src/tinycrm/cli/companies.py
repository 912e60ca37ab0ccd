"""`crm companies …`: the business customers contacts work at."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state
from tinycrm.cli.db import print_spellings, spelling_dicts
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.serialize.companies import company_row_dict
from tinycrm.services import companies as service

app = CrmTyper(
    add_completion=False,
    help="Companies as accounts: their people, sales, cases and owner.",
    no_args_is_help=True,
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
    report = service.spelling_report(state(ctx).store)
    if as_json:
        output.print_json(spelling_dicts(report))
    elif not report.companies:
        output.print_notice("no free-text company names were upgraded in this database")
    else:
        print_spellings(report)
