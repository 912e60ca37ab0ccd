"""A head start for `crm digest`: its SQLite reads begin before Typer is imported.

Cron runs `crm digest` every morning. Its integrity check (a walk over the pages it reads) and
its at-risk ranking are SQLite's own work, done without the GIL, and together they take about
as long as the rest of the command; but they need only the database file and the day, while
the first ~60 ms of the command go to importing Typer and tinycrm on one core. So `begin`,
called by the entry point before those imports, reads argv the plain way: when it is
`crm [--db PATH] digest [options]`, it starts both at once, each on a read-only connection
of its own. The digest command then `claim`s them, and uses them only if Typer's parse
agrees (the same file, `--send` or not, the same day); otherwise it starts its own, as it
does when run in-process (tests) or when anything about argv is unusual. A wrong guess costs
CPU, never a wrong answer. Measured in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
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


class Early(NamedTuple):
    """The digest's reads begun before Typer was loaded, as the command uses them."""

    checked: Callable[[], None]  # waits for the integrity check; raises Corrupt
    at_risk_later: Callable[[], Page[AtRiskRow]] | None = None  # None: not begun for this day


class _Started(NamedTuple):
    path: Path
    send: bool
    as_of: date | None
    check: Reading[bool]  # False: not checked early (see _current)
    short_list: Reading[Page[AtRiskRow] | None] | None  # None: not read early


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

    # Two connections: both cores are busy once Typer is loaded, and neither read waits for
    # the other at the end.
    check = Reading(path, lambda store: _check(store, guess.send))
    short_list = Reading(path, lambda store: _short_list(store, as_of)) if as_of else None
    _started = _Started(path.resolve(), guess.send, as_of, check, short_list)


def claim(store: Store, *, send: bool, as_of: date) -> Early | None:
    """The early integrity check (a function that waits for it and raises Corrupt) and, for
    `as_of`, the early at-risk short list, if `begin` started them for this store's file."""
    global _started
    started, _started = _started, None
    if started is None or started.send != send or started.path != store.db.path.resolve():
        return None
    from tinycrm.services import atrisk, integrity

    def checked() -> None:
        if not started.check.result(otherwise=lambda: False):
            integrity.check_integrity(store, full=send)

    def at_risk(early: Reading[Page[AtRiskRow] | None]) -> Page[AtRiskRow]:
        page = early.result(otherwise=lambda: None)
        return page if page is not None else atrisk.short_list(store, as_of)

    early = started.short_list if started.as_of == as_of else None
    return Early(checked, partial(at_risk, early) if early is not None else None)


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
    when it cannot be read here (the command says why)."""
    if text is None:
        return date.today()
    from tinycrm.dates import read_as_of

    try:
        return read_as_of(text, date.today(), day_first=day_first)
    except Exception:
        return None


def _current(store: Store) -> bool:
    """Whether the file has this version's schema; an older one is not read early, since the
    command migrates it first and a migration may change what the reads see."""
    from tinycrm.store.schema import LATEST_VERSION

    return store.db.version == LATEST_VERSION


def _check(store: Store, send: bool) -> bool:
    """The integrity check (raises Corrupt); False when the file was not checked."""
    if not _current(store):
        return False
    from tinycrm.services import integrity

    integrity.check_integrity(store, full=send)
    return True


def _short_list(store: Store, as_of: date) -> Page[AtRiskRow] | None:
    if not _current(store):
        return None
    from tinycrm.services import atrisk

    return atrisk.short_list(store, as_of)
