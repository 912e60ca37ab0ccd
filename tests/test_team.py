"""A team's day (issue 16): whose follow-ups a queue shows (CLI and TUI agree), assigning
customers, a hand-over under concurrent writers, and who may forget. Both backends."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY, Invoke
from tinycrm.services import identity
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.widgets.queue_table import QueueTable
from tui.conftest import screen_text, select_row

DAY = TODAY.isoformat()


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def exported(cli: Invoke) -> Any:
    """Everything in the CRM, as its JSON export has it (but for when it was made)."""
    result = cli("contacts", "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {k: v for k, v in json.loads(result.stdout).items() if k != "exported_at"}


def handles(cli: Invoke, *scope: str) -> set[str]:
    """The rows of today's queue and the next 7 days, for `scope` (e.g. --mine)."""
    today = ok(cli, "follow-ups", "today", "--as-of", DAY, "--limit", "0", *scope)
    ahead = ok(cli, "follow-ups", "upcoming", "--as-of", DAY, "--limit", "0", *scope)
    rows = [*today["overdue"], *today["today"], *ahead["upcoming"]]
    return {row["handle"] for row in rows}


@pytest.fixture
def shop(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann (admin) and Bob; Ann's, Bob's and nobody's customers with follow-ups; one of Bob's
    follow-ups is for Ann. Commands run as Ann."""
    ok(cli, "users", "add", "Ann Smith", "--email", "ann@shop.example", "--login", "ann")
    monkeypatch.setenv("CRM_USER", "ann")
    ok(cli, "users", "add", "Bob Jones", "--email", "bob@shop.example", "--login", "bob")
    for name, owner in [("Chloé Martin", "Ann"), ("Dan Brown", "Bob"), ("Eve Moss", "none"),
                        ("Fay Holt", "Ann")]:  # fmt: skip
        ok(cli, "contacts", "add", name, "--owner", owner, "--type", "personal")
        due = "2026-11-20" if name != "Fay Holt" else "2026-11-28"
        ok(cli, "follow-ups", "add", name, f"Call {name}", "--due", due, "--as-of", DAY)
    ok(cli, "follow-ups", "add", "Dan", "Quote for Dan", "--due", DAY, "--for", "Ann",
       "--as-of", DAY)  # fmt: skip


def test_mine_owner_and_unassigned_split_the_queue(cli: Invoke, shop: None) -> None:
    everyone = handles(cli)
    mine, bobs, nobodys = (
        handles(cli, "--mine"),
        handles(cli, "--owner", "bob"),
        handles(cli, "--unassigned"),
    )
    assert mine | bobs | nobodys == everyone and len(mine) + len(bobs) + len(nobodys) == len(
        everyone
    )
    rows = ok(cli, "follow-ups", "today", "--as-of", DAY, "--mine")
    titles = {r["title"] for r in [*rows["overdue"], *rows["today"]]}
    assert {"Call Chloé Martin", "Quote for Dan"} <= titles  # Ann's customer; Ann's by name
    assert "Call Dan Brown" not in titles and "Call Eve Moss" not in titles
    assert all(r["owner"] == "Ann Smith" for r in [*rows["overdue"], *rows["today"]])
    unassigned = ok(cli, "follow-ups", "overdue", "--as-of", DAY, "--unassigned")["overdue"]
    assert [r["owner"] for r in unassigned] == [None] * len(unassigned) and unassigned
    table = cli("follow-ups", "today", "--as-of", DAY)
    assert "\towner\t" in table.stdout.splitlines()[0] and "unassigned" in table.stdout


def test_whose_rows_is_one_choice_and_mine_needs_a_me(
    cli: Invoke, shop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = cli("follow-ups", "today", "--mine", "--unassigned")
    assert both.exit_code == 2 and "choose one of" in both.stderr
    monkeypatch.delenv("CRM_USER")
    nobody = cli("follow-ups", "today", "--mine")
    assert nobody.exit_code == 2 and "--mine: no user has the login" in nobody.stderr
    assert cli("follow-ups", "today", "--owner", "Zed").exit_code == 1


def test_the_config_can_make_mine_the_default(cli: Invoke, shop: None, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('[team]\ndefault_view = "mine"\n')
    assert handles(cli) == handles(cli, "--mine") != handles(cli, "--everyone")


async def test_the_tui_opens_on_my_rows_as_mine_lists_them(
    cli: Invoke, shop: None, store: Store
) -> None:
    mine, everyone = handles(cli, "--mine"), handles(cli, "--everyone")
    store.act_as(identity.identify(store, as_ref=None, env_user="ann", os_login=None))
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(QueueTable)
        assert set(table.items) == mine and not table.owners
        await pilot.press("v")
        await pilot.pause()
        assert set(table.items) == everyone and table.owners
        await pilot.press("v")
        await pilot.pause()
        assert set(table.items) == mine


async def test_done_in_the_tui_on_a_row_a_colleague_did_first_names_them(
    cli: Invoke, shop: None, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tinycrm.tui.app.WATCH_SECONDS", 3600)  # the row stays until "d"
    monkeypatch.setattr(CrmApp, "NOTIFICATION_TIMEOUT", 3600)  # the toast until it is read
    store.act_as(identity.identify(store, as_ref=None, env_user="ann", os_login=None))
    app = CrmApp(store, TODAY)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.app.workers.wait_for_complete()
        select_row(app, "Quote for Dan")
        handle = app.screen.query_one(QueueTable).current_handle or ""
        monkeypatch.setenv("CRM_USER", "bob")
        assert cli("follow-ups", "done", handle, "--as-of", DAY).exit_code == 0
        before = exported(cli)
        await pilot.press("d")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shown = " ".join(screen_text(app).replace("▌", " ").split())
        assert f"follow-up {handle} is already done by Bob Jones " in shown
    assert exported(cli) == before


def test_customers_are_assigned_by_name_or_by_filter(cli: Invoke, shop: None) -> None:
    ok(cli, "contacts", "edit", "Eve", "--tag", "vip")
    ok(cli, "contacts", "edit", "Dan", "--tag", "vip")
    done = ok(cli, "contacts", "assign", "--tag", "vip", "--to", "Ann")
    assert (done["owner"], done["contacts"], done["changed"]) == ("Ann Smith", 2, 2)
    assert ok(cli, "contacts", "assign", "Chloé", "Fay", "--to", "bob")["changed"] == 2
    owners = {c["name"]: c["owner"] for c in ok(cli, "contacts", "list")}
    assert owners == {"Chloé Martin": "Bob Jones", "Dan Brown": "Ann Smith",
                      "Eve Moss": "Ann Smith", "Fay Holt": "Bob Jones"}  # fmt: skip
    moved = ok(cli, "contacts", "assign", "--owner", "Ann", "--to", "none")
    assert moved["contacts"] == 2
    assert {c["name"] for c in ok(cli, "contacts", "list", "--unowned")} == {
        "Dan Brown",
        "Eve Moss",
    }


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("Chloé", "--tag", "vip"), "not both", 2),
        ((), "name the contacts", 2),
        (("--tag", "nobody-has-it"), "no active contact matches", 1),
        (("Chloé", "Zed"), "Zed", 1),
    ],
)
def test_a_bad_assignment_changes_nothing(
    cli: Invoke, shop: None, args: tuple[str, ...], message: str, code: int
) -> None:
    before = ok(cli, "contacts", "list")
    result = cli("contacts", "assign", *args, "--to", "Bob")
    assert result.exit_code == code and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert ok(cli, "contacts", "list") == before


def test_a_non_admin_cannot_forget_and_nothing_changes(
    cli: Invoke, shop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = exported(cli)
    monkeypatch.setenv("CRM_USER", "bob")
    refused = cli("contacts", "forget", "Chloé", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "crm: forgetting a contact needs an admin; Bob Jones is not one; nothing was changed"
    )
    monkeypatch.setenv("CRM_USER", "ann")
    after = exported(cli)
    assert after == before
    assert cli("contacts", "forget", "Chloé", "--yes").exit_code == 0


# -- a hand-over while others write ---------------------------------------------------------

CUSTOMERS = 60
WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from tinycrm.config import database_location
    from tinycrm.services.notes import add_note
    from tinycrm.services.identity import identify
    from tinycrm.store import Store

    db, go, stop, worker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    while not go.exists():
        time.sleep(0.001)
    store = Store.open(database_location(db))
    store.act_as(identify(store, as_ref=None, env_user="bob", os_login=None))
    (go.parent / f"ready-{worker}").touch()
    failures = i = 0
    while i < 150 or not stop.exists():  # still writing when the hand-over runs
        try:
            add_note(store, str(1 + (i * 7 + worker) % 60), f"w{worker} {i}", date(2026, 11, 26))
        except Exception as exc:
            failures += 1
            print(f"FAIL {type(exc).__name__}: {exc}", file=sys.stderr)
        i += 1
    store.close()
    print(failures)
    """
)
# Reads the customers' owners in one transaction each: a mix of Ann and Bob would be a torn
# hand-over.
READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tinycrm.config import database_location
    from tinycrm.store import Store

    db, go, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.001)
    store = Store.open(database_location(db))
    (go.parent / "ready-reader").touch()
    reads = torn = 0
    while not stop.exists():
        with store.read() as conn:
            owners = {row[0] for row in conn.execute(
                "SELECT owner_id FROM contacts WHERE id <= 60")}
        reads += 1
        torn += len(owners) != 1
        time.sleep(0.002)
    store.close()
    print(reads, torn)
    """
)


def test_a_hand_over_is_atomic_under_concurrent_writers(
    cli: Invoke, db_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli, "users", "add", "Ann Smith", "--email", "ann@shop.example", "--login", "ann")
    monkeypatch.setenv("CRM_USER", "ann")
    ok(cli, "users", "add", "Bob Jones", "--email", "bob@shop.example", "--login", "bob")
    for n in range(CUSTOMERS):
        ok(cli, "contacts", "add", f"Customer {n}", "--owner", "Ann")
    ok(cli, "follow-ups", "add", "Customer 1", "Call", "--due", DAY, "--for", "Ann")
    go, stop = tmp_path / "go", tmp_path / "stop"
    run = [sys.executable, "-c"]
    writers = [
        subprocess.Popen([*run, WRITER, db_location, str(go), str(stop), str(w)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(3)
    ]  # fmt: skip
    reader = subprocess.Popen(
        [*run, READER, db_location, str(go), str(stop)], stdout=subprocess.PIPE, text=True
    )
    go.touch()
    ready = [tmp_path / f"ready-{name}" for name in ("0", "1", "2", "reader")]
    try:
        while not all(path.exists() for path in ready):  # everyone is writing or reading
            assert all(p.poll() is None for p in [*writers, reader]), "a helper process died"
            time.sleep(0.01)
        done = ok(cli, "users", "hand-over", "Ann", "--to", "Bob")
    finally:
        stop.touch()  # the helpers stop even when the test fails
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0 and out.strip() == "0", err
    reads, torn = map(int, reader.communicate(timeout=120)[0].split())
    assert reads > 0 and torn == 0
    assert done["moved"] == {"customers": CUSTOMERS, "companies": 0, "follow_ups": 1, "cases": 0}
    owners = {c["owner"] for c in ok(cli, "contacts", "list")}
    assert owners == {"Bob Jones"}


def test_contacts_show_says_unowned_in_a_crm_with_users(cli: Invoke, shop: None) -> None:
    owners = [
        line.split()[1:]
        for name in ("Eve", "Dan")
        for line in cli("contacts", "show", name).stdout.splitlines()
        if line.startswith("Owner")
    ]
    assert owners == [["unowned"], ["Bob", "Jones"]]
