"""Exporting contacts (vCard 4.0, CSV, JSON) and the calendar (iCalendar)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from typing import Any

from tinycrm import __version__, recurrence
from tinycrm.dates import PartialDate
from tinycrm.errors import UsageError
from tinycrm.io.csvfile import EXPORT_COLUMNS, contact_row
from tinycrm.io.ics import CalendarEntry, calendar_chunks
from tinycrm.models.contacts import Contact
from tinycrm.models.followups import FollowUp
from tinycrm.models.notes import Note
from tinycrm.serialize.contacts import contact_dict
from tinycrm.services import followups
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.textsafe import json_safe
from tinycrm.vocabulary import FollowUpKind

FORMATS = ("vcard", "csv", "json")


BATCH = 100  # contacts read (with their notes and rows) at a time by a whole export


def _batches(store: Store) -> Iterator[list[Contact]]:
    """Every contact (archived too), by name, a batch at a time."""
    contacts = store.contacts.each(ContactFilter(archived=None))
    while batch := list(islice(contacts, BATCH)):
        yield batch


# The UIDs of contacts made in tinycrm come from the contact's id and creation time: stable
# for as long as the contact exists, and different in another database.
_UID_NAMESPACE = uuid.UUID("5d0c3e5e-8c1b-4f57-9d53-2f1f3b8e0a11")


def contact_uids(store: Store, ids: Sequence[int] | None = None) -> dict[int, str]:
    """The vCard UID of every contact (or of those with `ids`), by id: the one it was imported
    with, else one made from its id and creation time."""
    return {
        contact_id: uid or str(uuid.uuid5(_UID_NAMESPACE, f"{contact_id} {created_at}"))
        for contact_id, uid, created_at in store.transfer.uid_sources(ids)
    }


def export_contacts(
    store: Store, fmt: str, ref: str | None = None, *, apple: bool = False
) -> Iterator[str]:
    """Every contact (archived too), or the one `ref` names, as vCard 4.0 (or Apple's 3.0),
    CSV or JSON: the text a piece at a time, a batch of contacts read for each, so a whole
    CRM is never held in memory. Bad arguments raise before anything is read."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be vcard, csv or json, not {fmt!r}")
    if apple and fmt != "vcard":
        raise UsageError("--apple is for --format vcard")
    if fmt == "json":
        text: Iterable[str]
        if ref is not None:
            text = _dumps(export_json(store, ref), 0)
        else:
            text = _json_text(_whole_json(store))
        # No raw C1 (CSI) when it goes to a terminal.
        return (json_safe(chunk) for chunk in chain(text, ["\n"]))
    batches = iter([[resolve_ref(store, ref)]]) if ref is not None else _batches(store)
    return _vcards(store, batches, apple) if fmt == "vcard" else _csv(batches)


def _vcards(store: Store, batches: Iterator[list[Contact]], apple: bool) -> Iterator[str]:
    from tinycrm.io.vcard_export import contact_to_apple_vcard, contact_to_vcard

    write = contact_to_apple_vcard if apple else contact_to_vcard
    for batch in batches:
        ids = [c.id or 0 for c in batch]
        notes: dict[int, list[Note]] = {}
        for note in store.notes.of_contacts(ids):
            notes.setdefault(note.contact_id, []).append(note)
        uids = contact_uids(store, ids)
        yield "".join(write(c, notes.get(c.id or 0, []), uids[c.id or 0]) for c in batch)


