"""`crm contacts sync DIR`: a vdir (one vCard file per contact, named by its UID, the layout
vdirsyncer and khard use) kept in step with tinycrm in both directions.

What both sides looked like at the last sync is kept in DIR/.tinycrm-sync.json (vdirsyncer
and khard read only `.vcf` files). A field changed in DIR only is taken into tinycrm; changed
in tinycrm only, the file is rewritten; changed on both sides to different values, it is a
conflict: reported, neither side overwritten, until the two agree.
"""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tinycrm.dates import parse_partial_date
from tinycrm.errors import UsageError
from tinycrm.io.files import write_private
from tinycrm.io.records import ContactRecord, Rejection
from tinycrm.io.vcard import as_utf8, read_vcards
from tinycrm.io.vcard_export import contact_to_vcard
from tinycrm.models.contacts import Anniversary, Contact, Labelled, PersonName, PostalAddress
from tinycrm.services import history
from tinycrm.services.contacts import record_contact_changes
from tinycrm.services.exporting import contact_uids
from tinycrm.services.followups.clock import spread_check_ins
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter

STATE_FILE = ".tinycrm-sync.json"
# The fields a phone's address book holds; CRM fields and notes stay in tinycrm.
FIELDS = ("name", "company", "emails", "phones", "address", "birthday", "anniversaries", "tags",
          "kind", "name_parts", "nickname", "job_title", "gender", "email_labels",
          "phone_labels", "addresses", "urls", "ims", "related")  # fmt: skip

Fields = dict[str, Any]


@dataclass
class SyncReport:
    directory: str
    created: list[str] = field(default_factory=list)  # new in DIR, added to tinycrm
    updated: list[str] = field(default_factory=list)  # changed in DIR, taken into tinycrm
    written: list[str] = field(default_factory=list)  # files written or rewritten
    conflicts: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # files of contacts gone from tinycrm
    kept: list[str] = field(default_factory=list)  # cards removed from DIR, kept in tinycrm
    problems: list[str] = field(default_factory=list)  # files that could not be read


def fields_of(item: Contact | ContactRecord) -> Fields:
    """The synced fields as plain, comparable values."""
    return {
        "name": item.name,
        "company": item.company or None,
        "emails": list(item.emails),
        "phones": list(item.phones),
        "address": item.address or None,
        "birthday": item.birthday.iso() if item.birthday else None,
        "anniversaries": sorted([a.label, a.when.iso()] for a in item.anniversaries),
        "tags": sorted(item.tags, key=str.lower),
        "kind": item.kind,
        "name_parts": item.name_parts.parts() if item.name_parts else None,
        "nickname": item.nickname,
        "job_title": item.job_title,
        "gender": item.gender,
        "email_labels": dict(item.email_labels),
        "phone_labels": dict(item.phone_labels),
        "addresses": [[a.label, *a.parts()] for a in _postal(item)],
        "urls": [[link.value, link.label] for link in item.urls],
        "ims": [[link.value, link.label] for link in item.ims],
        "related": [[link.value, link.label] for link in item.related],
    }


def _postal(item: Contact | ContactRecord) -> list[PostalAddress]:
    return item.postal_addresses() if isinstance(item, Contact) else item.addresses


def _apply(contact: Contact, changed: Fields) -> None:
    for name, value in changed.items():
        if name == "birthday":
            contact.birthday = parse_partial_date(value) if value else None
        elif name == "anniversaries":
            contact.anniversaries = [Anniversary(label, parse_partial_date(when))
                                     for label, when in value]  # fmt: skip
        elif name == "name_parts":
            contact.name_parts = PersonName(*value) if value else None
        elif name == "addresses":
            contact.addresses = [PostalAddress(*parts) for parts in value]
        elif name in ("urls", "ims", "related"):
            setattr(contact, name, [Labelled(link, label) for link, label in value])
        else:
            setattr(contact, name, value)


def file_name(uid: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._-]", "_", uid)[:200] + ".vcf"


@dataclass
class _Card:
    path: Path
    record: ContactRecord


def _read_directory(directory: Path, report: SyncReport) -> dict[str, _Card]:
    cards: dict[str, _Card] = {}
    for path in sorted(directory.glob("*.vcf")):
        try:
            data, _ = as_utf8(path.read_bytes())
        except (OSError, UsageError) as exc:
            report.problems.append(f"{path.name}: {exc}")
            continue
        items = list(read_vcards(data))
        record = next((i for i in items if isinstance(i, ContactRecord)), None)
        if record is None:
            reason = next((i.reason for i in items if isinstance(i, Rejection)), "no vCard")
            report.problems.append(f"{path.name}: {reason}")
            continue
        cards[record.uid or path.stem] = _Card(path, record)
    return cards


