"""Contacts as CSV: Google Contacts and Outlook exports, generic spreadsheets, and our own.

Headers are recognised by name (case and spacing ignored); `--map column=field` adds or
overrides a column's meaning. Cells that were neutralised against formula injection on export
(`'=…`) are restored on import.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tinycrm.dates import PartialDate
from tinycrm.errors import UsageError
from tinycrm.io.records import (
    KINDS,
    NUL_MARK,
    SYSTEM_LABELS,
    ContactRecord,
    DateNotUnderstood,
    NoteData,
    ParsedItem,
    Rejection,
    formula_safe,
    read_date,
    read_gender,
    unformula,
    utf16_codec,
    without_nul,
)
from tinycrm.models.contacts import Contact, PersonName, PostalAddress
from tinycrm.vocabulary import RelationshipType, Stage

FIELDS = {
    "name": "full name",
    "first_name": "given name",
    "middle_name": "middle name",
    "last_name": "family name",
    "prefix": "name prefix (Mr, Dr)",
    "suffix": "name suffix",
    "nickname": "nickname (the name too when there is no other)",
    "kind": "'org' for an organisation, not a person",
    "company": "company or organisation",
    "role": "role at the company (buyer, decision maker…)",
    "job_title": "job title",
    "gender": "gender (M, F, O, N, U, or a word)",
    "email": "email address(es), 'label: address' keeps a label",
    "phone": "phone number(s), 'label: number' keeps a label",
    "address": "postal address (several columns are joined)",
    "addresses": "postal addresses, 'label: address' items separated by ' ::: '",
    "url": "web page(s)",
    "im": "messaging handle(s) (xmpp:…, skype:…)",
    "related": "related people, 'label: name' (spouse, child…)",
    "birthday": "birthday",
    "anniversary": "anniversary (dated, labelled by the column name)",
    "anniversaries": "'label=date' items separated by ' ::: '",
    "tags": "tags separated by ';' or ' ::: '",
    "note": "a note",
    "type": "relationship type",
    "stage": "lifecycle stage",
    "cadence": "keep-in-touch days or 'none'",
    "owner": "account manager",
    "archived": "yes/true/1 to archive",
    "last_interaction": "date of the last interaction",
    "ignore": "skip this column",
}

_EXACT = {
    "name": "name", "full name": "name", "display name": "name", "contact name": "name",
    "first name": "first_name", "given name": "first_name", "firstname": "first_name",
    "middle name": "middle_name", "additional name": "middle_name",
    "additional names": "middle_name",
    "last name": "last_name", "family name": "last_name", "surname": "last_name",
    "lastname": "last_name",
    "name prefix": "prefix", "title": "prefix", "prefix": "prefix",
    "name suffix": "suffix", "suffix": "suffix",
    "nickname": "nickname", "kind": "kind",
    "job title": "job_title", "organization title": "job_title", "jobtitle": "job_title",
    "organization 1 - title": "job_title", "gender": "gender",
    "addresses": "addresses", "urls": "url", "url": "url", "website": "url", "web page": "url",
    "ims": "im", "related": "related",
    "role": "role", "company role": "role",
    "company": "company", "organization": "company", "organisation": "company",
    "organization name": "company", "organization 1 - name": "company",
    "email": "email", "emails": "email", "e-mail": "email", "email address": "email",
    "phone": "phone", "phones": "phone", "telephone": "phone", "mobile": "phone", "tel": "phone",
    "address": "address", "address 1 - formatted": "address", "postal address": "address",
    "birthday": "birthday", "birth date": "birthday", "date of birth": "birthday",
    "bday": "birthday", "dob": "birthday",
    "anniversary": "anniversary", "anniversaries": "anniversaries",
    "tags": "tags", "tag": "tags", "labels": "tags", "categories": "tags",
    "group membership": "tags",
    "notes": "note", "note": "note", "comments": "note",
    "type": "type", "relationship": "type", "relationship type": "type",
    "relationship_type": "type",
    "stage": "stage", "lifecycle stage": "stage",
    "cadence": "cadence", "cadence_days": "cadence", "cadence days": "cadence",
    "owner": "owner", "account manager": "owner",
    "archived": "archived",
    "last interaction": "last_interaction", "last_interaction_on": "last_interaction",
    "last interaction on": "last_interaction",
}  # fmt: skip

_PATTERNS = [
    (re.compile(r"^e-?mail \d+ - value$"), "email"),  # Google
    (re.compile(r"^e-?mail( \d+)? address$"), "email"),  # Outlook
    (re.compile(r"^phone \d+ - value$"), "phone"),  # Google
    (re.compile(r"^(home|business|mobile|other|primary|car|company main|work)( \d+)? phone"
                r"( \d+)?$"), "phone"),
    (re.compile(r"^(business|home|other) (street( \d)?|city|state|postal code|country/region)$"),
     "address_part"),
    # Thunderbird
    (re.compile(r"^(primary|secondary) email$"), "email"),
    (re.compile(r"^(fax|pager|mobile) number$|^(business|home|other) fax$|^pager$"), "phone"),
    (re.compile(r"^web page \d+$|^(website|web site) \d+ - value$"), "url"),
    (re.compile(r"^im \d+ - value$"), "im"),
    (re.compile(r"^relation \d+ - value$"), "related"),
    (re.compile(r"^address \d+ - (street|city|po box|region|postal code|country|"
                r"extended address)$"), "address_part"),  # Google
    (re.compile(r"^(home|work) (address( 2)?|city|state|zipcode|country)$"), "address_part"),
    (re.compile(r"^birth (year|month|day)$"), "birth_part"),
    (re.compile(r"^event \d+ - (label|value)$"), "event"),  # Google: labelled dates
]  # fmt: skip

GOOGLE_MARKERS = {"e-mail 1 - value", "phone 1 - value", "labels", "group membership"}
OUTLOOK_MARKERS = {"e-mail address", "e-mail 2 address", "business phone", "mobile phone"}
# Columns that only qualify another (Google's "E-mail 1 - Label"): the label of its values.
_QUALIFIER = re.compile(
    r"^(e-?mail|phone|address|organization|website|relation|im) \d+ - (label|type|service)$"
)
# Google's numbered columns ("Phone 2 - Value"): the part before " - " pairs value and label.
_NUMBERED = re.compile(r"^((?:e-?mail|phone|address|website|web site|relation|im) \d+) - ")
STANDARD_LABELS = {"anniversary", "other", "wedding", "birthday"}

TAGS_SPLIT = re.compile(r"\s*:::\s*|\s*;\s*")
EMAILS_SPLIT = re.compile(r"\s*(?::::|;|,)\s*")

EXPORT_COLUMNS = [
    "name", "company", "role", "emails", "phones", "address", "birthday", "anniversaries", "tags",
    "relationship_type", "stage", "cadence", "owner", "archived", "last_interaction_on",
    "kind", "family_name", "given_name", "additional_names", "name_prefix", "name_suffix",
    "nickname", "job_title", "gender", "addresses", "urls", "ims", "related",
]  # fmt: skip


def normalise_header(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def column_field(header: str) -> str | None:
    """What a column means, from its header; None for columns we do not import."""
    key = normalise_header(header)
    if key in _EXACT:
        return _EXACT[key]
    if key.replace(" ", "_") in _EXACT:
        return _EXACT[key.replace(" ", "_")]
    for pattern, target in _PATTERNS:
        if pattern.match(key):
            return target
    return None


@dataclass
class CsvLayout:
    """How the columns of one file are read."""

    kind: str  # "Google Contacts", "Outlook", "generic"
    headers: list[str]
    fields: list[str | None]
    ignored: list[str] = field(default_factory=list)

    @property
    def active(self) -> list[tuple[int, str, str]]:
        """(index, field, normalised header) of the columns that are read."""
        return [
            (index, target, normalise_header(self.headers[index]))
            for index, target in enumerate(self.fields)
            if target is not None
        ]


def parse_maps(items: list[str]) -> dict[str, str]:
    """`column=field` options into a {normalised column: field} dict."""
    maps: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        target = target.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise UsageError(f"--map takes COLUMN=FIELD (e.g. 'Mobil=phone'), not {item!r}")
        if target not in FIELDS:
            raise UsageError(
                f"unknown field {target!r} in --map {item!r} (one of: {', '.join(FIELDS)})"
            )
        maps[normalise_header(column)] = target
    return maps


def layout_for(header: list[str], maps: dict[str, str]) -> CsvLayout:
    keys = [normalise_header(h) for h in header]
    unknown = set(maps) - set(keys)
    if unknown:
        raise UsageError(
            f"--map names a column the file does not have: {', '.join(sorted(unknown))}"
            f" (columns: {', '.join(h for h in header if h)})"
        )
    fields = [
        maps.get(key) or column_field(h) or ("label" if _QUALIFIER.match(key) else None)
        for key, h in zip(keys, header, strict=True)
    ]
    fields = [None if f == "ignore" else f for f in fields]
    kind = "generic"
    if GOOGLE_MARKERS & set(keys):
        kind = "Google Contacts"
    elif OUTLOOK_MARKERS & set(keys):
        kind = "Outlook"
    ignored = [h for h, f, key in zip(header, fields, keys, strict=True) if f is None and key]
    if not any(f in ("name", "first_name", "last_name", "company", "email") for f in fields):
        raise UsageError(
            "no column for the name, company or email was recognised"
            f" (columns: {', '.join(h for h in header if h)}); use --map COLUMN=name"
        )
    return CsvLayout(kind, header, fields, ignored)


def check_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r} for --encoding") from None


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def encoding_of_file(path: Path, encoding: str | None = None) -> str:
    """UTF-16 (by its BOM or its NULs), else UTF-8 (BOM or not), else Windows-1252, unless
    an encoding is given: the file is checked in chunks, never decoded whole."""
    if encoding:
        check_encoding(encoding)
    else:
        with path.open("rb") as handle:
            utf16 = utf16_codec(handle.read(512))
        if utf16:
            return utf16
    for candidate in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            for chunk in _chunks(path):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding:
                raise UsageError(f"the file is not valid {encoding}: {exc}") from None
            continue
        return candidate
    raise UsageError("the file is neither UTF-8 nor Windows-1252 text; name it with --encoding")


def count_lines(path: Path) -> int:
    return sum(chunk.count(b"\n") for chunk in _chunks(path))


def file_lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines one at a time, with their endings (CR, LF or CRLF), as csv wants."""
    with path.open(encoding=encoding, newline="") as handle:
        yield from handle


