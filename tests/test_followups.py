"""The follow-up queue: derived rows, handles, done/snooze/skip, recurrence, and bad input."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.config import Settings
from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.services import followups as fu
from tinycrm.services.card import contact_details
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.actions import complete, skip, snooze
from tinycrm.services.followups.clock import spread_check_ins
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.store import Store
from tinycrm.vocabulary import DEFAULT_CADENCE, RelationshipType

D = date(2026, 11, 26)


def add(cli: Invoke, *args: str) -> dict[str, Any]:
    result = cli("contacts", "add", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def queue(cli: Invoke, command: str, *args: str) -> Any:
    """The command's JSON: an object of sections, or a list for `follow-ups list`."""
    result = cli("follow-ups", command, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def handles(rows: list[dict[str, Any]]) -> list[str]:
    return [row["handle"] for row in rows]


def person(store: Store, name: str, created: date, **fields: Any) -> int:
    return add_contact(store, ContactFields(name=name, **fields), created).id or 0


# --- derived birthdays and anniversaries ------------------------------------------------------


def test_birthday_today_with_age_and_year_less_one(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    add(cli, "Bo", "--birthday", "--11-26")
    data = queue(cli, "today", "--as-of", "2026-11-26")
    titles = {row["contact"]: row["title"] for row in data["today"]}
    assert titles == {"Ann": "Birthday: turns 40", "Bo": "Birthday"}
    assert handles(data["today"]) == ["b1-2026-11-26", "b2-2026-11-26"] or set(
        handles(data["today"])
    ) == {"b1-2026-11-26", "b2-2026-11-26"}


def test_upcoming_window_wraps_from_december_into_january(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1990-01-02")
    add(cli, "Bo", "--birthday", "--12-30")
    add(cli, "Cy", "--birthday", "1990-01-04")
    data = queue(cli, "upcoming", "--as-of", "2026-12-28", "--days", "6")
    assert [(r["contact"], r["due"]) for r in data["upcoming"]] == [
        ("Bo", "2026-12-30"),
        ("Ann", "2027-01-02"),
    ]
    assert data["upcoming"][1]["title"] == "Birthday: turns 37"


@pytest.mark.parametrize(
    ("setting", "shown_on", "not_on"),
    [("feb28", "2027-02-28", "2027-03-01"), ("mar1", "2027-03-01", "2027-02-28")],
)
def test_feb_29_birthday_in_a_common_year_follows_the_setting(
    cli: Invoke, isolated_env: Path, setting: str, shown_on: str, not_on: str
) -> None:
    (isolated_env / "config.toml").write_text(f'[dates]\nfeb29 = "{setting}"\n')
    add(cli, "Leap", "--birthday", "2000-02-29")
    assert handles(queue(cli, "today", "--as-of", shown_on)["today"]) == [f"b1-{shown_on}"]
    assert queue(cli, "today", "--as-of", not_on)["today"] == []
    leap = queue(cli, "today", "--as-of", "2028-02-29")["today"]
    assert [(r["handle"], r["title"]) for r in leap] == [("b1-2028-02-29", "Birthday: turns 28")]


def test_anniversary_title_counts_years(cli: Invoke) -> None:
    add(cli, "Ann", "--anniversary", "customer since=2021-11-26", "--anniversary", "wedding=1 jun")
    rows = queue(cli, "today", "--as-of", "2026-11-26")["today"]
    assert [r["title"] for r in rows] == ["Anniversary: 5 years a customer"]
    june = queue(cli, "today", "--as-of", "2027-06-01")["today"]
    assert [r["title"] for r in june] == ["Anniversary: wedding"]


def test_done_on_a_birthday_marks_only_this_year(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    result = cli("follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.stderr
    assert queue(cli, "today", "--as-of", "2026-11-26")["today"] == []
    again = cli("follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-11-26")
    assert again.exit_code == 1 and "already done" in again.stderr
    next_year = queue(cli, "today", "--as-of", "2027-11-26")["today"]
    assert [(r["handle"], r["title"]) for r in next_year] == [
        ("b1-2027-11-26", "Birthday: turns 41")
    ]


def test_missed_birthday_stays_overdue_for_a_week_then_goes(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-20")
    late = queue(cli, "overdue", "--as-of", "2026-11-26")
    assert [(r["handle"], r["days_late"]) for r in late["overdue"]] == [("b1-2026-11-20", 6)]
    assert queue(cli, "overdue", "--as-of", "2026-11-28")["overdue_total"] == 0


def test_editing_the_birthday_moves_the_reminder(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    assert cli("contacts", "edit", "1", "--birthday", "1986-12-01").exit_code == 0
    assert queue(cli, "today", "--as-of", "2026-11-26")["today"] == []
    assert handles(queue(cli, "today", "--as-of", "2026-12-01")["today"]) == ["b1-2026-12-01"]


def test_snoozed_birthday_comes_back_on_the_day_chosen(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    result = cli(
        "follow-ups", "snooze", "b1-2026-11-26", "--until", "2026-12-20", "--as-of", "2026-11-26"
    )
    assert result.exit_code == 0, result.stderr
    assert queue(cli, "today", "--as-of", "2026-11-26")["today"] == []
    back = queue(cli, "today", "--as-of", "2026-12-20")["today"]
    assert [(r["handle"], r["snoozed"]) for r in back] == [("b1-2026-11-26", True)]
    assert cli("follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-12-20").exit_code == 0
    assert queue(cli, "today", "--as-of", "2026-12-20")["today"] == []


# --- keep-in-touch check-ins -----------------------------------------------------------------


def test_check_in_falls_due_after_the_cadence_and_a_logged_call_clears_it(store: Store) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated")
    q = fu.build_queue(store, date(2026, 2, 5), days=0)
    assert [(i.handle, i.days_late) for i in q.overdue] == [(f"c{ann}-2026-01-31", 5)]
    add_note(store, str(ann), "Rang her", date(2026, 2, 5), channel="call")
    assert fu.build_queue(store, date(2026, 2, 5), days=0).overdue == []
    upcoming = fu.build_queue(store, date(2026, 2, 5), days=30).upcoming
    assert [i.due_on for i in upcoming] == [date(2026, 3, 7)]


def test_a_plain_note_does_not_clear_a_check_in(store: Store) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated")
    add_note(store, str(ann), "Likes red bikes", date(2026, 2, 5))
    assert len(fu.build_queue(store, date(2026, 2, 5), days=0).overdue) == 1


def test_done_check_in_with_note_logs_it_in_the_same_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated")
    handle = f"c{ann}-2026-01-31"

    def broken(*args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.notes, "insert", broken)
    with pytest.raises(RuntimeError):
        complete(store, handle, date(2026, 2, 5), note="Lunch", channel="visit")
    monkeypatch.undo()
    assert store.follow_ups.get_mark(ann, "check-in", "", date(2026, 1, 31)) is None
    assert store.contacts.get(ann).last_touch_on is None  # type: ignore[union-attr]
    complete(store, handle, date(2026, 2, 5), note="Lunch", channel="visit")
    assert [r.note.body for r in store.notes.query(ann)] == ["Lunch"]
    assert store.contacts.get(ann).last_touch_on == date(2026, 2, 5)  # type: ignore[union-attr]
    assert fu.build_queue(store, date(2026, 2, 5), days=0).overdue == []
    with pytest.raises(Conflict):
        complete(store, handle, date(2026, 2, 5))


def test_skipping_a_check_in_restarts_the_clock_without_an_interaction(store: Store) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated")
    skip(store, f"c{ann}-2026-01-31", date(2026, 2, 5))
    assert store.contacts.get(ann).last_touch_on is None  # type: ignore[union-attr]
    q = fu.build_queue(store, date(2026, 2, 5), days=31)
    assert [i.due_on for i in q.overdue + q.upcoming] == [date(2026, 3, 7)]


def test_generated_check_in_column_matches_the_default_cadences(store: Store) -> None:
    start = date(2026, 1, 1)
    for kind in RelationshipType:
        cid = person(store, f"P {kind.value}", start, relationship_type=kind.value)
        cadence = DEFAULT_CADENCE.get(kind)
        expected = start + timedelta(days=cadence) if cadence else None
        assert store.follow_ups.check_in_due_on(cid) == expected, kind
    override = person(store, "Own", start, relationship_type="dedicated", cadence="10")
    assert store.follow_ups.check_in_due_on(override) == date(2026, 1, 11)
    never = person(store, "Never", start, relationship_type="dedicated", cadence="none")
    assert store.follow_ups.check_in_due_on(never) is None


def test_imported_batch_is_spread_over_the_cadence(store: Store) -> None:
    ids = [
        person(store, f"P{i}", date(2025, 1, 1), relationship_type="dedicated") for i in range(60)
    ]
    assert spread_check_ins(store, ids, D) == 60
    dues = [store.follow_ups.check_in_due_on(i) for i in ids]
    assert all(d is not None and D < d <= D + timedelta(days=30) for d in dues)
    assert len(set(dues)) == 30
    assert fu.build_queue(store, D, days=0).overdue_total == 0


def test_open_case_and_relationship_raise_urgency(store: Store) -> None:
    a = person(store, "A", D, birthday="1980-11-26")
    b = person(store, "B", D, birthday="1980-11-26", relationship_type="dedicated")
    c = person(store, "C", D, birthday="1980-11-26")
    store.db.conn.execute(
        """INSERT INTO cases (contact_id, title, severity, opened_on, target_on, created_at)
           VALUES (?, 'Broken wheel', 'high', ?, ?, ?)""",
        (c, D.isoformat(), D.isoformat(), D.isoformat()),
    )
    today = {i.contact_id: i.urgency for i in fu.build_queue(store, D, days=0).today}
    assert today[c] == today[a] + fu.OPEN_CASE_WEIGHT
    assert today[b] == today[a] + 3.0
    assert [i.contact_id for i in fu.build_queue(store, D, days=0).today] == [c, b, a]


def test_archived_contacts_leave_the_queue(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    cli("follow-ups", "add", "Ann", "Call", "--due", "2026-11-26", "--as-of", "2026-11-26")
    cli("contacts", "archive", "Ann")
    assert queue(cli, "today", "--as-of", "2026-11-26")["today"] == []


# --- stored and recurring follow-ups ---------------------------------------------------------


def test_add_list_and_done_a_one_off(cli: Invoke) -> None:
    add(cli, "Ann")
    created = cli("follow-ups", "add", "Ann", "Thank-you call", "--due", "+2d", "--kind",
                  "thank-you", "--as-of", "2026-11-26", "--json")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    row = json.loads(created.stdout)
    assert (row["handle"], row["due"], row["kind"]) == ("1", "2026-11-28", "thank-you")
    assert handles(queue(cli, "upcoming", "--as-of", "2026-11-26", "--days", "2")["upcoming"]) == [
        "1"
    ]
    assert queue(cli, "list", "Ann")[0]["title"] == "Thank-you call"
    done = cli("follow-ups", "done", "1", "--note", "Happy with the bike", "--channel", "call",
               "--as-of", "2026-11-28")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert queue(cli, "list") == []
    notes = json.loads(cli("notes", "list", "--json").stdout)
    assert [(n["text"], n["channel"], n["date"]) for n in notes] == [
        ("Happy with the bike", "call", "2026-11-28")
    ]
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert shown["last_interaction_on"] == "2026-11-28"
    twice = cli("follow-ups", "done", "1", "--as-of", "2026-11-28")
    assert twice.exit_code == 1 and "already done" in twice.stderr


def test_recurring_done_advances_from_the_anchor(cli: Invoke) -> None:
    add(cli, "Ann")
    cli("follow-ups", "add", "Ann", "Service call", "--due", "2027-01-31", "--every", "monthly")
    dues = []
    for as_of in ("2027-01-31", "2027-02-28", "2027-03-31"):
        assert cli("follow-ups", "done", "1", "--as-of", as_of).exit_code == 0
        dues.append(queue(cli, "list")[0]["due"])
    assert dues == ["2027-02-28", "2027-03-31", "2027-04-30"]


def test_snooze_moves_only_this_occurrence_of_a_recurring_follow_up(cli: Invoke) -> None:
    add(cli, "Ann")
    cli("follow-ups", "add", "Ann", "Weekly call", "--due", "2026-11-27", "--every", "weekly")
    snoozed = cli("follow-ups", "snooze", "1", "--until", "2026-11-30", "--as-of", "2026-11-26")
    assert snoozed.exit_code == 0, snoozed.stderr
    assert queue(cli, "today", "--as-of", "2026-11-27")["today"] == []
    assert handles(queue(cli, "today", "--as-of", "2026-11-30")["today"]) == ["1"]
    assert cli("follow-ups", "done", "1", "--as-of", "2026-11-30").exit_code == 0
    assert queue(cli, "list")[0]["due"] == "2026-12-04"  # still on Fridays


def test_skip_a_recurring_follow_up_moves_on_without_an_interaction(cli: Invoke) -> None:
    add(cli, "Ann")
    cli("follow-ups", "add", "Ann", "Quarterly", "--due", "2026-11-26", "--every", "every 3 months")
    assert cli("follow-ups", "skip", "1", "--as-of", "2026-11-26").exit_code == 0
    assert queue(cli, "list")[0]["due"] == "2027-02-26"
    assert (
        json.loads(cli("contacts", "show", "Ann", "--json").stdout)["last_interaction_on"] is None
    )


@pytest.fixture
def berlin() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.usefixtures("berlin")
def test_weekly_follow_up_keeps_its_weekday_through_both_berlin_dst_changes(cli: Invoke) -> None:
    add(cli, "Ann")
    cli("follow-ups", "add", "Ann", "Friday call", "--due", "2027-03-19", "--every", "weekly")
    seen = []
    for _ in range(34):  # 2027-03-19 … 2027-11-05
        due = queue(cli, "list")[0]["due"]
        seen.append(date.fromisoformat(due))
        assert cli("follow-ups", "done", "1", "--as-of", due).exit_code == 0
    assert {d.weekday() for d in seen} == {4}
    assert seen[0] < date(2027, 3, 28) and seen[-1] > date(2027, 10, 31)


def test_overdue_is_paged_with_a_notice(cli: Invoke) -> None:
    add(cli, "Ann")
    for n in range(55):
        cli("follow-ups", "add", "1", f"Task {n}", "--due", "2026-11-01", "--as-of", "2026-11-01")
    data = queue(cli, "overdue", "--as-of", "2026-11-26")
    assert (len(data["overdue"]), data["overdue_total"]) == (50, 55)
    assert len(queue(cli, "overdue", "--as-of", "2026-11-26", "--limit", "0")["overdue"]) == 55
    text = cli("follow-ups", "today", "--as-of", "2026-11-26", "--limit", "5")
    assert "… and 50 more" in text.stderr
    assert text.stdout.count("Task ") == 5


def test_today_is_paged_most_urgent_first_with_the_total(cli: Invoke) -> None:
    add(cli, "Ann")
    add(cli, "Vip", "--type", "dedicated", "--cadence", "none")
    for n in range(4):
        cli(
            "follow-ups", "add", "Ann", f"Plain {n}", "--due", "2026-11-26", "--as-of", "2026-11-26"
        )
    cli("follow-ups", "add", "Vip", "Case", "--due", "2026-11-26", "--kind", "case",
        "--as-of", "2026-11-26")  # fmt: skip
    data = queue(cli, "today", "--as-of", "2026-11-26", "--limit", "2")
    assert [i["title"] for i in data["today"]] == ["Case", "Plain 0"]
    assert data["today_total"] == 5
    assert len(queue(cli, "today", "--as-of", "2026-11-26", "--limit", "0")["today"]) == 5
    text = cli("follow-ups", "today", "--as-of", "2026-11-26", "--limit", "2")
    assert len(text.stdout.splitlines()) == 3  # the header and two rows
    assert "… and 3 more today (--limit 0 shows all)" in text.stderr


def test_contacts_show_lists_open_follow_ups(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "--12-01")
    cli("follow-ups", "add", "Ann", "Call back", "--due", "tomorrow")
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert "Call back" in [f["title"] for f in shown["follow_ups"]]
    text = cli("contacts", "show", "Ann")
    assert "Call back" in text.stdout


def test_user_text_is_printed_literally(cli: Invoke) -> None:
    add(cli, "[/]\x1b[31mEvil")
    cli("follow-ups", "add", "1", "[red]x", "--due", "2026-11-26", "--as-of", "2026-11-26")
    out = cli("follow-ups", "today", "--as-of", "2026-11-26")
    assert out.exit_code == 0
    assert "[red]x" in out.stdout and "[/]" in out.stdout and "\x1b" not in out.stdout


# --- bad input: one line on stderr, the right exit code, nothing changed ----------------------


def _snapshot(cli: Invoke) -> str:
    return cli("follow-ups", "list", "--status", "all", "--json").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("done", "999"), 1, "no follow-up with handle '999'"),
        (("done", "b1-2026-01-01"), 1, "no follow-up with handle"),
        (("done", "not-a-handle"), 2, "not a follow-up handle"),
        (("skip", "b1-2026-13-45"), 2, "not a follow-up handle"),
        # ids beyond SQLite's 2^63 - 1 (issue 21: a traceback)
        (("done", "b9223372036854775808-2026-12-01"), 1, "no follow-up with handle"),
        (("skip", "c99999999999999999999999-2026-12-01"), 1, "no follow-up with handle"),
        (("snooze", "b9223372036854775808-2026-12-01", "--until", "2026-12-05"), 1,
         "no follow-up with handle"),
        (("snooze", "1", "--until", "2026-11-01"), 2, "in the past"),
        (("snooze", "1", "--until", "someday"), 2, "cannot read date 'someday'"),
        (("add", "Ann", "x", "--due", "today", "--every", "fortnight-ish"), 2,
         "cannot read recurrence 'fortnight-ish'"),
        (("add", "Ann", "x", "--due", "today", "--kind", "party"), 2, "unknown follow-up kind"),
        (("add", "Nobody", "x", "--due", "today"), 1, "no contact matches"),
        (("add", "Ann", "  ", "--due", "today"), 2, "needs a title"),
        (("upcoming", "--days", "-1"), 2, "--days must be between 0 and 3660"),
        (("upcoming", "--days", "100000"), 2, "--days must be between 0 and 3660"),
        (("done", "1", "--channel", "pigeon", "--note", "x"), 2, "unknown channel"),
    ],
)  # fmt: skip
def test_bad_input(cli: Invoke, args: tuple[str, ...], code: int, message: str) -> None:
    add(cli, "Ann", "--birthday", "1986-11-26")
    cli("follow-ups", "add", "Ann", "Call", "--due", "2026-11-27", "--as-of", "2026-11-26")
    before = _snapshot(cli)
    result = cli("follow-ups", *args, "--as-of", "2026-11-26")
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert _snapshot(cli) == before


def test_done_twice_and_snooze_of_done_are_conflicts(store: Store) -> None:
    ann = person(store, "Ann", D)
    created = add_follow_up(store, str(ann), "Call", D, D)
    complete(store, str(created.id), D)
    with pytest.raises(Conflict):
        complete(store, str(created.id), D)
    with pytest.raises(Conflict):
        snooze(store, str(created.id), D + timedelta(days=3), D)
    with pytest.raises(NotFound):
        skip(store, "424242", D)
    with pytest.raises(UsageError):
        fu.build_queue(store, D, days=-1)


def test_settings_default_is_used_by_build_queue(store: Store) -> None:
    person(store, "Leap", D, birthday="--02-29")
    q = fu.build_queue(
        store, date(2027, 3, 1), days=0, settings=Settings(feb29_in_common_years="mar1")
    )
    assert len(q.today) == 1


def test_sql_ranking_matches_the_documented_urgency(store: Store) -> None:
    vip = person(store, "Vip", D, relationship_type="dedicated", cadence="none")
    plain = person(store, "Plain", D)
    kinds = ["thank-you", "custom", "reorder", "case"]
    for offset in range(-20, 21, 3):
        for n, kind in enumerate(kinds):
            who = vip if n % 2 else plain
            add_follow_up(store, str(who), f"{kind} {offset}", D + timedelta(offset), D, kind=kind)
    q = fu.build_queue(store, D, days=30, overdue_limit=5)
    assert q.overdue_total == 4 * 7 and len(q.overdue) == 5
    for item in q.overdue + q.today + q.upcoming:
        rel = "dedicated" if item.contact_id == vip else None
        assert item.urgency == fu.urgency(item.kind, item.days_late, rel, False), item
    full = fu.build_queue(store, D, days=0, overdue_limit=None).overdue
    assert full[:5] == q.overdue
    assert [i.urgency for i in full] == sorted((i.urgency for i in full), reverse=True)


def test_snoozed_check_in_returns_on_its_day(store: Store) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated")
    snooze(store, f"c{ann}-2026-01-31", date(2026, 2, 10), date(2026, 2, 5))
    assert fu.build_queue(store, date(2026, 2, 5), days=0).overdue == []
    back = fu.build_queue(store, date(2026, 2, 10), days=0).today
    assert [(i.handle, i.snoozed) for i in back] == [(f"c{ann}-2026-01-31", True)]
    assert fu.build_queue(store, date(2026, 2, 12), days=0).overdue_total == 1


def test_upcoming_is_paged_too(cli: Invoke) -> None:
    add(cli, "Ann", "--birthday", "--11-28")
    cli("follow-ups", "add", "Ann", "Call", "--due", "2026-11-27", "--as-of", "2026-11-26")
    data = queue(cli, "upcoming", "--as-of", "2026-11-26", "--limit", "1")
    assert (handles(data["upcoming"]), data["upcoming_total"]) == (["1"], 2)
    text = cli("follow-ups", "upcoming", "--as-of", "2026-11-26", "--limit", "1")
    assert "… and 1 more" in text.stderr


def test_a_ten_year_window_lists_every_birthday(cli: Invoke) -> None:
    # A window's days are read many to a statement; SQLite caps a statement's parts.
    add(cli, "Ann", "--birthday", "1990-03-14")
    add(cli, "Bo", "--birthday", "--07-01")
    for days, each in (("366", 1), ("600", 2), ("3660", 10)):
        data = queue(cli, "upcoming", "--as-of", "2026-12-01", "--days", days, "--limit", "100")
        contacts = [row["contact"] for row in data["upcoming"] if row["kind"] == "birthday"]
        assert (contacts.count("Ann"), contacts.count("Bo")) == (each, each), days


# --- reorder rows and the one-contact view ------------------------------------------------------


def _regular_buyer(cli: Invoke) -> None:
    add(cli, "Ann")
    for day in ("2026-09-01", "2026-10-01", "2026-10-31"):
        result = cli("sales", "add", "Ann", "12.00", "--date", day, "--no-follow-up")
        assert result.exit_code == 0, result.stderr


def test_reorder_row_falls_due_after_the_median_interval(cli: Invoke) -> None:
    _regular_buyer(cli)
    assert queue(cli, "today", "--as-of", "2026-11-29")["today"] == []
    rows = queue(cli, "today", "--as-of", "2026-11-30")["today"]
    assert [(r["handle"], r["kind"]) for r in rows] == [("r1-2026-11-30", "reorder")]
    late = queue(cli, "overdue", "--as-of", "2026-12-20")
    assert handles(late["overdue"]) == ["r1-2026-11-30"] and late["overdue_total"] == 1


def test_done_hides_the_reorder_and_a_new_sale_moves_it(cli: Invoke) -> None:
    _regular_buyer(cli)
    done = cli("follow-ups", "done", "r1-2026-11-30", "--as-of", "2026-12-02")
    assert done.exit_code == 0, done.stderr
    assert queue(cli, "overdue", "--as-of", "2026-12-10")["overdue_total"] == 0
    sale = cli("sales", "add", "Ann", "12.00", "--date", "2026-12-05", "--no-follow-up",
               "--as-of", "2026-12-05")  # fmt: skip
    assert sale.exit_code == 0, sale.stderr
    rows = queue(cli, "upcoming", "--as-of", "2026-12-05", "--days", "40")["upcoming"]
    assert [r["handle"] for r in rows if r["kind"] == "reorder"] == ["r1-2027-01-04"]


def test_one_contact_view_matches_the_queue(store: Store) -> None:
    ann = person(store, "Ann", date(2026, 1, 1), relationship_type="dedicated",
                 birthday="1980-11-28")  # fmt: skip
    person(store, "Bo", date(2026, 1, 1), relationship_type="dedicated", birthday="1980-11-28")
    add_follow_up(store, str(ann), "Call", D, D, kind="thank-you")
    store.db.conn.execute(
        """INSERT INTO cases (contact_id, title, severity, opened_on, target_on, created_at)
           VALUES (?, 'Broken wheel', 'high', ?, ?, ?)""",
        (ann, D.isoformat(), D.isoformat(), D.isoformat()),
    )
    mine = contact_details(store, str(ann), today=D).follow_ups
    q = fu.build_queue(store, D, days=30)
    everyone = [i for i in q.overdue + q.today + q.upcoming if i.contact_id == ann]
    assert sorted(mine, key=lambda i: i.handle) == sorted(everyone, key=lambda i: i.handle)
    assert {i.kind for i in mine} == {"thank-you", "birthday", "check-in"}
    call = next(i for i in mine if i.kind == "thank-you")
    assert call.urgency == fu.urgency("thank-you", 0, "dedicated", True)
