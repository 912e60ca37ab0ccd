"""The root `crm` command: global options, sub-apps, and turning errors into one line."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence

import typer
from typer.core import TyperGroup

from tinycrm import __version__
from tinycrm.cli import contacts, db, demo, notes, transfer
from tinycrm.cli.context import State
from tinycrm.errors import CrmError
from tinycrm.textsafe import visible


class CrmGroup(TyperGroup):
    """The root group: domain and database errors become one stderr line and an exit code.

    Done here rather than only in `run()` so that Typer's test runner sees the same behaviour.
    """

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except CrmError as exc:
            raise typer.Exit(fail(str(exc), exc.exit_code)) from exc
        except sqlite3.DatabaseError as exc:
            raise typer.Exit(fail(f"database error: {exc}", 1)) from exc


app = typer.Typer(
    cls=CrmGroup,
    name="crm",
    help="tinycrm: your customers, notes, follow-ups and sales in one local database.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(contacts.app, name="contacts")
app.add_typer(notes.app, name="notes")
app.add_typer(db.app, name="db")
app.command("demo")(demo.demo)
export_app = typer.Typer(help="Export data for other programs.", no_args_is_help=True)
export_app.command("ics")(transfer.export_ics)
app.add_typer(export_app, name="export")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"tinycrm {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db_path: str = typer.Option(
        None,
        "--db",
        metavar="PATH",
        help="Database file (default: $CRM_DB, the config's database, or the user data dir).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = State(db_option=db_path)
    ctx.call_on_close(ctx.obj.close)


def fail(message: str, code: int) -> int:
    sys.stderr.write(f"crm: {visible(message, one_line=True)}\n")
    return code


def run(args: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code; errors become one line on stderr."""
    command = typer.main.get_command(app)
    argv = [_valid_text(arg) for arg in (sys.argv[1:] if args is None else args)]
    try:
        result = command.main(args=argv, prog_name="crm", standalone_mode=False)
    except typer.TyperException as exc:
        message = exc.format_message()
        if not message:  # a bare group: click has already printed its help
            return exc.exit_code
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        return fail(message + hint, exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return fail("aborted", 130)
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as exc:
        return fail(f"{exc.filename or 'I/O'}: {exc.strerror or exc}", 1)
    return result if isinstance(result, int) else 0


def _valid_text(arg: str) -> str:
    """Arguments that are not valid UTF-8 arrive with surrogate escapes; store U+FFFD instead."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _silence_stdout() -> None:
    # The reader went away (`crm … | head`): stop Python complaining at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    sys.exit(run())