@dataclass
class DateOrder:
    """How the file's numeric dates (3/4/1984) are read, and what the file showed of it."""

    day_first: bool = True
    chosen: bool = False  # by --day-first/--month-first: Outlook files are not month-first
    numeric: int = 0  # dates like 3/4/1984 read
    telling: int = 0  # of them, those with a part over 12 (only one order is possible)

    def note(self, value: str) -> None:
        match = _NUMERIC_DATE.match(value.strip())
        if match:
            self.numeric += 1
            self.telling += max(int(match[1]), int(match[2])) > 12

    def remark(self) -> str | None:
        """A warning when every numeric date could be read either way."""
        if not self.numeric or self.telling:
            return None
        order, other = ("day", "--month-first") if self.day_first else ("month", "--day-first")
        return (
            f"all {self.numeric} numeric dates could be day-first or month-first (no part over"
            f" 12): read {order} first; if that is wrong, import again with {other}"
        )


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}$")


def read_csv(
    lines: Iterator[str],
    maps: dict[str, str],
    *,
    order: DateOrder | None = None,
    notice: Callable[[str], None] | None = None,
) -> Iterator[CsvLayout | ParsedItem]:
    """The layout recognised from the header row, then each row as a record or a rejection;
    `lines` (with their endings) are read one at a time. At the end, a remark about the
    dates goes to `notice`."""
    order = order or DateOrder()
    first_line = next(lines, "")
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UsageError("the CSV file is empty") from None
    except csv.Error as exc:
        raise UsageError(f"cannot read the CSV header: {exc}") from None
    layout = layout_for(header, maps)
    yield layout
    if layout.kind == "Outlook" and not order.chosen:
        order.day_first = False
    active = layout.active
    line = reader.line_num + 1
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if rows == 0:
                message = "the CSV file has no rows under its header: nothing imported"
                raise UsageError(message) from None
            remark = order.remark()
            if remark and notice:
                notice(remark)
            return
        except csv.Error as exc:
            # The reader cannot resynchronise (it would read the rest of a quoted cell as
            # rows), so the whole file is refused; the import is one transaction.
            raise UsageError(f"line {line}: {_csv_problem(exc)}; nothing imported") from None
        where = f"line {line}"
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        record = row_to_record(row, active, where, order)
        extra = sum(1 for cell in row[len(header) :] if cell.strip())
        if extra and isinstance(record, ContactRecord):
            record.remarks.append(f"{extra} cells past the last column left out")
        yield record


