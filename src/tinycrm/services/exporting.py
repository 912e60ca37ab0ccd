"""Exporting contacts (vCard 4.0, CSV, JSON) and the calendar (iCalendar)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime
from typing import Any

from tinycrm import __version__, recurrence
from tinycrm.errors import UsageError
from tinycrm.io.csvfile import EXPORT_COLUMNS, contact_row
from tinycrm.io.ics import CalendarEntry, build_calendar
from tinycrm.models import Contact, FollowUp, Note
from tinycrm.serialize.contacts import contact_dict
from tinycrm.services import followups
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.textsafe import json_safe
from tinycrm.vocabulary import FollowUpKind

FORMATS = ("vcard", "csv", "json")


def _contacts(store: Store, ref: str | None) -> list[Contact]:
    if ref is not None:
        return [resolve_ref(store, ref)]
    return store.contacts.query(ContactFilter(archived=None))


def _notes_by_contact(store: Store, contacts: list[Contact]) -> dict[int, list[Note]]:
    if len(contacts) == 1 and contacts[0].id is not None:
        rows = store.notes.query(contacts[0].id)
    else:
        rows = store.notes.query()
    grouped: dict[int, list[Note]] = {}
    for row in reversed(rows):  # oldest first
        grouped.setdefault(row.note.contact_id, []).append(row.note)
    return grouped


# The UIDs of contacts made in tinycrm come from the contact's id and creation time: stable
# for as long as the contact exists, and different in another database.
_UID_NAMESPACE = uuid.UUID("5d0c3e5e-8c1b-4f57-9d53-2f1f3b8e0a11")


def contact_uids(store: Store) -> dict[int, str]:
    """The vCard UID of every contact, by id: the one it was imported with, else one made
    from its id and creation time."""
    return {
        contact_id: uid or str(uuid.uuid5(_UID_NAMESPACE, f"{contact_id} {created_at}"))
        for contact_id, uid, created_at in store.transfer.uid_sources()
    }


def export_contacts(store: Store, fmt: str, ref: str | None = None, *, apple: bool = False) -> str:
    """Every contact (archived too), or the one `ref` names, as vCard 4.0 (or Apple's 3.0),
    CSV or JSON."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be vcard, csv or json, not {fmt!r}")
    if apple and fmt != "vcard":
        raise UsageError("--apple is for --format vcard")
    if fmt == "json":
        text = json.dumps(export_json(store, ref), ensure_ascii=False, indent=2)
        return json_safe(text) + "\n"  # no raw C1 (CSI) when it goes to a terminal
    contacts = _contacts(store, ref)
    if fmt == "vcard":
        from tinycrm.io.vcard_export import contact_to_apple_vcard, contact_to_vcard

        write = contact_to_apple_vcard if apple else contact_to_vcard
        notes = _notes_by_contact(store, contacts)
        uids = contact_uids(store)
        return "".join(write(c, notes.get(c.id or 0, []), uids[c.id or 0]) for c in contacts)

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(contact_row(c) for c in contacts)
    return buffer.getvalue()


def _person(
    contact: Contact, rows: dict[str, list[dict[str, Any]]], uids: dict[int, str]
) -> dict[str, Any]:
    items: dict[int, list[dict[str, Any]]] = {}
    for item in rows["sale_items"]:
        items.setdefault(item["sale_id"], []).append(item)
    sales = [{**sale, "items": items.get(sale["id"], [])} for sale in rows["sales"]]
    # The version is this database's edit counter (for --if-version), not the person's data.
    fields = {k: v for k, v in contact_dict(contact).items() if k != "version"}
    return {
        **fields,
        "uid": uids[contact.id or 0],
        # The referrer by UID: the same person in any database the file is imported into.
        "referred_by_uid": uids.get(contact.referred_by) if contact.referred_by else None,
        "record": {k: v for k, v in rows["contacts"][0].items() if k != "version"},
        "emails_detail": rows["contact_emails"],
        "phones_detail": rows["contact_phones"],
        "addresses_detail": rows["contact_addresses"],
        "links_detail": rows["contact_links"],
        "anniversaries_detail": rows["anniversaries"],
        "stage_history": rows["stage_history"],
        "notes": rows["notes"],
        "follow_ups": rows["follow_ups"],
        "occurrence_marks": rows["occurrence_marks"],
        "sales": sales,
        "satisfaction": rows["satisfaction"],
        "cases": rows["cases"],
        "costs": rows["costs"],
        "company_departures": rows["company_departures"],
        "survey_opt_outs": rows["survey_opt_outs"],
        "pass_on_opt_outs": rows["pass_on_opt_outs"],
        "sale_stats": rows["sale_stats"],
        "score_stats": rows["score_stats"],
    }


