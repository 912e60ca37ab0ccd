"""vCard 2.1, 3.0 and 4.0 in; vCard 4.0 out.

Reading is done card by card, so one bad card is rejected with its number and the rest are
imported. The file is split and unfolded here (including quoted-printable soft line breaks of
old Android/Outlook 2.1 files, which vobject does not join); each card is screened with a
linear scan of its property lines before vobject sees it, because vobject's line regex takes
exponential time on a malformed line with many parameters; and each card's parse runs under a
time limit (SIGALRM, where available) as a second guard.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from tinycrm.dates import PartialDate
from tinycrm.errors import UsageError
from tinycrm.io.records import (
    SYSTEM_LABELS,
    ContactRecord,
    DateNotUnderstood,
    NoteData,
    ParsedItem,
    Rejection,
    read_date,
)
from tinycrm.models import Channel, Contact, Note, RelationshipType, Stage

MAX_PARAMS = 10  # real cards use at most ~4 parameters on a line
MAX_CARD_BYTES = 4 * 1024 * 1024
CARD_TIME_LIMIT = 1.0  # seconds per card

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


@dataclass(frozen=True)
class RawCard:
    number: int  # 1-based position in the file
    line: int  # line where BEGIN:VCARD is
    lines: list[str]  # unfolded content lines, BEGIN and END included


def split_cards(text: str) -> Iterator[RawCard | Rejection]:
    """The cards of a file as unfolded lines; text outside cards is ignored."""
    physical = text.splitlines()
    current: list[str] | None = None
    start = 0
    size = 0
    number = 0
    index = 0
    while index < len(physical):
        raw = physical[index]
        index += 1
        if current is not None and raw[:1] in (" ", "\t") and current:
            current[-1] += raw[1:]
            size += len(raw)
            continue
        line = raw
        # Quoted-printable soft line breaks: "=" at the end continues on the next line.
        while (
            line.endswith("=")
            and index < len(physical)
            and "QUOTED-PRINTABLE" in _head(line).upper()
        ):
            line = line[:-1] + physical[index]
            index += 1
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if current is not None and number:
                yield Rejection(f"card {number}", "no END:VCARD before the next card")
            number += 1
            current, start, size = [line.strip()], index, len(line)
            continue
        if current is None:
            continue
        size += len(line)
        if size > MAX_CARD_BYTES:
            yield Rejection(f"card {number}", f"card larger than {MAX_CARD_BYTES // 2**20} MiB")
            current = None
            continue
        if upper == "END:VCARD":
            current.append(line.strip())
            yield RawCard(number, start, current)
            current = None
            continue
        if line.strip():
            current.append(line)
    if current is not None:
        yield Rejection(f"card {number}", "the file ends inside this card (no END:VCARD)")


def _head(line: str) -> str:
    """The part of a content line before its first unquoted colon."""
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:position]
    return line


def screen_line(line: str) -> str | None:
    """Why this content line is unsafe or malformed, or None. Linear time."""
    quoted = False
    params = 0
    colon = -1
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == ";":
            params += 1
        elif char == ":":
            colon = position
            break
    if colon < 0:
        return "a line without ':' (not a vCard property)"
    if params > MAX_PARAMS:
        return f"a line with {params} parameters (more than {MAX_PARAMS})"
    head = line[:colon].split(";", 1)[0]
    name = head.split(".", 1)[-1]
    if not _NAME.fullmatch(name) or ("." in head and not _NAME.fullmatch(head.split(".")[0])):
        return f"a property with a bad name {head[:40]!r}"
    return None


class _CardTimeout(Exception):
    pass


@contextmanager
def time_limits() -> Iterator[Callable[[float], None]]:
    """A function that arms (seconds > 0) or disarms (0) a SIGALRM timer, where possible."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield lambda seconds: None
        return

    def expire(signum: int, frame: object) -> None:
        raise _CardTimeout

    def arm(seconds: float) -> None:
        signal.setitimer(signal.ITIMER_REAL, seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        yield arm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_vcards(text: str, *, time_limit: float = CARD_TIME_LIMIT) -> Iterator[ParsedItem]:
    """Every card of a vCard file as a ContactRecord or a Rejection."""
    import vobject

    with time_limits() as arm:
        for raw in split_cards(text):
            if isinstance(raw, Rejection):
                yield raw
                continue
            where = f"card {raw.number} (line {raw.line})"
            problem = next((p for p in (screen_line(line) for line in raw.lines[1:-1]) if p), None)
            if problem:
                yield Rejection(where, f"rejected: {problem}")
                continue
            try:
                arm(time_limit)
                try:
                    card = vobject.readOne("\r\n".join(raw.lines) + "\r\n")
                    record: ParsedItem = card_to_record(card, where)
                finally:
                    arm(0)
            except _CardTimeout:
                record = Rejection(where, f"took longer than {time_limit:g} s to read")
            except (vobject.base.VObjectError, ValueError, UnicodeError, AttributeError) as exc:
                record = Rejection(where, f"not a readable vCard: {_short(exc)}")
            yield record


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:120] + ("…" if len(text) > 120 else "")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if str(v).strip())
    return str(value).strip() if value is not None else ""


