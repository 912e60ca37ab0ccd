"""`crm contacts import|export|merge|forget` and `crm export ics` (registered elsewhere)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state, today
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import MissingDatabase, UsageError
from tinycrm.io.files import is_one_of, write_private
from tinycrm.serialize.contacts import contact_dict
from tinycrm.services import exporting, importing, merging, restoring
from tinycrm.services.contacts import resolve_ref
from tinycrm.services.importing import ImportReport
from tinycrm.store import Store
from tinycrm.textsafe import visible
from tinycrm.wording import plural

REPORT_ROWS = 50
MAX_SIZE_MIB = 1024 * 1024  # a terabyte: more is a typo (and 1e302 MiB is not a number of bytes)


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
    file: Path = typer.Argument(
        ..., help="A .vcf (vCard 2.1/3.0/4.0), .csv, or tinycrm's own .json export."
    ),
    fmt: str = typer.Option(None, "--format", "-f", help="vcard, csv or json (default: guessed)."),
    on_duplicate: str = typer.Option(
        "skip",
        "--on-duplicate",
        help="A card whose email or phone is already known: skip, update or create.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; change nothing."
    ),
    map_: list[str] = typer.Option(
        None, "--map", metavar="COLUMN=FIELD", help="CSV: read COLUMN as FIELD (repeatable)."
    ),
    encoding: str = typer.Option(
        None, "--encoding", help="Text encoding (default: UTF-8, else Windows-1252)."
    ),
    max_size: float = typer.Option(64, "--max-size", metavar="MiB", help="Refuse larger files."),
    day_first: bool = typer.Option(
        None,
        "--day-first/--month-first",
        help="CSV: read 3/4/1984 as 3 April / March 4 (default: Outlook files month-first,"
        " others as the numeric_order setting).",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import contacts from a vCard or CSV file (Google, Outlook, Apple, Android exports),
    or tinycrm's own JSON export (every row, as it was).

    The whole import is one transaction. Cards or rows that cannot be read are rejected with
    their number and reason; the others are imported."""
    if on_duplicate not in importing.MODES:
        raise UsageError(f"--on-duplicate must be skip, update or create, not {on_duplicate!r}")
    if fmt is not None and fmt.lower() not in ("vcard", "csv", "json"):
        raise UsageError(f"--format must be vcard, csv or json, not {fmt!r}")
    if not 0 < max_size <= MAX_SIZE_MIB:
        raise UsageError(f"--max-size must be more than 0 and at most {MAX_SIZE_MIB:,} MiB")
    with _import_target(ctx, dry_run) as store:
        if is_one_of(file, store.db.files):
            raise UsageError(f"{file} is the database itself: import a vCard or CSV file")
        kind = importing.file_format(file, fmt.lower() if fmt else None, int(max_size * 2**20))
        if kind == "json":
            if map_ or encoding:
                raise UsageError("--map and --encoding are for CSV and vCard files, not JSON")
            report = restoring.restore(
                store, file, mode=on_duplicate, dry_run=dry_run, max_bytes=int(max_size * 2**20)
            )
            _print_report(report, as_json)
            return
        with _progress_bar(f"Importing {file.name}") as progress:
            parsed = importing.parse_file(
                file,
                kind,
                max_bytes=int(max_size * 2**20),
                maps=map_ or [],
                encoding=encoding,
                day_first=state(ctx).settings.day_first if day_first is None else day_first,
                order_chosen=day_first is not None,
                progress=progress,
            )
            # The file is read as it is written (parsing is lazy), so this stays in the bar.
            report = importing.import_records(
                store, parsed, mode=on_duplicate, dry_run=dry_run, today=today()
            )
        _print_report(report, as_json)


@contextmanager
def _import_target(ctx: typer.Context, dry_run: bool) -> Iterator[Store]:
    """The CRM an import writes to, created if need be; a dry run into one that does not
    exist yet (the first step of moving in) runs on a new, empty one that is thrown away."""
    if not dry_run:
        yield state(ctx).store_to_add_to
        return
    try:
        existing = state(ctx).store
    except MissingDatabase:
        existing = None
    if existing is not None:
        yield existing
        return
    output.print_notice("no CRM there yet: this is what an import into a new, empty one would do")
    with tempfile.TemporaryDirectory(prefix="crm-dry-run-") as scratch:
        empty = Store.open(Path(scratch) / "crm.db", create=True)
        try:
            yield empty
        finally:
            empty.close()


