"""The root `crm` command: global options, sub-apps, and turning errors into one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer

from tinycrm import __version__
from tinycrm.cli.context import State
from tinycrm.cli.plain_help import CrmTyper, LazyGroup, load_command
from tinycrm.errors import CrmError
from tinycrm.textsafe import visible

# Sub-commands, loaded only when used: Typer converts every command function it is given
# (type hints, parameters) on each start, so registering them all would tax every command.
SUBCOMMANDS: dict[str, str] = {
    "contacts": "tinycrm.cli.contacts:app",
    "companies": "tinycrm.cli.companies:app",
    "notes": "tinycrm.cli.notes:app",
    "history": "tinycrm.cli.history:history",
    "follow-ups": "tinycrm.cli.followups:app",
    "db": "tinycrm.cli.db:app",
    "demo": "tinycrm.cli.demo:demo",
    "tui": "tinycrm.cli.tui:tui",
    "sales": "tinycrm.cli.sales:app",
    "satisfaction": "tinycrm.cli.satisfaction:app",
    "cases": "tinycrm.cli.cases:app",
    "report": "tinycrm.cli.report:app",
    "pass-on": "tinycrm.cli.passon:pass_on",
    "digest": "tinycrm.cli.digest:digest",
    "export": "tinycrm.cli.transfer:export_app",
    "surveys": "tinycrm.cli.surveys:app",
    "mail": "tinycrm.cli.mail:app",
    "portal": "tinycrm.cli.portal:app",
    "users": "tinycrm.cli.users:app",
}


def load_subcommand(name: str) -> Any:
    """The click command for one sub-command, built from its Typer app or function."""
    return load_command(name, SUBCOMMANDS[name])


class CrmGroup(LazyGroup):
    """The root group: loads sub-commands lazily, and turns domain and database errors into
    one stderr line and an exit code (here rather than only in `run()`, so that Typer's test
    runner sees the same behaviour).
    """

    lazy = SUBCOMMANDS

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return sorted(super().list_commands(ctx))

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except CrmError as exc:
            raise typer.Exit(fail(str(exc), exc.exit_code)) from exc
        except Exception as exc:
            # sqlite3 is not imported up front (`--version`, `--help` need no database): an
            # sqlite3 error can only come from a command that imported it.
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError):
                raise typer.Exit(fail(f"database error: {exc}", 1)) from exc
            raise


app = CrmTyper(
    cls=CrmGroup,
    name="crm",
    help="tinycrm: your customers, notes, follow-ups and sales in one local database.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
        metavar="PATH|URL",
        help="Database file, or a postgresql:// URL (default: $CRM_DB, the config's database,"
        " or the user data dir).",
    ),
    as_user: str = typer.Option(
        None,
        "--as",
        metavar="USER",
        help="Act as this user (default: $CRM_USER, else your login); someone else than"
        " yourself needs an admin.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = State(db_option=db_path, as_user=as_user)
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
        if not message:
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
    """The `crm` console script."""
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = code or 1
    sys.exit(code)