def _csv_problem(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        limit = csv.field_size_limit()
        return f"a cell longer than {limit:,} characters (a quote left open?)"
    return f"not readable CSV ({exc})"


def _split(value: str, pattern: re.Pattern[str]) -> list[str]:
    """Several values in one cell (' ::: ', ';' and for emails ','), stripped."""
    if ":::" in value:
        return [part.strip() for part in value.split(":::")]
    if ";" in value or ("," in value and pattern is EMAILS_SPLIT):
        return [part.strip() for part in pattern.split(value)]
    return [value]


_NAME_FIELDS = ("name", "first_name", "middle_name", "last_name", "prefix", "suffix", "nickname")
_LABELLED_FIELDS = ("email", "phone", "url", "im", "related", "addresses")
_DATE_FIELDS = ("birthday", "birth_part", "anniversary", "anniversaries", "event")


@dataclass
class _RowCells:
    """The cells of one row that are read together once the whole row is seen."""

    names: dict[str, str] = field(default_factory=dict)
    labelled: list[tuple[str, str, str]] = field(default_factory=list)  # (field, column, cell)
    qualifiers: dict[str, str] = field(default_factory=dict)  # "Phone 1 - Label" by "phone 1"
    address_parts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    birth_parts: dict[str, str] = field(default_factory=dict)
    dated: list[tuple[str, str]] = field(default_factory=list)  # (label, date) of anniversaries
    event_labels: dict[str, str] = field(default_factory=dict)  # Google's "Event 1 - Label"
    event_values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def row_to_record(
    row: list[str], active: list[tuple[int, str, str]], where: str, order: DateOrder
) -> ContactRecord | Rejection:
    record = ContactRecord(where=where, name="")
    cells = _RowCells()
    width = len(row)
    for index, target, key in active:
        value = row[index].strip() if index < width else ""
        if value:
            _read_cell(record, cells, target, key, _cell_text(record, key, value), order)
    _read_dates(record, cells, order)
    for target, key, value in cells.labelled:
        _add_labelled(record, target, key, value, cells.qualifiers)
    _read_addresses(record, cells.address_parts, cells.qualifiers)
    _read_names(record, cells.names)
    return _named(record, cells)


def _cell_text(record: ContactRecord, key: str, value: str) -> str:
    """A cell without NULs (remarked) and with its export's formula guard undone."""
    if "\x00" in value:
        value = without_nul(value)
        record.remarks.append(f"{key}: NUL character replaced by {NUL_MARK}")
    # Strip first, then restore: `'\tx` was exported for a value that starts with a tab.
    return unformula(value)


def _read_cell(
    record: ContactRecord, cells: _RowCells, target: str, key: str, value: str, order: DateOrder
) -> None:
    """One non-empty cell into the record, or into `cells` when it is read with others."""
    if target in _NAME_FIELDS:
        cells.names.setdefault(target, value)
    elif target in _LABELLED_FIELDS:
        cells.labelled.append((target, key, value))
    elif target == "label":
        cells.qualifiers[key.split(" - ")[0]] = value
    elif target in _DATE_FIELDS:
        _read_date_cell(record, cells, target, key, value, order)
    elif target == "address":
        record.address = record.address or value
    elif target == "address_part":
        group, part = _address_part(key)
        cells.address_parts.setdefault(group, {}).setdefault(part, []).append(value)
    elif target == "company":
        record.company = record.company or value
    elif target == "tags":
        for tag in _split(value, TAGS_SPLIT):
            if tag and tag.lower() not in SYSTEM_LABELS:
                record.add_tag(tag)
    elif target == "note":
        record.notes.append(NoteData(value))
    else:
        _crm_field(record, target, value, cells.problems)


def _read_date_cell(
    record: ContactRecord, cells: _RowCells, target: str, key: str, value: str, order: DateOrder
) -> None:
    """A birthday now; a birthday's part or a labelled date for `_read_dates`."""
    if target == "birthday":
        order.note(value)
        try:
            record.birthday = read_date(value, month_first=not order.day_first)
        except DateNotUnderstood:
            record.notes.append(NoteData(f"Birthday: {value}"))
    elif target == "birth_part":
        cells.birth_parts[key.split(" ")[1]] = value
    elif target == "anniversary":
        cells.dated.append((key if key not in ("anniversary", "") else "anniversary", value))
    elif target == "anniversaries":
        for part in re.split(r"\s*:::\s*", value):
            label, sep, when = part.rpartition("=")
            cells.dated.append((label if sep else "anniversary", when))
    elif key.endswith("label"):  # Google's "Event 1 - Label" and "Event 1 - Value"
        cells.event_labels[key.split(" ")[1]] = value
    else:
        cells.event_values[key.split(" ")[1]] = value


def _read_dates(record: ContactRecord, cells: _RowCells, order: DateOrder) -> None:
    """The birthday from its parts, then the labelled dates; one not understood is a note."""
    if cells.birth_parts and record.birthday is None:
        _birthday_from_parts(record, cells.birth_parts)
    for number, value in cells.event_values.items():
        cells.dated.append((cells.event_labels.get(number, "anniversary"), value))
    for label, value in cells.dated:
        order.note(value)
        try:
            when = read_date(value, month_first=not order.day_first)
        except DateNotUnderstood:
            record.notes.append(NoteData(f"{label.capitalize()}: {value}"))
            continue
        if when is not None:
            record.add_anniversary(label.lower() if label.lower() in STANDARD_LABELS else label,
                                   when)  # fmt: skip


def _read_addresses(
    record: ContactRecord, parts: dict[str, dict[str, list[str]]], qualifiers: dict[str, str]
) -> None:
    """The addresses given in parts (work first); they say more than a formatted address."""
    for group in sorted(parts, key=lambda g: g not in ("business", "work")):
        label = _GROUP_LABELS.get(group) or _google_label(qualifiers.get(group, ""))
        record.add_address(_address(label, parts[group]))
    if parts and record.addresses:
        record.address = record.addresses[0].text


def _named(record: ContactRecord, cells: _RowCells) -> ContactRecord | Rejection:
    """The record under its name (else its company or first email), or the row's rejection."""
    if cells.problems:
        return Rejection(record.where, "; ".join(cells.problems), _full_name(cells.names))
    name = _full_name(cells.names) or record.company or (record.emails[0] if record.emails else "")
    if not name:
        return Rejection(record.where, "no name, company or email")
    record.name = name.strip()[:500]  # as typed (an exported name round-trips)
    return record


_GROUP_LABELS = {"business": "work", "work": "work", "home": "home", "other": "other"}
_PART_NAMES = {
    "street": "street", "street 2": "street", "street 3": "street", "address": "street",
    "address 2": "street", "city": "locality", "state": "region", "region": "region",
    "postal code": "postal_code", "zipcode": "postal_code", "country/region": "country",
    "country": "country", "po box": "po_box", "extended address": "extended",
}  # fmt: skip


def _address_part(key: str) -> tuple[str, str]:
    """The address group ("business", "address 1") and part ("street") a column holds."""
    numbered = _NUMBERED.match(key)
    if numbered:
        return numbered[1], _PART_NAMES[key[numbered.end() :]]
    group, _, part = key.partition(" ")
    return group, _PART_NAMES[part]


def _address(label: str, parts: dict[str, list[str]]) -> PostalAddress:
    def part(name: str) -> str:
        return "\n".join(parts.get(name, []))

    return PostalAddress(label, part("po_box"), part("extended"), part("street"),
                         part("locality"), part("region"), part("postal_code"),
                         part("country"))  # fmt: skip


# Labels as Outlook and Thunderbird put them in column names ("Business Fax").
_COLUMN_WORDS = {"business": "work", "work": "work", "home": "home", "other": "other",
                 "car": "car", "company": "main", "mobile": "cell"}  # fmt: skip
# Google's labels that have a vCard type of another name.
_GOOGLE_LABELS = {"mobile": "cell", "work fax": "work,fax", "home fax": "home,fax"}
_PLAIN_LABELS = {"work", "home", "other", "main", "pager", "fax", "cell"}
# `label: value`, as tinycrm's own export writes labelled values.
_INLINE_LABEL = re.compile(r"^([\w][\w ,.'&+-]{0,39}): (.+)$", re.DOTALL)


@lru_cache(maxsize=256)  # a file has a few columns, read on every row
def _column_labels(key: str) -> tuple[str | None, str]:
    """A column's Google group ("phone 1", whose label is in its own column) or None, and
    the label its name gives (Outlook's "Business Fax": "work,fax")."""
    numbered = _NUMBERED.match(key)
    words = [_COLUMN_WORDS.get(key.split(" ")[0], "")]
    words += [word for word in ("fax", "pager") if word in key and word not in words]
    return (numbered[1] if numbered else None), ",".join(word for word in words if word)


@lru_cache(maxsize=1024)
def _google_label(text: str) -> str:
    """A Google label ("* Work", "Mobile", "Sommerhaus") as a type label."""
    label = text.strip().removeprefix("* ").strip()
    lowered = label.lower()
    return _GOOGLE_LABELS.get(lowered) or (lowered if lowered in _PLAIN_LABELS else label)


def _add_labelled(
    record: ContactRecord, target: str, key: str, value: str, qualifiers: dict[str, str]
) -> None:
    """The emails, phones, addresses or links of a cell, with their labels: from the column
    name (Outlook), Google's label column, or `label: value` items (tinycrm's own export)."""
    group, column_label = _column_labels(key)
    given = qualifiers.get(group, "") if group else ""
    if target in ("url", "im", "related", "addresses"):
        values = [part.strip() for part in value.split(":::")]
    else:
        values = _split(value, EMAILS_SPLIT if target == "email" else TAGS_SPLIT)
    labels = [part.strip() for part in given.split(":::")] if ":::" in given else [given]
    for position, item in enumerate(values):
        label = _google_label(labels[min(position, len(labels) - 1)]) if given else ""
        inline = _INLINE_LABEL.match(item) if not label and ": " in item else None
        if inline:
            label, item = inline[1], inline[2]
        label = label or column_label
        if target == "email":
            record.add_email(item, label)
        elif target == "phone":
            record.add_phone(item, label)
        elif target == "addresses":
            record.add_address(PostalAddress.from_text(item, label))
        else:
            links = {"url": record.urls, "im": record.ims, "related": record.related}[target]
            record.add_link(links, item, label)


def _read_names(record: ContactRecord, names: dict[str, str]) -> None:
    """The name's parts as the file's columns gave them, and the nickname."""
    parts = [names.get(k, "") for k in ("last_name", "first_name", "middle_name", "prefix",
                                         "suffix")]  # fmt: skip
    if any(parts):
        record.name_parts = PersonName(*parts)
    record.nickname = names.get("nickname")


def _birthday_from_parts(record: ContactRecord, parts: dict[str, str]) -> None:
    """Thunderbird's Birth Year, Birth Month and Birth Day columns (the year may be empty)."""
    year, month, day = (parts.get(k, "") for k in ("year", "month", "day"))
    try:
        record.birthday = PartialDate(int(month), int(day), int(year) if year else None)
    except (ValueError, UsageError):
        record.notes.append(NoteData(f"Birthday: {year}-{month}-{day}".strip("-")))
        record.remarks.append(f"birthday {year}/{month}/{day} is not a date: kept as a note")


def _full_name(names: dict[str, str]) -> str:
    if "name" in names:
        return names["name"]
    parts = [names.get(k, "") for k in ("prefix", "first_name", "middle_name", "last_name",
                                         "suffix")]  # fmt: skip
    return " ".join(p for p in parts if p) or names.get("nickname", "")


def _crm_field(record: ContactRecord, target: str, value: str, problems: list[str]) -> None:
    from datetime import date

    from tinycrm import validation

    try:
        if target == "type":
            record.relationship_type = RelationshipType(validation.relationship_type(value))
        elif target == "stage":
            record.stage = Stage(validation.stage(value))
        elif target == "cadence":
            record.cadence_override = validation.cadence(value)
        elif target == "owner":
            record.owner = value
        elif target == "archived":
            record.archived = value.strip().lower() in ("1", "yes", "true", "y", "x")
        elif target == "last_interaction":
            record.last_touch_on = date.fromisoformat(value)
        elif target == "role":
            record.role = value
        elif target == "job_title":
            record.job_title = value
        elif target == "gender":
            record.gender = read_gender(value)
        elif target == "kind":
            record.kind = value.lower() if value.lower() in KINDS else None
    except (UsageError, ValueError) as exc:
        problems.append(str(exc) if isinstance(exc, UsageError) else f"bad date {value!r}")


def contact_row(contact: Contact) -> list[str]:
    """One contact as a CSV row of EXPORT_COLUMNS, safe to open in a spreadsheet."""
    cadence = contact.cadence_override
    parts = contact.name_parts.parts() if contact.name_parts else [""] * 5
    cells = [
        contact.name,
        contact.company or "",
        (contact.role or "") if contact.company else "",
        " ::: ".join(_with_label(e, contact.email_labels.get(e)) for e in contact.emails),
        " ::: ".join(_with_label(p, contact.phone_labels.get(p)) for p in contact.phones),
        contact.address or "",
        contact.birthday.iso() if contact.birthday else "",
        " ::: ".join(f"{a.label}={a.when.iso()}" for a in contact.anniversaries),
        " ::: ".join(contact.tags),
        contact.relationship_type.value if contact.relationship_type else "",
        contact.stage.value if contact.stage else "",
        "" if cadence is None else (str(cadence) if cadence else "none"),
        contact.owner or "",
        "yes" if contact.archived else "",
        contact.last_touch_on.isoformat() if contact.last_touch_on else "",
        contact.kind or "",
        parts[0], parts[1], parts[2], parts[3], parts[4],
        contact.nickname or "",
        contact.job_title or "",
        contact.gender or "",
        " ::: ".join(_with_label(a.text, a.label) for a in contact.postal_addresses()),
        " ::: ".join(_with_label(link.value, link.label) for link in contact.urls),
        " ::: ".join(_with_label(link.value, link.label) for link in contact.ims),
        " ::: ".join(_with_label(link.value, link.label) for link in contact.related),
    ]  # fmt: skip
    return [formula_safe(cell) for cell in cells]


def _with_label(value: str, label: str | None) -> str:
    return f"{label}: {value}" if label else value
