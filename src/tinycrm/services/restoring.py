"""`crm contacts import FILE.json`: tinycrm's own JSON export read back, every row as it was.

Into an empty database every row keeps its id, so export → import → export gives the same
file (a restore); into one that has contacts, rows get new ids and the references between
them follow. A contact already there (the same UID, else the same email) is skipped, or with
`--on-duplicate create` added beside it under a new UID. Each contact is written under a
savepoint and read back: one that does not fit is rejected with its reason, the others are
imported, all in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinycrm.errors import NotFound, UsageError
from tinycrm.services.contacts import referral_circle
from tinycrm.services.exporting import contact_uids
from tinycrm.services.importing import (
    MAX_IMPORT_BYTES,
    ImportReport,
    Mode,
    ReportLine,
    check_size,
)
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter

EXPORT_FORMAT = "tinycrm-export"


class _DryRun(Exception):
    pass


@dataclass
class _Known:
    """The contacts already in the database, by UID and by email (lower case); the ids of
    the file's companies and users here; who referred whom (contact id, the referrer's UID)."""

    uids: dict[str, int]
    emails: dict[str, int]
    companies: dict[object, int]
    users: dict[object, int]
    referrals: list[tuple[int, str, str]]  # (contact id, where, referrer's UID)


def read_export(path: Path, max_bytes: int = MAX_IMPORT_BYTES) -> dict[str, Any]:
    """The export's data; a usage error for a file that is not a tinycrm JSON export."""
    check_size(path, max_bytes)
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path.name} is not readable JSON ({exc})") from None
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror}") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise UsageError(
            f'{path.name} is JSON but not a tinycrm JSON export (no "format":'
            f' "{EXPORT_FORMAT}"); contacts from other programs are imported from vCard or CSV'
        )
    if data.get("version") != 1:
        raise UsageError(f"{path.name} is a tinycrm JSON export of version"
                         f" {data.get('version')!r}, which this tinycrm does not know (it reads"
                         " version 1)")  # fmt: skip
    return data


