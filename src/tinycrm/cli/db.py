"""`crm db …`: the database file itself."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.services import maintenance
from tinycrm.store import Database

app = CrmTyper(
    add_completion=False,
    help="Where the database is, backups, checks and migrations.",
    no_args_is_help=True,
)

# How `db check` names a table's row count (others: the table's name, capitalised).
TABLE_LABELS = {"follow_ups": "Follow-ups"}


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the database file in use (nothing is created)."""
    sys.stdout.write(f"{state(ctx).db_path}\n")


@app.command("backup")
def backup(
    ctx: typer.Context,
    destination: Path = typer.Argument(..., help="File or directory to write the copy to."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a consistent copy of the database (safe while others use it), mode 0600."""
    target = maintenance.backup(state(ctx).store, destination, overwrite=force)
    output.print_success(f"backed up to {target}")


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
    if not report.ok:
        raise typer.Exit(1)


@app.command("migrate")
def migrate(ctx: typer.Context) -> None:
    """Bring the database's schema up to date (also done automatically on open)."""
    db = Database(state(ctx).db_path, migrate=False)
    try:
        before = db.schema_version()
        applied = db.migrate()
    finally:
        db.close()
    if applied:
        output.print_success(f"migrated schema {before} → {applied[-1]}")
    else:
        output.print_success(f"schema is up to date (version {before})")
