"""`crm db …`: the database file itself."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.config import database_location, masked_url
from tinycrm.services import copying, maintenance
from tinycrm.services.upgrades import OwnerReport, SpellingReport

app = CrmTyper(
    add_completion=False,
    help="Where the database is, backups, checks and migrations.",
    no_args_is_help=True,
)

# How `db check` names a table's row count (others: the table's name, capitalised).
TABLE_LABELS = {"follow_ups": "Follow-ups"}


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the database in use: a file, or a PostgreSQL URL with its password masked
    (nothing is created)."""
    location = state(ctx).db_path
    sys.stdout.write(f"{location if isinstance(location, Path) else masked_url(location)}\n")


@app.command("backup")
def backup(
    ctx: typer.Context,
    destination: Path = typer.Argument(..., help="File or directory to write the copy to."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a consistent copy of the database (safe while others use it), mode 0600."""
    target = maintenance.backup(state(ctx).store, destination, overwrite=force)
    output.print_success(f"backed up to {target}")


@app.command("copy")
def copy(
    source: str = typer.Argument(..., help="The CRM to copy: a SQLite file or a PostgreSQL URL."),
    destination: str = typer.Argument(
        ..., help="Where to: a SQLite file (made if missing) or a PostgreSQL URL."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Delete what the destination holds first, in the same transaction as the copy.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Copy a whole CRM to another database, ids kept, in one transaction on the destination
    (made or migrated to this tinycrm's schema); refuses a destination that holds rows unless
    --replace. Ignores --db; the row counts are checked and printed."""
    done = copying.copy(database_location(source), database_location(destination), replace=replace)
    if as_json:
        output.print_json(
            {
                "source": done.source,
                "destination": done.destination,
                "schema_version": done.schema_version,
                "counts": done.counts,
                "replaced": done.replaced,
            }
        )
        return
    output.print_table(["Table", "Rows"], [[name, n] for name, n in done.counts.items()])
    if done.replaced:
        output.print_notice(f"replaced what {done.destination} held: {_rows(done.replaced)}")
    output.print_success(
        f"copied {done.source} to {done.destination} (schema {done.schema_version});"
        " every table's row count matches"
    )


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


@app.command("check")
def check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check the database's integrity; exit 1 if anything is wrong."""
    report = maintenance.check_file(state(ctx).db_path)
    if as_json:
        output.print_json(
            {
                "path": str(report.path),
                "ok": report.ok,
                "schema_version": report.schema_version,
                "problems": report.problems,
                "counts": report.counts,
                "notes": report.notes,
            }
        )
    else:
        pairs: list[tuple[str, object]] = [
            ("Database", report.path),
            (
                "Schema",
                f"version {report.schema_version} of {report.latest_version}"
                if report.schema_version >= 0
                else "unreadable",
            ),
            ("Integrity", "ok" if report.ok else f"{len(report.problems)} problem(s)"),
            *((TABLE_LABELS.get(name, name.capitalize()), n) for name, n in report.counts.items()),
        ]
        output.print_fields(pairs)
        for problem in report.problems[:50]:
            output.print_notice(problem)
        for note in report.notes:
            output.print_notice(note)
    if not report.ok:
        raise typer.Exit(1)


@app.command("migrate")
def migrate(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Run the pending migrations, report what they did, and roll everything back.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Bring the database's schema up to date (also done automatically on open); say which
    free-text company names became which companies when an upgrade does that."""
    done = maintenance.migrate(state(ctx).db_path, dry_run=dry_run)
    if as_json:
        output.print_json(migration_dict(done))
        return
    verb = "would migrate" if done.dry_run else "migrated"
    if done.applied:
        output.print_success(f"{verb} schema {done.before} → {done.applied[-1]}")
    else:
        output.print_success(f"schema is up to date (version {done.before})")
    if done.companies is not None:
        print_spellings(done.companies, dry_run=done.dry_run)
    if done.owners is not None:
        print_owners(done.owners, dry_run=done.dry_run)
    for name, into in done.folded:
        verb = "would merge" if done.dry_run else "merged"
        output.print_success(f"{verb} company {name!r} into {into!r} (the same name but for case)")
    if done.dry_run and done.applied:
        output.print_notice("dry run: nothing was changed")


def print_spellings(report: SpellingReport, *, dry_run: bool = False) -> None:
    """The companies made from free-text names: a summary line, then each merged one."""
    output.print_line(("would make: " if dry_run else "") + report.summary())
    rows = [
        [c.name, [f"{s.spelling!r} ({s.contacts})" for s in c.spellings], c.contacts]
        for c in report.merged
    ]
    output.print_table(
        ["Company", "Spellings merged", "Contacts"],
        rows,
        empty="no two names differed only by case or spaces",
    )


def print_owners(report: OwnerReport, *, dry_run: bool = False) -> None:
    """The users made from free-text owners: a summary line, then each merged one."""
    output.print_line(("would make: " if dry_run else "") + report.summary())
    rows = [
        [name, [f"{s.spelling!r} ({s.uses})" for s in spellings], sum(s.uses for s in spellings)]
        for name, spellings in report.merged.items()
    ]
    output.print_table(
        ["User", "Spellings merged", "Customers and companies"],
        rows,
        empty="no two owner names differed only by case or spaces",
    )


def migration_dict(done: maintenance.Migration) -> dict[str, object]:
    return {
        "before": done.before,
        "applied": done.applied,
        "dry_run": done.dry_run,
        "companies": None if done.companies is None else spelling_dicts(done.companies),
        "owners": None if done.owners is None else owner_dicts(done.owners),
        "companies_merged": [{"name": name, "into": into} for name, into in done.folded],
    }


def owner_dicts(report: OwnerReport) -> list[dict[str, object]]:
    return [
        {"user_id": s.user_id, "user": s.user_name, "spelling": s.spelling, "uses": s.uses}
        for s in report.spellings
    ]


def spelling_dicts(report: SpellingReport) -> list[dict[str, object]]:
    return [
        {
            "id": c.company_id,
            "name": c.name,
            "spellings": [{"spelling": s.spelling, "contacts": s.contacts} for s in c.spellings],
        }
        for c in report.companies
    ]