def restore(
    store: Store,
    path: Path,
    *,
    mode: Mode = "skip",
    dry_run: bool = False,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Import every contact of a tinycrm JSON export, with all its rows, in one transaction
    (rolled back for a dry run)."""
    if mode == "update":
        raise UsageError("--on-duplicate update is for vCard and CSV files; a JSON export is"
                         " imported whole (skip or create)")  # fmt: skip
    data = read_export(path, max_bytes)
    people = data["contacts"] if "contacts" in data else [data.get("contact")]
    if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
        raise UsageError(f"{path.name}: the export's contacts are not a list of objects")
    if not people:
        raise UsageError(f"no contacts in {path.name}: nothing imported")
    report = ImportReport("tinycrm JSON", dry_run)
    try:
        with store.write():
            keep_ids = store.contacts.count(ContactFilter(archived=None)) == 0 and not (
                store.transfer.company_rows(None) or store.transfer.user_rows(None)
            )
            users = _restore_users(store, data.get("users") or [], keep_ids, path)
            companies = data.get("companies") or []
            if not isinstance(companies, list) or not all(isinstance(c, dict) for c in companies):
                raise UsageError(f"{path.name}: the export's companies are not a list of objects")
            known = _Known(
                {uid: i for i, uid in contact_uids(store).items()},
                store.transfer.duplicate_keys()[0],
                _restore_companies(store, companies, keep_ids, users),
                users,
                [],
            )
            for number, person in enumerate(people, start=1):
                _restore_one(store, person, f"contact {number}", mode, keep_ids, known, report)
            _set_referrers(store, known, report)
            runs = data.get("digest_runs")
            if keep_ids and isinstance(runs, list) and runs:
                store.transfer.restore_digest_runs(runs)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _restore_one(
    store: Store,
    person: dict[str, Any],
    where: str,
    mode: Mode,
    keep_ids: bool,
    known: _Known,
    report: ImportReport,
) -> None:
    name = str(person.get("name") or "")
    try:
        rows = _rows(person)
    except (KeyError, TypeError, ValueError) as exc:
        report.rejected.append(ReportLine(where, name, f"not a contact of an export ({exc})"))
        return
    record = rows["contacts"][0]
    uid = str(person.get("uid") or record.get("uid") or "")
    emails = [str(e.get("email", "")).lower() for e in rows["contact_emails"]]
    match = known.uids.get(uid) if uid else None
    why = "same UID"
    if match is None:
        match = next((known.emails[e] for e in emails if e in known.emails), None)
        why = "same email"
    if match is not None and mode == "skip":
        existing = store.contacts.get(match)
        shown = existing.name if existing else "?"
        report.skipped.append(ReportLine(where, name, f"{why} as {shown} (id {match})"))
        return
    if not keep_ids or match is not None:
        # Under a new id the UID can no longer be derived from the id: it is stored.
        fresh = uid if match is None and uid else str(uuid.uuid4())
        record["uid"] = fresh
        if uid and fresh != uid:
            report.adjusted.append(
                ReportLine(where, name, f"UID {uid} is another contact's: given a new one")
            )
    try:
        with store.db.savepoint():
            contact_id = store.transfer.restore_person(
                rows, keep_ids and match is None, known.companies, known.users
            )
            _read_back(store, contact_id)
    except (KeyError, TypeError, ValueError) as exc:
        report.rejected.append(ReportLine(where, name, str(exc)))
        return
    known.uids.setdefault(record.get("uid") or uid, contact_id)
    referrer = person.get("referred_by_uid")
    if isinstance(referrer, str) and referrer:
        known.referrals.append((contact_id, where, referrer))
    for email in emails:
        known.emails.setdefault(email, contact_id)
    report.created_count += 1
    report.created.append(ReportLine(where, name, "", None if report.dry_run else contact_id))


def _restore_users(store: Store, users: object, keep_ids: bool, path: Path) -> dict[object, int]:
    if not isinstance(users, list) or not all(isinstance(u, dict) for u in users):
        raise UsageError(f"{path.name}: the export's users are not a list of objects")
    try:
        with store.db.savepoint():
            return store.transfer.restore_users(users, keep_ids)
    except ValueError as exc:
        raise UsageError(f"the export's users do not fit: {exc}") from None


def _restore_companies(
    store: Store, companies: list[dict[str, Any]], keep_ids: bool, users: dict[object, int]
) -> dict[object, int]:
    try:
        with store.db.savepoint():
            return store.transfer.restore_companies(companies, keep_ids, users)
    except ValueError as exc:
        raise UsageError(f"the export's companies do not fit: {exc}") from None


def _set_referrers(store: Store, known: _Known, report: ImportReport) -> None:
    """Who referred whom, by the referrer's UID, once every contact of the file is in."""
    for contact_id, where, uid in known.referrals:
        referrer = known.uids.get(uid)
        if referrer is None:
            name = store.contacts.get(contact_id)
            report.adjusted.append(ReportLine(where, name.name if name else "",
                                              f"referred by {uid}, who is not in this database:"
                                              " left out"))  # fmt: skip
            continue
        if circle := referral_circle(store, contact_id, referrer):
            report.adjusted.append(ReportLine(where, circle[-1],
                                              f"referred by {circle[0]} would make a circle of"
                                              " referrals: left out"))  # fmt: skip
            continue
        store.transfer.set_referrer(contact_id, referrer)


def _rows(person: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The export's rows of one contact by table, as the store restores them."""
    sales = [{k: v for k, v in sale.items() if k != "items"} for sale in person["sales"]]
    items = [item for sale in person["sales"] for item in sale.get("items", [])]
    rows = {
        "contacts": [dict(person["record"])],
        "contact_emails": person["emails_detail"],
        "contact_phones": person["phones_detail"],
        "contact_tags": [{"tag": tag} for tag in person["tags"]],
        "contact_addresses": person["addresses_detail"],
        "contact_links": person["links_detail"],
        "anniversaries": person["anniversaries_detail"],
        "stage_history": person["stage_history"],
        "notes": person["notes"],
        "sales": sales,
        "sale_items": items,
        "satisfaction": person["satisfaction"],
        "cases": person["cases"],
        "costs": person["costs"],
        "follow_ups": person["follow_ups"],
        "occurrence_marks": person["occurrence_marks"],
        "company_departures": person.get("company_departures", []),
        # Exports made before the opt-outs were carried have none.
        "survey_opt_outs": person.get("survey_opt_outs", []),
        "pass_on_opt_outs": person.get("pass_on_opt_outs", []),
    }
    for table, found in rows.items():
        if not isinstance(found, list) or not all(isinstance(row, dict) for row in found):
            raise ValueError(f"{table} is not a list of rows")
    return rows


def _read_back(store: Store, contact_id: int) -> None:
    """Read the restored contact as every screen does, so a value that does not fit (a stage
    tinycrm does not know, a date that is not one) rejects it now rather than breaking a
    later command."""
    contact = store.contacts.get(contact_id)
    if contact is None:
        raise ValueError("the contact could not be read back")
    store.notes.query(contact_id)
    store.contacts.stage_history(contact_id)
    store.follow_ups.query(contact_id, None)
    store.sales.query(contact_id)
    store.scores.for_contact(contact_id)
    store.cases.query(contact_id)