def _csv(batches: Iterator[list[Contact]]) -> Iterator[str]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for batch in chain([[]], batches):  # the header alone first
        writer.writerows(contact_row(c) for c in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


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
        "record": {
            k: v for k, v in rows["contacts"][0].items() if k not in ("version", "open_case")
        },
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


def _header() -> dict[str, Any]:
    return {
        "format": "tinycrm-export",
        "version": 1,
        "tinycrm": __version__,
        "exported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def export_json(store: Store, ref: str) -> dict[str, Any]:
    """The person `ref` names with every row about them (a data-access request), and nothing
    about anyone else."""
    contact = resolve_ref(store, ref)
    assert contact.id is not None
    rows = store.transfer.person_rows(contact.id)
    ids = {r["company_id"] for r in [*rows["contacts"], *rows["company_departures"]]}
    companies = store.transfer.company_rows(ids - {None})
    return {
        **_header(),
        "contact": _person(contact, rows, contact_uids(store, _with_referrer([contact]))),
        "users": store.transfer.user_rows(_user_ids([*companies, *_flat(rows)])),
        "companies": companies,
    }


def _whole_json(store: Store) -> dict[str, Any]:
    """Everything: each contact with every row about it; the contacts an iterator."""
    return {
        **_header(),
        "users": store.transfer.user_rows(None),
        "companies": store.transfer.company_rows(None),
        "contacts": _people(store),
        "digest_runs": store.transfer.digest_runs(),
    }


def _people(store: Store) -> Iterator[dict[str, Any]]:
    for batch in _batches(store):
        ids = [c.id or 0 for c in batch]
        rows = store.transfer.persons_rows(ids)
        uids = contact_uids(store, _with_referrer(batch))
        yield from (_person(c, rows[c.id or 0], uids) for c in batch)


def _with_referrer(contacts: list[Contact]) -> list[int]:
    """The ids of `contacts` and of those who referred them (whose UID their export names)."""
    return [c.id or 0 for c in contacts] + [c.referred_by for c in contacts if c.referred_by]


def _json_text(document: dict[str, Any]) -> Iterator[str]:
    """`json.dumps(document, indent=2)` a piece at a time: a member whose value is an
    iterator is written an item at a time."""
    for number, (key, value) in enumerate(document.items()):
        yield ("," if number else "{") + f"\n  {json.dumps(key, ensure_ascii=False)}: "
        if isinstance(value, Iterator):
            yield from _json_items(value)
        else:
            yield from _dumps(value, 1)
    yield "\n}"


def _json_items(items: Iterator[Any]) -> Iterator[str]:
    empty = True
    for item in items:
        yield ("," if not empty else "[") + "\n    "
        yield from _dumps(item, 2)
        empty = False
    yield "[]" if empty else "\n  ]"


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)
_PIECE = 1 << 16  # characters


def _dumps(value: Any, depth: int) -> Iterator[str]:
    """`value` as json.dumps(indent=2) writes it `depth` levels down in a document, in pieces
    of about _PIECE characters (json.dumps would hold every token of a large value at once)."""
    indent = "\n" + "  " * depth
    tokens: list[str] = []
    size = 0
    for token in _ENCODER.iterencode(value):
        tokens.append(token)
        size += len(token)
        if size >= _PIECE:
            yield "".join(tokens).replace("\n", indent)
            tokens, size = [], 0
    yield "".join(tokens).replace("\n", indent)


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


def export_ics(store: Store, today: date, *, todos: bool = False) -> Iterator[bytes]:
    """Open stored follow-ups, birthdays (yearly, year-less ones too) and anniversaries of
    active contacts, as all-day events, the file a piece at a time (follow-ups and contacts
    read a batch at a time). With `todos`, check-ins and reorders are VTODOs: stored ones,
    and the keep-in-touch check-ins and reorders tinycrm derives (overdue ones and those due
    within TODO_DAYS), one per contact and kind."""
    derived = _derived_todos(store, today) if todos else iter([])
    entries = chain(_follow_up_entries(store, todos), derived, _dated_entries(store))
    return calendar_chunks(entries)


def _follow_up_entries(store: Store, todos: bool) -> Iterator[CalendarEntry]:
    for row in store.follow_ups.each_open():
        follow_up = row.follow_up
        description = f"{follow_up.kind.value} follow-up for {row.contact_name}"
        if follow_up.rule:
            description += f" ({recurrence.describe(follow_up.rule)})"
        yield CalendarEntry(
            uid=f"follow-up-{follow_up.id}@tinycrm",
            summary=f"{follow_up.title} — {row.contact_name}",
            start=follow_up.snoozed_until or follow_up.due_on,
            description=description,
            rule=calendar_rule(follow_up) if follow_up.rule else None,
            todo=todos and follow_up.kind in TODO_KINDS,
        )


def _dated_entries(store: Store) -> Iterator[CalendarEntry]:
    """Each active contact's birthday and anniversaries, by name."""
    for contact in store.contacts.each(ContactFilter(archived=False)):
        if contact.birthday:
            yield _yearly(
                f"birthday-{contact.id}", f"Birthday: {contact.name}", contact.birthday, "born"
            )
        for item in contact.anniversaries:
            yield _yearly(
                f"anniversary-{item.id}", f"{item.label.capitalize()}: {contact.name}",
                item.when, "since",
            )  # fmt: skip


def _yearly(uid: str, summary: str, when: PartialDate, since: str) -> CalendarEntry:
    """A yearly event on `when`'s day (from 2000 when its year is unknown)."""
    return CalendarEntry(
        uid=f"{uid}@tinycrm",
        summary=summary,
        start=date(when.year or 2000, when.month, when.day),
        yearly=True,
        description=f"{since} {when.year}" if when.year else None,
    )


def _derived_todos(store: Store, today: date) -> Iterator[CalendarEntry]:
    """The check-ins and reorders the queue derives (not stored follow-ups), in its order, as
    VTODOs whose UID stays the same while the contact's next one moves; read a batch at a
    time."""
    for item in followups.each_derived_due(store, today, days=TODO_DAYS):
        yield CalendarEntry(
            uid=f"{item.kind.value}-{item.contact_id}@tinycrm",
            summary=f"{item.title} — {item.contact_name}",
            start=item.due_on,
            description=f"{item.kind.value} for {item.contact_name}",
            todo=True,
        )
