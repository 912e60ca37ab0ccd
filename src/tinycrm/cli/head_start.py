"""A head start for `crm digest`: its SQLite reads begin before Typer is imported.

Cron runs `crm digest` every morning. Its integrity check (a walk over the pages it reads) and
its at-risk ranking are SQLite's own work, done without the GIL, and together they take about
as long as the rest of the command; but they need only the database file and the day, while
the first ~50 ms of the command go to importing Typer and tinycrm on one core. So `begin`,
called by the entry point before those imports, reads argv the plain way: when it is
`crm [--db PATH] digest [options]`, it starts both on a second connection at once. The
digest command then `claim`s them, and uses them only if Typer's parse agrees (the same file,
`--send` or not, the same day); otherwise it starts its own, as it does when run in-process
(tests) or when anything about argv is unusual. A guess that turns out wrong costs CPU, never
a wrong answer. Measured in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tinycrm.services.atrisk import Page
    from tinycrm.store import Reading, Store
    from tinycrm.store.atrisk import AtRiskRow


class _Guess(NamedTuple):
    db_option: str | None
    as_of_text: str | None
    send: bool


class _Early(NamedTuple):
    """What the early reads found; None when the file's schema is not this version's (the
    command migrates it first, so the reads must wait for that)."""

    integrity_error: BaseException | None
    at_risk: Page[AtRiskRow] | BaseException | None


class _Started(NamedTuple):
    path: Path
    send: bool
    as_of: date | None
    reading: Reading[_Early | None]


_started: _Started | None = None


def begin(argv: list[str]) -> None:
    """Start the digest's integrity check and at-risk ranking if argv asks for a digest."""
    global _started
    guess = _guess(argv)
    if guess is None:
        return
    try:
        from tinycrm import config

        settings = config.load_settings()
        path = config.database_path(guess.db_option, settings)
        if not path.is_file():
            return  # the command creates it
        as_of = _as_of(guess.as_of_text, settings.day_first)
    except Exception:  # the command reports it
        return
    from tinycrm.store import Reading

    reading = Reading(path, lambda store: _early_reads(store, guess.send, as_of))
    _started = _Started(path.resolve(), guess.send, as_of, reading)


def claim(
    store: Store, *, send: bool, as_of: date
) -> tuple[Callable[[], None], Callable[[], Page[AtRiskRow]] | None] | None:
    """The early integrity check (a function that waits for it and raises Corrupt) and, for
    `as_of`, the early at-risk short list, if `begin` started them for this store's file."""
    global _started
    started, _started = _started, None
    if started is None or started.send != send or started.path != store.db.path.resolve():
        return None
    from tinycrm.services import atrisk, integrity

    def early() -> _Early:
        found = started.reading.result(otherwise=lambda: None)
        if found is None:  # not read early after all
            return _Early(_error(lambda: integrity.check_integrity(store, full=send)), None)
        return found

    def checked() -> None:
        error = early().integrity_error
        if error is not None:
            raise error

    def at_risk() -> Page[AtRiskRow]:
        page = early().at_risk
        if page is None:
            return atrisk.short_list(store, as_of)
        if isinstance(page, BaseException):
            raise page
        return page

    return checked, (at_risk if started.as_of == as_of else None)


def _guess(argv: list[str]) -> _Guess | None:
    """`crm [--db PATH] digest [options]`'s database option, --as-of and --send; None for any
    other command line (or anything out of the ordinary before `digest`)."""
    db_option = None
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option == "--db" and rest:
            db_option = rest.pop(0)
        elif option.startswith("--db="):
            db_option = option.removeprefix("--db=")
        else:
            return None
    if not rest or rest.pop(0) != "digest" or {"-h", "--help"} & set(rest):
        return None
    as_of_text = None
    for index, option in enumerate(rest):
        if option == "--as-of" and index + 1 < len(rest):
            as_of_text = rest[index + 1]
        elif option.startswith("--as-of="):
            as_of_text = option.removeprefix("--as-of=")
    return _Guess(db_option, as_of_text, "--send" in rest)


def _as_of(text: str | None, day_first: bool) -> date | None:
    """The day `crm digest` will answer for (as `cli.context.as_of_date` reads it), or None
    when it cannot be read here."""
    if text is None:
        return date.today()
    from tinycrm.dates import parse_date

    try:
        return parse_date(text, date.today(), day_first=day_first, prefer="future")
    except Exception:
        return None


def _early_reads(store: Store, send: bool, as_of: date | None) -> _Early | None:
    from tinycrm.store.schema import LATEST_VERSION

    if store.db.version != LATEST_VERSION:
        return None
    from tinycrm.services import atrisk, integrity

    integrity_error = _error(lambda: integrity.check_integrity(store, full=send))
    at_risk: Page[AtRiskRow] | BaseException | None = None
    if as_of is not None and integrity_error is None:
        try:
            at_risk = atrisk.short_list(store, as_of)
        except Exception as exc:  # raised again by the command that claims it
            at_risk = exc
    return _Early(integrity_error, at_risk)


def _error(work: Callable[[], None]) -> BaseException | None:
    try:
        work()
    except Exception as exc:
        return exc
    return None