def _print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        output.print_json(asdict(report))
        return
    prefix = "dry run, nothing written: " if report.dry_run else ""
    would = "would be " if report.dry_run else ""
    output.print_success(
        f"{prefix}{report.kind}: {report.created_count} {would}created,"
        f" {len(report.updated)} {would}updated, {len(report.skipped)} skipped,"
        f" {len(report.rejected)} rejected"
        + (f", {len(report.adjusted)} changes noted" if report.adjusted else "")
    )
    for notice in report.notices:
        output.print_notice(notice)
    if report.ignored_columns:
        output.print_notice("columns not imported: " + ", ".join(report.ignored_columns))
    rows = [["updated", r.where, r.name, ""] for r in report.updated]
    rows += [["skipped", r.where, r.name, r.reason] for r in report.skipped]
    rows += [["rejected", r.where, r.name, r.reason] for r in report.rejected]
    rows += [["adjusted", r.where, r.name, r.reason] for r in report.adjusted]
    if rows:
        shown = rows[:REPORT_ROWS]
        more = len(rows) - len(shown)
        output.print_table(
            ["Result", "Where", "Name", "Reason"],
            shown,
            footer=f"… and {more} more (--json lists them all)" if more else None,
        )


def _write_output(ctx: typer.Context, data: Iterable[bytes], out: Path | None) -> None:
    """Write the chunks of `data` to `out`, or to stdout (as they come, either way)."""
    if out is None or str(out) == "-":
        terminal = output.is_terminal()  # a file or pipe gets the data as it is
        sys.stdout.flush()
        for chunk in data:
            if terminal:
                chunk = visible(chunk.decode("utf-8", "replace").replace("\r\n", "\n")).encode()
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    replaced = not out.is_symlink() and (out.is_file() or not out.exists())
    size = write_private(out, data, never=state(ctx).store.db.files)
    privately = ", readable by you only" if replaced else ""
    output.print_notice(f"wrote {out} ({size:,} bytes{privately})")


def export(
    ctx: typer.Context,
    ref: str = typer.Argument(None, help="Only this contact (id, name or email)."),
    fmt: str = typer.Option("vcard", "--format", "-f", help="vcard (4.0), csv or json."),
    apple: bool = typer.Option(
        False,
        "--apple",
        help="vCard 3.0 as Apple Contacts reads it (X-ABDATE dates, the year 1604 for a date"
        " without a year, X-ABShowAs:COMPANY).",
    ),
    out: Path = typer.Option(None, "--output", "-o", help="Write to FILE (mode 0600)."),
) -> None:
    """Export contacts: vCard 4.0 (re-importable, CRM fields as X-TINYCRM-*; --apple for
    Apple Contacts' 3.0), CSV (safe to open in a spreadsheet) or JSON (everything, e.g. for a
    data-access request with REF; `crm contacts import` reads it back)."""
    text = exporting.export_contacts(state(ctx).store, fmt, ref, apple=apple)
    _write_output(ctx, (chunk.encode("utf-8") for chunk in text), out)


def export_ics(
    ctx: typer.Context,
    todos: bool = typer.Option(
        False,
        "--todos",
        help="Check-ins and reorders as to-dos (VTODO), the ones tinycrm derives too.",
    ),
    out: Path = typer.Option(None, "--output", "-o", help="Write to FILE (mode 0600)."),
) -> None:
    """Open follow-ups, birthdays and anniversaries as an iCalendar (.ics) file."""
    _write_output(ctx, exporting.export_ics(state(ctx).store, today(), todos=todos), out)


