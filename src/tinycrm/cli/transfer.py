"""`crm contacts import|export|merge|forget` and `crm export ics` (registered elsewhere)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state, today
from tinycrm.errors import UsageError


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .vcf (vCard 2.1/3.0/4.0) or .csv file."),
    fmt: str = typer.Option(None, "--format", "-f", help="vcard or csv (default: guessed)."),
    on_duplicate: str = typer.Option(
        "skip",
        "--on-duplicate",
        help="A card whose email or phone is already known: skip, update or create.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would happen; change nothing."),
    map_: list[str] = typer.Option(
        None, "--map", metavar="COLUMN=FIELD", help="CSV: read COLUMN as FIELD (repeatable)."
    ),
    encoding: str = typer.Option(
        None, "--encoding", help="Text encoding (default: UTF-8, else Windows-1252)."
    ),
    max_size: float = typer.Option(64, "--max-size", metavar="MiB", help="Refuse larger files."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import contacts from a vCard or CSV file (Google, Outlook, Apple, Android exports).

    The whole import is one transaction. Cards or rows that cannot be read are rejected with
    their number and reason; the others are imported."""
    from tinycrm.services import importing

    if on_duplicate not in importing.MODES:
        raise UsageError(f"--on-duplicate must be skip, update or create, not {on_duplicate!r}")
    if fmt is not None and fmt.lower() not in ("vcard", "csv"):
        raise UsageError(f"--format must be vcard or csv, not {fmt!r}")
    store = state(ctx).store
    data = importing.read_file(file, int(max_size * 2**20))
    kind = fmt.lower() if fmt else importing.guess_format(file, data)
    with _progress_bar(f"Reading {file.name}") as progress:
        parsed = importing.parse(
            data,
            kind,
            maps=map_ or [],
            encoding=encoding,
            day_first=state(ctx).settings.day_first,
            progress=progress,
        )
    report = importing.import_records(
        store,
        parsed,
        mode=on_duplicate,  # type: ignore[arg-type]
        dry_run=dry_run,
        today=today(),
    )
    _print_report(report, as_json)


def _print_report(report: object, as_json: bool) -> None:
    from dataclasses import asdict

    from tinycrm.services.importing import ImportReport

    assert isinstance(report, ImportReport)
    if as_json:
        output.print_json(asdict(report))
        return
    prefix = "dry run, nothing written: " if report.dry_run else ""
    would = "would be " if report.dry_run else ""
    output.print_success(
        f"{prefix}{report.kind}: {len(report.created)} {would}created,"
        f" {len(report.updated)} {would}updated, {len(report.skipped)} skipped,"
        f" {len(report.rejected)} rejected"
    )
    if report.ignored_columns:
        output.print_notice("columns not imported: " + ", ".join(report.ignored_columns))
    rows = [["updated", r.where, r.name, ""] for r in report.updated]
    rows += [["skipped", r.where, r.name, r.reason] for r in report.skipped]
    rows += [["rejected", r.where, r.name, r.reason] for r in report.rejected]
    if rows:
        output.print_table(["Result", "Where", "Name", "Reason"], rows)
