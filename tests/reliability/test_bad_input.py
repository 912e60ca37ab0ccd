"""Property tests: any arguments to any command give exit 0, 1 or 2, never a traceback, and a
command that fails changes nothing in the database.

The commands and their parameters are read from the CLI itself, so a new command or option is
fuzzed without editing this file. Runs in-process through the `cli` fixture for speed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from tinycrm.cli.app import SUBCOMMANDS, load_subcommand
from tinycrm.services.cases import open_case
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.services.sales import add_sale
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
# Not fuzzed: the full-screen TUI, and `demo`'s --db (a random path would litter the disk).
SKIP = {"tui", "demo"}


def leaf_commands() -> list[tuple[list[str], Any]]:
    found: list[tuple[list[str], Any]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "list_commands"):
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])
        else:
            found.append((path, cmd))

    for name in SUBCOMMANDS:
        if name not in SKIP:
            walk(load_subcommand(name), [name])
    return found


COMMANDS = leaf_commands()

# Argument text: anything a shell can pass (no NUL, no lone surrogates).
any_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=40,
)
hostile = st.text(alphabet="\x1b\x9b\x07\x08\r\n\t\x7f[]/;=<>\"'%\\\u202e\u2028 -", max_size=12)
date_like = st.sampled_from(
    [
        "today",
        "tomorrow",
        "yesterday",
        "friday",
        "+3d",
        "-2w",
        "+1m",
        "+1y",
        "in 3 days",
        "dec 24",
        "24 dec",
        "2026-12-01",
        "2026-02-29",
        "2024-02-29",
        "0000-01-01",
        "9999-12-31",
        "10000-01-01",
        "03/04",
        "13/13",
        "--02-29",
        "02-30",
        "+99999999y",
        "-99999999999d",
        "in 0 days",
        "1e9",
        "",
    ]
)
number_like = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-0", "1.005", "12.345", "1,5", "0x10", "1_000", "€5", "5 EUR", "-1"]),
)
known = st.sampled_from(
    [
        "1",
        "2",
        "3",
        "Ann",
        "ann@x.example",
        "Bob",
        "0",
        "999999999999",
        "call",
        "email",
        "csat",
        "nps",
        "low",
        "high",
        "gift",
        "discount",
        "monthly",
        "every 3 months",
        "yearly",
        "none",
        "vip",
        "EUR",
        "JPY",
        "text",
        "html",
        "json",
        "markdown",
        "profit",
        "open",
        "done",
        "dedicated",
        "commitment",
        "c1-2026-11-26",
        "b1-2026-11-26",
        "--json",
        "-h",
    ]
)
value = st.one_of(known, date_like, number_like, any_text, hostile)


def in_dir(tmp: Path) -> Callable[[str], str]:
    return lambda v: str(tmp / v.replace("/", "_"))


def flag_if(flag: str) -> Callable[[bool], list[str]]:
    return lambda on: [flag] if on else []


def option_values(opt: str) -> Callable[[int], st.SearchStrategy[list[str]]]:
    """`n` values, each after the option's name."""

    def values(n: int) -> st.SearchStrategy[list[str]]:
        pairs = st.lists(value, min_size=n, max_size=n)
        return pairs.map(lambda vs: [x for v in vs for x in (opt, v)])

    return values


def arguments(tmp: Path, cmd: Any) -> st.SearchStrategy[list[str]]:
    parts: list[st.SearchStrategy[list[str]]] = []
    for param in cmd.params:
        if param.name in ("install_completion", "show_completion"):
            continue
        if param.param_type_name == "argument":
            single = value
            if param.name == "destination":  # `db backup`: keep the copies in the temp dir
                single = value.map(in_dir(tmp))
            strategy = single.map(lambda v: [v])
            parts.append(strategy if param.required else st.one_of(st.just([]), strategy))
        elif param.is_flag:
            parts.append(st.booleans().map(flag_if(param.opts[0])))
        else:
            count = st.integers(0, 2) if param.multiple else st.integers(0, 1)
            if param.required:
                count = st.just(1)
            parts.append(count.flatmap(option_values(param.opts[0])))
    return st.tuples(*parts).map(lambda groups: [a for g in groups for a in g])


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def seed(db: Path) -> None:
    store = Store.open(db, create=True)
    ann = add_contact(
        store,
        ContactFields(
            name="Ann",
            emails=["ann@x.example"],
            tags=["vip"],
            birthday="--11-26",
            relationship_type="dedicated",
        ),
        TODAY,
    )
    add_contact(store, ContactFields(name="Bob", company="Bob's [b]"), TODAY)
    add_note(store, "Ann", "first call", TODAY, "call")
    add_follow_up(store, str(ann.id), "call back", TODAY, TODAY)
    add_sale(store, "Ann", "12.50", sold_on=TODAY, today=TODAY, currency="EUR")
    open_case(store, "Ann", "broken lid", today=TODAY)
    store.close()


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_any_arguments_exit_cleanly_and_failures_change_nothing(
    path: list[str], cmd: Any, cli: Invoke, isolated_env: Path
) -> None:
    db = isolated_env / "crm.db"
    seed(db)

    @settings(
        max_examples=int(os.environ.get("CRM_FUZZ_EXAMPLES", "25")),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(args=arguments(isolated_env, cmd))
    def run(args: list[str]) -> None:
        before = dump(db)
        result = cli(*path, *args)
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        assert "Traceback" not in result.stderr
        if result.exit_code != 0:
            assert result.stderr.startswith(("crm: ", "Usage: ", "Error")), result.stderr
            assert dump(db) == before, "a failed command changed the database"

    run()