def export_json(store: Store, ref: str | None = None) -> dict[str, Any]:
    """Everything: each contact with every row about it. With `ref`, that person only
    (a data-access request) and nothing about anyone else."""
    header = {
        "format": "tinycrm-export",
        "version": 1,
        "tinycrm": __version__,
        "exported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if ref is not None:
        contact = resolve_ref(store, ref)
        assert contact.id is not None
        rows = store.transfer.person_rows(contact.id)
        ids = {r["company_id"] for r in [*rows["contacts"], *rows["company_departures"]]}
        companies = store.transfer.company_rows(ids - {None})
        return {
            **header,
            "contact": _person(contact, rows, contact_uids(store)),
            "users": store.transfer.user_rows(_user_ids([*companies, *_flat(rows)])),
            "companies": companies,
        }
    contacts = store.contacts.query(ContactFilter(archived=None))
    everything = store.transfer.all_person_rows()
    uids = contact_uids(store)
    return {
        **header,
        "users": store.transfer.user_rows(None),
        "companies": store.transfer.company_rows(None),
        "contacts": [_person(c, everything[c.id or 0], uids) for c in contacts],
        "digest_runs": store.transfer.digest_runs(),
    }


def _flat(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [row for table in rows.values() for row in table]


def _user_ids(rows: list[dict[str, Any]]) -> set[int]:
    """The users that `rows` name: owners, assignees, who completed a follow-up."""
    columns = ("owner_id", "assignee_id", "done_by")
    return {row[c] for row in rows for c in columns if row.get(c) is not None}


def calendar_rule(follow_up: FollowUp) -> str:
    """The follow-up's RRULE for a calendar whose series starts at its next occurrence:
    a COUNT becomes the UNTIL of its last occurrence, and a monthly rule on the 29th-31st (or
    a yearly one on Feb 29) says that short months take their last day, as tinycrm does."""
    assert follow_up.rule is not None
    anchor = follow_up.anchor_on or follow_up.due_on
    parts = recurrence.rule_parts(follow_up.rule)
    if "COUNT" in parts:
        last = recurrence.occurrences(follow_up.rule, anchor, anchor, date.max,
                                      limit=int(parts.pop("COUNT")))[-1]  # fmt: skip
        parts["UNTIL"] = last.strftime("%Y%m%d")
    simple = not any(key.startswith("BY") for key in parts)
    if simple and parts["FREQ"] == "MONTHLY" and anchor.day > 28:
        parts.update(BYMONTHDAY=f"{anchor.day},-1", BYSETPOS="1")
    if simple and parts["FREQ"] == "YEARLY" and (anchor.month, anchor.day) == (2, 29):
        parts.update(BYMONTH="2", BYMONTHDAY="29,-1", BYSETPOS="1")
    return ";".join(f"{key}={value}" for key, value in parts.items())


# Check-ins and reorders, which `--todos` writes as VTODOs: things to do by a day.
TODO_KINDS = (FollowUpKind.CHECK_IN, FollowUpKind.REORDER)
TODO_DAYS = 366  # derived check-ins and reorders due up to this many days ahead


def export_ics(store: Store, today: date, *, todos: bool = False) -> bytes:
    """Open stored follow-ups, birthdays (yearly, year-less ones too) and anniversaries of
    active contacts, as all-day events. With `todos`, check-ins and reorders are VTODOs:
    stored ones, and the keep-in-touch check-ins and reorders tinycrm derives (overdue ones
    and those due within TODO_DAYS), one per contact and kind."""
    contacts = store.contacts.query(ContactFilter(archived=False))
    names = {c.id: c.name for c in contacts}
    entries: list[CalendarEntry] = []
    for row in store.follow_ups.query(None, "open"):
        follow_up = row.follow_up
        if follow_up.contact_id not in names:  # archived
            continue
        description = f"{follow_up.kind.value} follow-up for {row.contact_name}"
        if follow_up.rule:
            description += f" ({recurrence.describe(follow_up.rule)})"
        entries.append(
            CalendarEntry(
                uid=f"follow-up-{follow_up.id}@tinycrm",
                summary=f"{follow_up.title} — {row.contact_name}",
                start=follow_up.snoozed_until or follow_up.due_on,
                description=description,
                rule=calendar_rule(follow_up) if follow_up.rule else None,
                todo=todos and follow_up.kind in TODO_KINDS,
            )
        )
    if todos:
        entries += _derived_todos(store, today)
    for contact in contacts:
        if contact.birthday:
            b = contact.birthday
            entries.append(
                CalendarEntry(
                    uid=f"birthday-{contact.id}@tinycrm",
                    summary=f"Birthday: {contact.name}",
                    start=date(b.year or 2000, b.month, b.day),
                    yearly=True,
                    description=f"born {b.year}" if b.year else None,
                )
            )
        for item in contact.anniversaries:
            w = item.when
            entries.append(
                CalendarEntry(
                    uid=f"anniversary-{item.id}@tinycrm",
                    summary=f"{item.label.capitalize()}: {contact.name}",
                    start=date(w.year or 2000, w.month, w.day),
                    yearly=True,
                    description=f"since {w.year}" if w.year else None,
                )
            )
    return build_calendar(entries)


def _derived_todos(store: Store, today: date) -> list[CalendarEntry]:
    """The check-ins and reorders the queue derives (not stored follow-ups), as VTODOs whose
    UID stays the same while the contact's next one moves."""
    queue = followups.build_queue(store, today, days=TODO_DAYS, overdue_limit=0)
    found = []
    for item in [*queue.overdue, *queue.today, *queue.upcoming]:
        if item.follow_up_id is not None or item.kind not in TODO_KINDS:
            continue
        found.append(
            CalendarEntry(
                uid=f"{item.kind.value}-{item.contact_id}@tinycrm",
                summary=f"{item.title} — {item.contact_name}",
                start=item.due_on,
                description=f"{item.kind.value} for {item.contact_name}",
                todo=True,
            )
        )
    return found