def _param(line: Any, name: str) -> str | None:
    values = line.params.get(name) or line.params.get(name.lower())
    return str(values[0]) if values else None


def _label(text: str) -> str:
    """Apple's built-in labels look like `_$!<Anniversary>!$_`; custom ones are plain."""
    match = _APPLE_LABEL.match(text.strip())
    return match[1].strip().lower() if match else text.strip()


def card_to_record(card: Any, where: str) -> ContactRecord | Rejection:
    """Map one parsed vCard to a record. CRM fields come from X-TINYCRM-* properties."""
    children = list(card.getChildren())
    by_name: dict[str, list[Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    for child in children:
        by_name.setdefault(child.name.upper(), []).append(child)
        if child.group:
            groups.setdefault(child.group.lower(), {})[child.name.upper()] = child

    def first(name: str) -> str:
        for line in by_name.get(name, []):
            text = _text(line.value)
            if text:
                return text
        return ""

    name = first("FN") or _name_from_n(by_name.get("N", []))
    company = ""
    for line in by_name.get("ORG", []):
        parts = line.value if isinstance(line.value, list) else [line.value]
        company = next((str(p).strip() for p in parts if str(p).strip()), "")
        if company:
            break
    record = ContactRecord(where=where, name="")
    for line in by_name.get("EMAIL", []):
        record.add_email(_text(line.value))
    for line in by_name.get("TEL", []):
        record.add_phone(_text(line.value))
    name = name or company or (record.emails[0] if record.emails else "")
    if not name:
        return Rejection(where, "no name, organisation or email")
    record.name = " ".join(name.split())[:500]
    record.company = company or None
    for line in by_name.get("ADR", []):
        address = _address(line.value)
        if address:
            record.address = address
            break
    for line in by_name.get("CATEGORIES", []):
        values = line.value if isinstance(line.value, list) else str(line.value).split(",")
        for tag in values:
            if str(tag).strip().lower() not in SYSTEM_LABELS:
                record.add_tag(str(tag))
    for line in by_name.get("BDAY", []):
        _read_bday(record, line)
        break
    for line in by_name.get("ANNIVERSARY", []) + by_name.get("X-ANNIVERSARY", []):
        _read_anniversary(record, "anniversary", line)
    for group in groups.values():
        if "X-ABDATE" in group:
            label_line = group.get("X-ABLABEL")
            label = _label(_text(label_line.value)) if label_line is not None else "date"
            _read_anniversary(record, label, group["X-ABDATE"])
    for line in by_name.get("NOTE", []):
        body = _text(line.value)
        if body:
            record.notes.append(_note(body, line))
    _read_crm_fields(record, by_name)
    return record


def _name_from_n(lines: list[Any]) -> str:
    for line in lines:
        value = line.value
        if hasattr(value, "family"):
            parts = [value.prefix, value.given, value.additional, value.family, value.suffix]
            text = " ".join(_text(p) for p in parts if _text(p))
        else:
            text = " ".join(str(value).replace(";", " ").split())
        if text:
            return text
    return ""


def _address(value: Any) -> str:
    if hasattr(value, "street"):
        parts = [value.box, value.extended, value.street, value.city, value.region, value.code,
                 value.country]  # fmt: skip
        flat = [_text(p) for p in parts if _text(p)]
        if len(flat) == 1:
            return flat[0]
        return ", ".join(p.replace("\n", ", ") for p in flat)
    return _text(value)


def _date_of(line: Any) -> PartialDate | None:
    if (_param(line, "X-APPLE-OMIT-YEAR") or "") and isinstance(line.value, str):
        value = line.value.strip()
        try:
            found = read_date(value)
        except DateNotUnderstood:
            found = None
        if found is not None:
            return PartialDate(found.month, found.day, None)
    value = line.value if isinstance(line.value, str) else str(line.value)
    return read_date(value)


def _read_bday(record: ContactRecord, line: Any) -> None:
    text = _text(line.value)
    if not text:
        return
    if (_param(line, "VALUE") or "").lower() == "text":
        record.notes.append(NoteData(f"Birthday: {text}"))
        return
    try:
        record.birthday = _date_of(line)
    except DateNotUnderstood:
        record.notes.append(NoteData(f"Birthday: {text}"))


def _read_anniversary(record: ContactRecord, label: str, line: Any) -> None:
    text = _text(line.value)
    if not text:
        return
    try:
        when = None if (_param(line, "VALUE") or "").lower() == "text" else _date_of(line)
    except DateNotUnderstood:
        when = None
    if when is None:
        record.notes.append(NoteData(f"{label.capitalize()}: {text}"))
    else:
        record.add_anniversary(label, when)


def _note(body: str, line: Any) -> NoteData:
    on: date | None = None
    channel: Channel | None = None
    stamp = _param(line, "X-TINYCRM-DATE")
    if stamp:
        try:
            on = date.fromisoformat(stamp)
        except ValueError:
            on = None
    kind = _param(line, "X-TINYCRM-CHANNEL")
    if kind:
        try:
            channel = Channel(kind.lower())
        except ValueError:
            channel = None
    return NoteData(body, on, channel)


def _read_crm_fields(record: ContactRecord, by_name: dict[str, list[Any]]) -> None:
    def value(name: str) -> str:
        lines = by_name.get(name, [])
        return _text(lines[0].value) if lines else ""

    try:
        if value("X-TINYCRM-TYPE"):
            record.relationship_type = RelationshipType(value("X-TINYCRM-TYPE").lower())
        if value("X-TINYCRM-STAGE"):
            record.stage = Stage(value("X-TINYCRM-STAGE").lower())
        cadence = value("X-TINYCRM-CADENCE")
        if cadence.isdigit():
            record.cadence_override = int(cadence)
        elif cadence.lower() == "none":
            record.cadence_override = 0
        if value("X-TINYCRM-LAST-INTERACTION"):
            record.last_touch_on = date.fromisoformat(value("X-TINYCRM-LAST-INTERACTION"))
    except ValueError:
        pass
    record.owner = value("X-TINYCRM-OWNER") or None
    record.archived = value("X-TINYCRM-ARCHIVED").lower() in ("1", "true", "yes")


# --- writing -----------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 sequence."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _bday(when: PartialDate) -> str:
    if when.year is None:
        return f"--{when.month:02d}{when.day:02d}"
    return f"{when.year:04d}{when.month:02d}{when.day:02d}"


def contact_to_vcard(contact: Contact, notes: list[Note]) -> str:
    """One vCard 4.0 with every field; CRM fields as X-TINYCRM-* properties.

    Labelled anniversaries are written as Apple-style grouped X-ABDATE/X-ABLabel pairs, which
    Apple Contacts shows as custom dates and tinycrm reads back with their labels."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_escape(contact.name)}"]
    given, _, family = contact.name.rpartition(" ")
    lines.append(f"N:{_escape(family)};{_escape(given)};;;")
    if contact.company:
        lines.append(f"ORG:{_escape(contact.company)}")
    for position, email in enumerate(contact.emails, start=1):
        lines.append(f"EMAIL;PREF={position}:{_escape(email)}")
    for position, phone in enumerate(contact.phones, start=1):
        lines.append(f"TEL;PREF={position};VALUE=text:{_escape(phone)}")
    if contact.address:
        lines.append(f"ADR:;;{_escape(contact.address)};;;;")
    if contact.birthday:
        lines.append(f"BDAY:{_bday(contact.birthday)}")
    for number, item in enumerate(contact.anniversaries, start=1):
        when = item.when
        if when.year is None:
            date_line = f"X-ABDATE;X-APPLE-OMIT-YEAR=1604:1604-{when.month:02d}-{when.day:02d}"
        else:
            date_line = f"X-ABDATE:{when.iso()}"
        lines.append(f"item{number}.{date_line}")
        lines.append(f"item{number}.X-ABLabel:{_escape(item.label)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in contact.tags))
    for note in notes:
        params = f";X-TINYCRM-DATE={note.on.isoformat()}"
        if note.channel:
            params += f";X-TINYCRM-CHANNEL={note.channel.value}"
        lines.append(f"NOTE{params}:{_escape(note.body)}")
    if contact.relationship_type:
        lines.append(f"X-TINYCRM-TYPE:{contact.relationship_type.value}")
    if contact.stage:
        lines.append(f"X-TINYCRM-STAGE:{contact.stage.value}")
    if contact.cadence_override is not None:
        cadence = str(contact.cadence_override) if contact.cadence_override else "none"
        lines.append(f"X-TINYCRM-CADENCE:{cadence}")
    if contact.owner:
        lines.append(f"X-TINYCRM-OWNER:{_escape(contact.owner)}")
    if contact.archived:
        lines.append("X-TINYCRM-ARCHIVED:true")
    if contact.last_touch_on:
        lines.append(f"X-TINYCRM-LAST-INTERACTION:{contact.last_touch_on.isoformat()}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def check_text(data: bytes) -> str:
    """Decode a vCard file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UsageError("the file is neither UTF-8 nor Windows-1252 text") from exc
