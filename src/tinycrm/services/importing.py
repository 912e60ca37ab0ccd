"""Importing contacts from vCard and CSV files: duplicates, dry runs, one transaction, a report."""

from __future__ import annotations

import bisect
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from tinycrm.errors import NotFound, UsageError
from tinycrm.io import csvfile, vcard
from tinycrm.io.records import ContactRecord, ParsedItem, Rejection
from tinycrm.models.notes import Note
from tinycrm.services import history
from tinycrm.services.contacts import CARD_SINGLE_FIELDS, contact_fields, take_card_lists
from tinycrm.services.exporting import contact_uids
from tinycrm.services.followups.clock import spread_check_ins
from tinycrm.store import Store
from tinycrm.store.contacts import digits_of
from tinycrm.store.transfer import NewNote

Mode = Literal["skip", "update", "create"]
MODES: tuple[Mode, ...] = ("skip", "update", "create")
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MIN_PHONE_DIGITS = 6  # shorter numbers (extensions, short codes) never count as duplicates

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)  # one per contact: 100,000 in a large import
class ReportLine:
    where: str
    name: str
    reason: str = ""
    contact_id: int | None = None


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    created: list[ReportLine] = field(default_factory=list)  # the first CREATED_LINES
    created_count: int = 0
    updated: list[ReportLine] = field(default_factory=list)
    skipped: list[ReportLine] = field(default_factory=list)
    rejected: list[ReportLine] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the whole file
    adjusted: list[ReportLine] = field(default_factory=list)  # imported, with a change said
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    kind: str  # "vCard", "Google Contacts CSV", …
    items: Iterable[ParsedItem]  # read lazily, once
    ignored_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    total: int = 0  # the items expected: the CSV file's lines after the header, the cards


def parse_file(
    path: Path,
    fmt: str | None = None,
    *,
    max_bytes: int = MAX_IMPORT_BYTES,
    maps: list[str] | None = None,
    encoding: str | None = None,
    day_first: bool = True,
    order_chosen: bool = False,
    progress: Progress | None = None,
) -> ParsedFile:
    """Prepare to read every card or row of a file, lazily; rejected ones come with their
    number and reason. A CSV file is read a line at a time, never whole into memory; a vCard
    file is read whole (cards are small, and folded lines span line breaks)."""
    check_size(path, max_bytes)
    kind = fmt or guess_format(path, _head(path))
    if kind == "csv":
        chosen = csvfile.encoding_of_file(path, encoding)
        total = max(csvfile.count_lines(path) - 1, 0)
        lines = csvfile.file_lines(path, chosen)
        order = csvfile.DateOrder(day_first, order_chosen)
        notices: list[str] = []
        rows = csvfile.read_csv(
            lines, csvfile.parse_maps(maps or []), order=order, notice=notices.append
        )
        parsed = _start(ParsedFile("CSV", (), notices=notices), rows, total, progress)
        if chosen.startswith("utf-16"):
            parsed.kind += " (UTF-16)"
        if chosen == "cp1252" and encoding is None:
            parsed.notices.append(
                "the file is not UTF-8: read as Windows-1252 (a guess; if names look wrong,"
                " import again with --encoding)"
            )
        return parsed
    if kind != "vcard":
        raise UsageError(f"unknown import format {kind!r} (vcard, csv or json)")
    if maps:
        raise UsageError("--map is for CSV files")
    data, kind = vcard.as_utf8(_read(path))
    total = data.upper().count(b"BEGIN:VCARD")
    if total == 0:
        raise UsageError(f"no vCard in {path.name} (no BEGIN:VCARD line): nothing imported")
    if encoding is not None:
        csvfile.check_encoding(encoding)
    parsed = ParsedFile(kind, ())
    cards = vcard.read_vcards(data, encoding=encoding, notice=parsed.notices.append)
    return _start(parsed, iter(cards), total, progress)


def _head(path: Path) -> bytes:
    return _read(path, 4096)