def _load_state(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / STATE_FILE
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        return dict(state["contacts"])
    except (OSError, ValueError, KeyError, TypeError):
        message = f"{path} is not a tinycrm sync state: move it away to start afresh"
        raise UsageError(message) from None


def sync(store: Store, directory: Path, today: date) -> SyncReport:
    """Take DIR's changes into tinycrm (one transaction), then write tinycrm's into DIR."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    report = SyncReport(str(directory))
    state = _load_state(directory)
    cards = _read_directory(directory, report)
    held: set[str] = set()  # UIDs with a conflict: their files are left as they are
    with store.write():
        contacts = {c.id: c for c in store.contacts.query(ContactFilter(archived=None))}
        uid_of = contact_uids(store)
        uid_of.update({entry["id"]: uid for uid, entry in state.items()})
        id_of = {uid: contact_id for contact_id, uid in uid_of.items()}
        for uid, card in cards.items():
            contact = contacts.get(id_of.get(uid, 0))
            if contact is None:
                if uid in state:  # erased in tinycrm: handled with the files below
                    continue
                contact_id = _create(store, card.record, uid, today)
                uid_of[contact_id] = uid
                state[uid] = {"id": contact_id, "file": card.path.name,
                              "fields": fields_of(card.record)}  # fmt: skip
                report.created.append(card.record.name)
                continue
            base = state.get(uid, {}).get("fields") or fields_of(contact)
            # A field the last sync did not know was written to the file as tinycrm had it.
            base = {**fields_of(card.record), **base}
            merged, conflicts = _merge(base, fields_of(contact), fields_of(card.record))
            if merged != fields_of(contact):
                before = deepcopy(contact)
                _apply(contact, {k: v for k, v in merged.items() if v != fields_of(contact)[k]})
                store.contacts.update(contact)
                record_contact_changes(store, before, contact, source=history.IMPORT)
                report.updated.append(contact.name)
            if conflicts:
                held.add(uid)
                report.conflicts.append(
                    f"{contact.name}: {', '.join(conflicts)} changed in both tinycrm and"
                    f" {card.path.name}; edit one side to match (nothing overwritten)"
                )
            state[uid] = {"id": contact.id, "file": card.path.name,
                          "fields": _base_after(base, merged, conflicts)}  # fmt: skip
        contacts = {c.id: c for c in store.contacts.query(ContactFilter(archived=None))}
    _write_files(directory, contacts, uid_of, cards, state, held, report)
    write_private(directory / STATE_FILE,
                  json.dumps({"version": 1, "contacts": state}, indent=1).encode())  # fmt: skip
    return report


def _merge(base: Fields, ours: Fields, theirs: Fields) -> tuple[Fields, list[str]]:
    """Ours with the fields only DIR changed; the fields both changed differently."""
    merged = dict(ours)
    conflicts = []
    for name in FIELDS:
        if theirs[name] == base[name] or theirs[name] == ours[name]:
            continue
        if ours[name] != base[name]:
            conflicts.append(name)
        else:
            merged[name] = theirs[name]
    return merged, conflicts


def _base_after(base: Fields, merged: Fields, conflicts: list[str]) -> Fields:
    """What both sides agree on after this sync (a conflicting field keeps its old base)."""
    return {name: base[name] if name in conflicts else merged[name] for name in FIELDS}


def _create(store: Store, record: ContactRecord, uid: str, today: date) -> int:
    (contact_id,) = store.transfer.insert_many([record], [], today, [uid])
    made = history.added("contact", contact_id, contact_id, record.name)
    history.record(store, [made], source=history.IMPORT)
    spread_check_ins(store, [contact_id], today)
    return contact_id


def _write_files(
    directory: Path,
    contacts: dict[int | None, Contact],
    uid_of: dict[int, str],
    cards: dict[str, _Card],
    state: dict[str, dict[str, Any]],
    held: set[str],
    report: SyncReport,
) -> None:
    for contact in contacts.values():
        assert contact.id is not None
        uid = uid_of[contact.id]
        entry = state.get(uid)
        if uid in held:
            continue
        if entry is not None and (entry.get("removed") or uid not in cards):
            if not entry.get("removed"):  # deleted in DIR since the last sync
                report.kept.append(contact.name)
            entry["removed"] = True
            continue
        path = cards[uid].path if uid in cards else directory / file_name(uid)
        data = contact_to_vcard(contact, [], uid).encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            write_private(path, data)
            report.written.append(contact.name)
        state[uid] = {"id": contact.id, "file": path.name, "fields": fields_of(contact)}
    for uid, entry in list(state.items()):
        if entry["id"] in contacts:
            continue
        card = cards.get(uid)
        if card is not None and fields_of(card.record) != entry["fields"]:
            report.conflicts.append(
                f"{card.record.name}: erased in tinycrm but changed in {card.path.name}"
                " (the file is kept)"
            )
            continue
        if card is not None:
            card.path.unlink()
            report.removed.append(card.record.name)
        del state[uid]
