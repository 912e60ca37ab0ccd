"""One rule for when a keep-in-touch check-in falls due, read by the follow-up queue, the
at-risk report (and so the digest) alike: a logged interaction, even backdated, restarts the
clock from its date; adding or importing a contact and skipping a check-in restart it without
counting as contact (docs/follow-ups.md)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from tinycrm.errors import CrmError
from tinycrm.services import atrisk, followups
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.actions import complete, skip, snooze
from tinycrm.services.notes import add_note
from tinycrm.store import Store

START = date(2026, 1, 5)
TYPES = [None, "dedicated", "personal", "long-term", "community", "self-service"]


def overdue_check_ins(store: Store, day: date) -> dict[int, int]:
    """Contact id → days late, for every overdue check-in in the queue on `day`."""
    queue = followups.build_queue(store, day, days=0, overdue_limit=0)
    return {i.contact_id: i.days_late for i in queue.overdue if i.kind == "check-in"}


def losing_touch(store: Store, day: date) -> dict[int, int | None]:
    """Contact id → days late, for every contact losing touch in `report at-risk` on `day`."""
    page = atrisk.at_risk(store, day)
    return {r.contact_id: r.days_late for r in page.rows if r.days_late is not None}


action = st.tuples(
    st.sampled_from(["note", "note", "skip", "done", "snooze"]),
    st.integers(0, 400),  # the day it is done, after START
    st.integers(0, 120),  # how far a note is backdated, how long a snooze lasts
)


@settings(
    max_examples=int(os.environ.get("CRM_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(TYPES),
    cadence=st.sampled_from([None, None, "0", "1", "7", "30"]),
    actions=st.lists(action, max_size=6),
    look=st.integers(0, 500),
)
def test_losing_touch_exactly_when_the_check_in_is_overdue(
    kind: str | None, cadence: str | None, actions: list[tuple[str, int, int]], look: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "crm.db", create=True)
        try:
            ref = str(add_contact(store, ContactFields(name="Ada", relationship_type=kind,
                                                       cadence=cadence), START).id)  # fmt: skip
            add_contact(store, ContactFields(name="Bo", relationship_type="dedicated"), START)
            for what, offset, amount in sorted(actions, key=lambda a: a[1]):
                today = START + timedelta(days=offset)
                if what == "note":
                    add_note(store, ref, "call", today - timedelta(days=amount), "call")
                    continue
                due = store.follow_ups.check_in_due_on(int(ref))
                if due is None or due > today:
                    continue
                handle = f"c{ref}-{due}"
                try:
                    if what == "skip":
                        skip(store, handle, today)
                    elif what == "done":
                        complete(store, handle, today)
                    else:
                        snooze(store, handle, today + timedelta(days=amount + 1), today)
                except CrmError:
                    pass  # e.g. a snooze that does not postpone: refused, nothing changed
            for day in (START + timedelta(days=look), START + timedelta(days=look + 1)):
                queue = overdue_check_ins(store, day)
                at_risk = losing_touch(store, day)
                assert queue.keys() == at_risk.keys(), day
                snoozed = {m.contact_id for m in store.follow_ups.snoozed_marks()}
                for contact_id in queue.keys() - snoozed:
                    assert queue[contact_id] == at_risk[contact_id], day
        finally:
            store.close()


def report(cli: Invoke, *args: str) -> dict[str, Any]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


ADDED = date(2026, 12, 4)


def test_backdated_call_restarts_the_clock_from_its_date(cli: Invoke, store: Store) -> None:
    as_of = ("--as-of", "2026-12-04")
    add_contact(store, ContactFields(name="Ada Example", relationship_type="dedicated"), ADDED)
    logged = cli("notes", "add", "Ada", "called", "--channel", "call", "--at", "2026-10-05")
    assert logged.exit_code == 0, logged.stderr
    overdue = report(cli, "follow-ups", "overdue", *as_of)
    rows = [r for r in overdue["overdue"] if r["kind"] == "check-in"]
    assert [(r["handle"], r["days_late"]) for r in rows] == [("c1-2026-11-04", 30)]
    risk = report(cli, "report", "at-risk", *as_of)["rows"]
    assert [(r["contact"], r["days_late"], r["last_contact_on"]) for r in risk] == [
        ("Ada Example", 30, "2026-10-05")
    ]


def test_a_skip_moves_the_check_in_everywhere_and_is_not_contact(cli: Invoke, store: Store) -> None:
    add_contact(store, ContactFields(name="Ada", relationship_type="dedicated"), ADDED)
    skipped = cli("follow-ups", "skip", "c1-2027-01-03", "--as-of", "2027-01-10")
    assert skipped.exit_code == 0, skipped.stderr
    later = ("--as-of", "2027-01-20")
    assert report(cli, "follow-ups", "overdue", *later)["overdue"] == []
    assert report(cli, "report", "at-risk", *later)["rows"] == []
    # A month after the skip both say it is due again, and nobody was contacted.
    again = ("--as-of", "2027-02-12")
    assert [r["handle"] for r in report(cli, "follow-ups", "overdue", *again)["overdue"]] == [
        "c1-2027-02-09"
    ]
    (row,) = report(cli, "report", "at-risk", *again)["rows"]
    assert row["last_contact_on"] is None
    assert row["reasons"] == ["check-in 3 days late (every 30 days, never contacted)"]


def test_cadence_in_force_is_the_same_in_every_view(cli: Invoke, store: Store) -> None:
    """The cadence a contact card shows (Python) is the one the reports read (SQL)."""
    for kind in ["dedicated", "personal", "long-term", "community"]:
        add_contact(store, ContactFields(name=kind, relationship_type=kind), date(2020, 1, 1))
    own = ContactFields(name="Own", relationship_type="personal", cadence="12")
    add_contact(store, own, date(2020, 1, 1))
    shown = {
        c["name"]: c["cadence_days"] for c in json.loads(cli("contacts", "list", "--json").stdout)
    }
    risk = report(cli, "report", "at-risk", "--as-of", "2026-01-01")["rows"]
    assert {r["contact"]: r["cadence_days"] for r in risk} == shown