def _read(path: Path, size: int = -1) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror}") from None


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, refusing a missing file, a directory, or one over the size cap."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise NotFound(f"no such file: {path}") from None
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror}") from None
    if path.is_dir():
        raise UsageError(f"{path} is a directory")
    if size > max_bytes:
        raise UsageError(
            f"{path} is {size / 2**20:.1f} MiB, over the import limit of"
            f" {max_bytes / 2**20:g} MiB (raise it with --max-size)"
        )
    return size


def file_format(path: Path, fmt: str | None, max_bytes: int = MAX_IMPORT_BYTES) -> str:
    """vcard, csv or json: `fmt` if given, else guessed from the file's name and start."""
    check_size(path, max_bytes)
    return fmt or guess_format(path, _head(path))


def guess_format(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json" or data.lstrip()[:1] in (b"{", b"["):
        return "json"
    if suffix in (".vcf", ".vcard"):
        return "vcard"
    if suffix in (".csv", ".tsv", ".txt") and b"BEGIN:VCARD" not in data[:4096].upper():
        return "csv"
    return "vcard" if b"BEGIN:VCARD" in data[:4096].upper() else "csv"


def _start(
    parsed: ParsedFile, source: Iterator[object], total: int, progress: Progress | None
) -> ParsedFile:
    """Read the first item now: a CSV file's layout comes first, and errors in it (no name
    column…) surface before the import starts."""
    parsed.total = total
    first = next(source, None)
    if isinstance(first, csvfile.CsvLayout):
        parsed.kind = f"{first.kind} CSV"
        parsed.ignored_columns = first.ignored
        first = None
    parsed.items = _counted(
        itertools.chain([] if first is None else [first], source), total, progress
    )
    return parsed


def _counted(
    source: Iterable[object], total: int, progress: Progress | None
) -> Iterator[ParsedItem]:
    """The parsed items one at a time (a file is never held parsed in memory), reporting
    progress every 200."""
    count = 0
    for item in source:
        assert isinstance(item, ContactRecord | Rejection)
        count += 1
        if progress and count % 200 == 0:
            progress(count, max(total, count))
        yield item
    if progress:
        progress(count, count)


class _DryRun(Exception):
    pass


@dataclass(slots=True)
class _Pending:
    record: ContactRecord
    where: str


def import_records(
    store: Store,
    parsed: ParsedFile,
    *,
    mode: Mode = "skip",
    dry_run: bool = False,
    today: date,
) -> ImportReport:
    """Write the parsed records in one transaction (rolled back for a dry run)."""
    if mode not in MODES:
        raise UsageError(f"--on-duplicate must be skip, update or create, not {mode!r}")
    report = ImportReport(
        parsed.kind, dry_run, ignored_columns=parsed.ignored_columns, notices=parsed.notices
    )
    try:
        with store.write(), _indexes_for(store, parsed.total):
            _import(store, parsed.items, mode, today, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _indexes_for(store: Store, rows: int) -> AbstractContextManager[None]:
    """A file with more rows than the CRM has contacts (a first import, above all) makes the
    contacts' secondary indexes after its rows: inserting into them a row at a time, in random
    key order, costs more per row the larger they grow (docs/decisions.md)."""
    if store.transfer.has_fewer_contacts_than(rows):
        return store.transfer.contact_indexes_made_after()
    return nullcontext()


# The report names at most this many created contacts (a line each would cost ~15 MB for a
# 100,000-row file); created_count has them all. Problems are always listed in full.
CREATED_LINES = 1000

# New contacts are written in batches of this many, so that a large file is never held parsed
# in memory (100,000 CSV rows took ~200 MB); all batches are in the import's one transaction.
FLUSH_EVERY = 2000


class _NewContacts:
    """Contacts this import creates, by their order in the file: the batch not yet written,
    and where each written batch's ids start (a batch gets consecutive ids), to find the new
    id of a contact a duplicate further down the file points at."""

    def __init__(self) -> None:
        self.pending: dict[int, _Pending] = {}
        self.batches: list[tuple[int, int]] = []  # (first index, its id), ascending
        self.count = 0

    def add(self, item: _Pending) -> int:
        self.pending[self.count] = item
        self.count += 1
        return self.count - 1

    def id_of(self, index: int) -> int:
        first_index, first_id = self.batches[
            bisect.bisect_right(self.batches, (index, 1 << 62)) - 1
        ]
        return first_id + index - first_index

    def write(self, store: Store, today: date, report: ImportReport) -> None:
        if not self.pending:
            return
        first = next(iter(self.pending))
        ids = _create(store, list(self.pending.values()), today, report)
        assert ids == list(range(ids[0], ids[0] + len(ids)))
        self.batches.append((first, ids[0]))
        self.pending.clear()


def _import(
    store: Store, items: Iterable[ParsedItem], mode: Mode, today: date, report: ImportReport
) -> None:
    new = _NewContacts()
    seen = _SeenKeys(store, new)
    updates: dict[int, tuple[str, ContactRecord]] = {}
    uids = _Uids(store)
    for item in _looked_up(items, seen, mode):
        if isinstance(item, Rejection):
            report.rejected.append(ReportLine(item.where, item.name or "", item.reason))
            continue
        report.adjusted += [ReportLine(item.where, item.name, remark) for remark in item.remarks]
        keys = _keys(item)
        target, why = (None, "") if mode == "create" else seen.match(keys)
        if why.startswith("same phone") and target is not None:
            other = _name_of(store, target, new)
            if not same_name(other, item.name):
                item.remarks.append(f"{why} as {other}, another name: not taken as a duplicate")
                report.adjusted.append(ReportLine(item.where, item.name, item.remarks[-1]))
                target, why = None, ""
            else:
                why += " and the same name"
        owner = uids.get(item.uid) if item.uid else None
        if owner is not None and mode != "create":
            target, why = owner, "same UID"
        if target is None:
            if owner is not None:
                item.remarks.append(f"UID {item.uid} is another contact's: given a new one")
                report.adjusted.append(ReportLine(item.where, item.name, item.remarks[-1]))
                item.uid = None
            index = new.add(_Pending(item, item.where))
            seen.remember(keys, -(index + 1))
            if item.uid:
                uids.add(item.uid, -(index + 1))
            if len(new.pending) >= FLUSH_EVERY:
                new.write(store, today, report)
        elif mode == "skip":
            reason = _describe(store, target, why, new)
            report.skipped.append(ReportLine(item.where, item.name, reason))
        elif target < 0 and -target - 1 in new.pending:
            pending = new.pending[-target - 1]
            pending.record = merge_record(pending.record, item)
            seen.remember(keys, target)
            report.skipped.append(ReportLine(item.where, item.name, f"merged into {pending.where}"))
        else:
            contact_id = new.id_of(-target - 1) if target < 0 else target
            previous = updates.get(contact_id)
            if previous is None:
                current = store.contacts.get(contact_id)
                assert current is not None
                base = ContactRecord(where="", name=current.name)
                updates[contact_id] = (item.where, merge_record(base, item))
            else:
                updates[contact_id] = (previous[0], merge_record(previous[1], item))
            # By its id: the database has this row's keys only once the update is written.
            seen.remember(keys, contact_id)
    new.write(store, today, report)
    for contact_id, (where, record) in updates.items():
        _update(store, contact_id, where, record, today, report)


def _name_of(store: Store, target: int, new: _NewContacts) -> str:
    """The name of the contact a key points at (existing, or created by this import)."""
    if target < 0 and -target - 1 in new.pending:
        return new.pending[-target - 1].record.name
    contact = store.contacts.get(new.id_of(-target - 1) if target < 0 else target)
    return contact.name if contact else ""


def same_name(first: str, second: str) -> bool:
    """The same words, in any order and case: "Mustermann, Heiko" is "Heiko Mustermann"."""
    return sorted(re.findall(r"\w+", first.casefold())) == sorted(
        re.findall(r"\w+", second.casefold())
    )


class _Uids:
    """Contacts by their vCard UID: the existing ones (read when a card first has a UID) and
    those this import creates (-(index + 1), as the duplicate keys)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known: dict[str, int] | None = None

    def _all(self) -> dict[str, int]:
        if self.known is None:
            self.known = {uid: i for i, uid in contact_uids(self.store).items()}
        return self.known

    def get(self, uid: str) -> int | None:
        return self._all().get(uid)

    def add(self, uid: str, target: int) -> None:
        self._all().setdefault(uid, target)


_Keys = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def _keys(record: ContactRecord) -> _Keys:
    """(email, key) and (phone, key) pairs a duplicate is recognised by."""
    phones = []
    for phone in record.phones:
        digits = digits_of(phone)
        if len(digits.lstrip("+")) >= MIN_PHONE_DIGITS:
            phones.append((phone, digits))
    return [(email, email.lower()) for email in record.emails], phones


class _SeenKeys:
    """The duplicate keys (emails in lower case, phone digits) an import matches rows by: the
    database's, read a batch of rows at a time through its indexes (contacts this import has
    written included), and in memory the keys of rows not yet written. A key points at a
    contact by its id (> 0: one the database holds, its keys from this file written with the
    updates at the end) or at a new one (-(index + 1)); the database's win, as the oldest."""

    def __init__(self, store: Store, new: _NewContacts) -> None:
        self.store, self.new = store, new
        self.stored: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.memory: tuple[dict[str, int], dict[str, int]] = ({}, {})

    def look_up(self, batch: list[_Keys]) -> None:
        """Read the database's keys of a batch of rows; forget the written rows' (it has them)."""
        for memory in self.memory:
            written = [k for k, v in memory.items() if v < 0 and -v - 1 not in self.new.pending]
            for key in written:
                del memory[key]
        self.stored = self.store.transfer.contacts_with_keys(
            [key for emails, _ in batch for _, key in emails],
            [key for _, phones in batch for _, key in phones],
        )

    def match(self, keys: _Keys) -> tuple[int | None, str]:
        for kind, pairs, stored, memory in zip(
            ("email", "phone"), keys, self.stored, self.memory, strict=True
        ):
            for shown, key in pairs:
                target = stored.get(key, memory.get(key))
                if target is not None:
                    return target, f"same {kind} {shown}"
        return None, ""

    def remember(self, keys: _Keys, target: int) -> None:
        for pairs, stored, memory in zip(keys, self.stored, self.memory, strict=True):
            for _, key in pairs:
                if key not in stored:
                    memory.setdefault(key, target)


def _looked_up(items: Iterable[ParsedItem], seen: _SeenKeys, mode: Mode) -> Iterator[ParsedItem]:
    """The items, with the database's duplicate keys read for each batch before it is matched."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, FLUSH_EVERY)):
        # --on-duplicate create matches nothing: no keys to read, only the written to forget.
        matched = [] if mode == "create" else batch
        seen.look_up([_keys(i) for i in matched if not isinstance(i, Rejection)])
        yield from batch


def _describe(store: Store, target: int, why: str, new: _NewContacts) -> str:
    if target < 0 and -target - 1 in new.pending:
        return f"{why} as {new.pending[-target - 1].where} of this file"
    if target < 0:  # created from this file, and written already
        target = new.id_of(-target - 1)
    existing = store.contacts.get(target)
    return f"{why} as {existing.name if existing else '?'} (id {target})"


def merge_record(base: ContactRecord, new: ContactRecord) -> ContactRecord:
    """`base` updated with `new`: single fields the file gives replace, lists are united."""
    merged = replace(
        base,
        emails=list(base.emails),
        phones=list(base.phones),
        tags=list(base.tags),
        anniversaries=list(base.anniversaries),
        notes=list(base.notes),
    )
    merged.name = new.name or base.name
    for name in ("company", "role", "birthday", "relationship_type", "stage", "cadence_override",
                 "owner", "last_touch_on", *CARD_SINGLE_FIELDS):  # fmt: skip
        value = getattr(new, name)
        if value is not None:
            setattr(merged, name, value)
    take_card_lists(merged, new)
    if new.address is not None and not new.addresses:
        merged.address = new.address
    for email in new.emails:
        merged.add_email(email)
    for phone in new.phones:
        merged.add_phone(phone)
    for tag in new.tags:
        merged.add_tag(tag)
    labels = {a.label.lower() for a in new.anniversaries}
    merged.anniversaries = [a for a in merged.anniversaries if a.label.lower() not in labels]
    merged.anniversaries += new.anniversaries
    bodies = {n.body for n in merged.notes}
    merged.notes += [n for n in new.notes if n.body not in bodies]
    return merged


def _create(store: Store, pending: list[_Pending], today: date, report: ImportReport) -> list[int]:
    contacts = [p.record for p in pending]
    notes = [
        NewNote(index, note.body, note.on or today, note.channel.value if note.channel else None)
        for index, item in enumerate(pending)
        for note in item.record.notes
    ]
    ids = store.transfer.insert_many(contacts, notes, today, [p.record.uid for p in pending])
    made = [history.added("contact", i, i, c.name) for i, c in zip(ids, contacts, strict=True)]
    history.record(store, made, source=history.IMPORT)
    # New contacts' first check-ins fall evenly over their cadence, not all on one day.
    spread_check_ins(store, ids, today)
    for item, contact_id in zip(pending, ids, strict=True):
        report.created_count += 1
        if len(report.created) < CREATED_LINES:
            report.created.append(
                ReportLine(item.where, item.record.name, "", None if report.dry_run else contact_id)
            )
    return ids


def _update(
    store: Store,
    contact_id: int,
    where: str,
    record: ContactRecord,
    today: date,
    report: ImportReport,
) -> None:
    current = store.contacts.get(contact_id)
    assert current is not None
    changed = replace(current)
    changed.name = record.name or current.name
    for name in ("company", "role", "address", "birthday", "relationship_type", "stage",
                 "cadence_override", *CARD_SINGLE_FIELDS):  # fmt: skip
        value = getattr(record, name)
        if value is not None:
            setattr(changed, name, value)
    if record.owner:
        # An owner a file names is found among the users by name, or made (as `insert_many`).
        changed.owner_id = store.users.ensure(record.owner)
    changed.addresses = current.postal_addresses()
    take_card_lists(changed, record)
    changed.emails = _union(current.emails, record.emails, str.lower)
    changed.phones = _union(current.phones, record.phones, digits_of)
    changed.tags = _union(current.tags, record.tags, str.lower)
    by_label = {a.label.lower(): a for a in current.anniversaries}
    for item in record.anniversaries:
        old = by_label.get(item.label.lower())
        by_label[item.label.lower()] = replace(item, id=old.id if old else None)
    changed.anniversaries = list(by_label.values())
    store.contacts.update(changed)
    if changed.stage is not None and changed.stage != current.stage:
        store.contacts.add_stage_change(contact_id, changed.stage, today)
    if record.last_touch_on:
        store.contacts.touch(contact_id, record.last_touch_on)
    known = store.transfer.note_bodies(contact_id)
    logged = []
    for note in record.notes:
        if note.body not in known:
            new = Note(contact_id, note.body, note.on or today, note.channel)
            logged.append(history.note_added(store.notes.insert(new), new))
    after = store.contacts.get(contact_id) or changed
    changes = history.differences(
        "contact", contact_id, contact_id, contact_fields(current), contact_fields(after)
    )
    history.record(store, [*changes, *logged], source=history.IMPORT)
    report.updated.append(ReportLine(where, changed.name, "", contact_id))


def _union(old: list[str], new: list[str], key: Callable[[str], str]) -> list[str]:
    seen = {key(item) for item in old}
    result = list(old)
    for item in new:
        if key(item) not in seen:
            seen.add(key(item))
            result.append(item)
    return result