def sync(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="The vdir: one .vcf file per contact."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Keep a vdir (one .vcf per contact, named by UID, as vdirsyncer and khard use) in step
    with tinycrm, both ways: for CardDAV sync of phones through vdirsyncer.

    Changes made in DIR are taken into tinycrm, tinycrm's are written to DIR; a field
    changed on both sides since the last sync is reported and left alone on both."""
    from dataclasses import asdict

    from tinycrm.services.syncing import sync as run_sync

    report = run_sync(state(ctx).store_to_add_to, directory, today())
    if as_json:
        output.print_json(asdict(report))
        return
    output.print_success(
        f"{directory}: {len(report.created)} added to tinycrm, {len(report.updated)} updated"
        f" from it, {len(report.written)} files written, {len(report.removed)} removed,"
        f" {len(report.conflicts)} conflicts"
    )
    for name in report.kept:
        output.print_notice(f"{name}: removed from {directory}, kept in tinycrm")
    for line in [*report.conflicts, *report.problems]:
        output.print_notice(line)


def merge(
    ctx: typer.Context,
    first: str = typer.Argument(..., help="The contact that stays (id, name or email)."),
    second: str = typer.Argument(..., help="The contact merged into it, then removed."),
    keep: str = typer.Option(
        None, "--keep", metavar="first|second", help="Which side wins every conflict."
    ),
    use: list[str] = typer.Option(
        None, "--use", metavar="FIELD=first|second", help="Which side wins one field."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the merged contact as JSON."),
) -> None:
    """Merge two contacts: the first keeps the union of both (emails, phones, tags, notes,
    follow-ups, sales, scores, cases, anniversaries); conflicting fields are chosen."""
    if keep is not None and keep.lower() not in ("first", "second"):
        raise UsageError(f"--keep must be first or second, not {keep!r}")
    store = state(ctx).store
    choices = merging.parse_choices(use or [])
    a, b = merging.pair(store, first, second)
    pending = [c for c in merging.conflicts(a, b) if c.field not in choices]
    if pending and keep is None and sys.stdin.isatty() and output.is_terminal():
        for conflict in pending:
            output.print_line(f"{conflict.label}: 1) {conflict.first}   2) {conflict.second}")
            answer = typer.prompt(f"Keep which {conflict.label}?", default="1")
            choices[conflict.field] = "second" if answer.strip() == "2" else "first"
    merged = merging.merge_contacts(
        store,
        str(a.id),
        str(b.id),
        choices,
        today(),
        keep=keep.lower() if keep else None,  # type: ignore[arg-type]
    )
    output.print_result(
        contact_dict(merged),
        f"merged {b.name} (id {b.id}) into {merged.name} (id {merged.id})",
        as_json=as_json,
    )


def forget(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    yes: bool = typer.Option(False, "--yes", help="Really erase, without asking."),
    redact_mentions: bool = typer.Option(
        False,
        "--redact-mentions",
        help="Also replace the person's name and e-mail addresses in other contacts' notes"
        " with [forgotten] (asked when not given).",
    ),
) -> None:
    """Erase a contact and everything about it, for good (right to be forgotten).

    Notes about other contacts that mention the person are kept as written unless you
    agree to redact them (or give --redact-mentions); either way you are told how many.
    """
    store = state(ctx).store
    contact = resolve_ref(store, ref)
    if not yes:
        if not (sys.stdin.isatty() and output.is_terminal()):
            raise UsageError("forget erases for good: add --yes to confirm")
        if not typer.confirm(f"Erase {contact.name} (id {contact.id}) and all about them?"):
            output.print_notice("Nothing forgotten.")
            raise typer.Exit(1)
        named = 0 if redact_mentions else len(merging.mentions(store, contact))
        if named:
            redact_mentions = typer.confirm(
                f"{plural(named, 'note')} of other contacts mention {contact.name}: replace the"
                f" name there with {merging.REDACTED}?"
            )
    done = merging.forget_contact(store, str(contact.id), redact_mentions=redact_mentions)
    output.print_success(f"erased {contact.name} (id {contact.id}) and every record about them")
    if done.mentions and done.redacted:
        output.print_success(
            f"replaced the name with {merging.REDACTED} in {plural(done.mentions, 'note')} of other"
            " contacts"
        )
    elif done.mentions:
        output.print_notice(
            f"{plural(done.mentions, 'note')} of other contacts still mention {contact.name}"
            " (kept as written; --redact-mentions replaces the name when forgetting)"
        )
    if done.residue:
        output.print_notice(done.residue)


export_app = CrmTyper(add_completion=False, no_args_is_help=True)


@export_app.callback()
def _export_group() -> None:
    """Export data for other programs (contacts: `crm contacts export`)."""


export_app.command("ics")(export_ics)
