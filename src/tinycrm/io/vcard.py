"""vCard 2.1, 3.0 and 4.0 in (writing them is io/vcard_export.py).

Reading is done card by card, so one bad card is rejected with its number and the rest are
imported. The file is split and unfolded here (including quoted-printable soft line breaks of
old Android/Outlook 2.1 files, which vobject does not join). Each content line is parsed with
vobject's line grammar (`vobject.base.parseLine`: name, group, parameters, value); values are
decoded here (escapes, structured values, quoted-printable with charsets), which is ~10x faster
than building vobject components and was needed for 10,000 cards in well under 5 s.

vobject's line regex takes exponential time on a malformed line with many parameters (24 s
for 124 bytes), so every card is first screened with a linear scan of its lines, and each
card's parse runs under a time limit (SIGALRM, where available) as a second guard.
"""

from __future__ import annotations

import re
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from tinycrm import validation
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
    read_date,
    read_gender,
    utf16_codec,
    without_nul,
)
from tinycrm.models.contacts import PersonName, PostalAddress
from tinycrm.vocabulary import Channel
from tinycrm.wording import plural

MAX_PARAMS = 10  # real cards use at most ~4 parameters on a line
MAX_CARD_BYTES = 4 * 1024 * 1024
CARD_TIME_LIMIT = 1.0  # seconds per card

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


@dataclass(frozen=True)
class RawCard:
    number: int  # 1-based position in the file
    line: int  # line where BEGIN:VCARD is
    lines: list[tuple[int, bytes]]  # (line number, unfolded content line), BEGIN and END too


_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_PROPERTY_START = re.compile(rb"^[A-Za-z0-9_.-]+[;:]")


def split_cards(data: bytes) -> Iterator[RawCard | Rejection]:
    """The cards of a file as unfolded lines of bytes; text outside cards is ignored.

    Lines are unfolded before they are decoded (RFC 6350 §3.2), so a UTF-8 character that a
    writer split across a fold comes back whole."""
    # Lines end at CR LF, LF or CR only: `bytes.splitlines` would split at other codes too.
    physical = _BYTE_LINE_BREAK.split(data)
    current: list[tuple[int, bytes]] | None = None
    start = size = number = index = 0
    while index < len(physical):
        raw = physical[index]
        index += 1
        if current is not None and raw[:1] in (b" ", b"\t") and current:
            current[-1] = (current[-1][0], current[-1][1] + raw[1:])
            size += len(raw)
            continue
        line_number, line = index, raw
        # Quoted-printable soft line breaks ("=" at the end) and vCard 2.1 backslash
        # continuations (a value ending in "\" goes on on the next, non-property line).
        while index < len(physical) and _continues(line, physical[index]):
            joint = b"" if line.endswith(b"=") else b"\\n"
            line = line[:-1] + joint + physical[index]
            index += 1
        upper = line.strip().upper()
        if upper == b"BEGIN:VCARD":
            if current is not None and number:
                yield Rejection(f"card {number}", "no END:VCARD before the next card")
            number += 1
            current, start, size = [(line_number, line.strip())], index, len(line)
            continue
        if current is None:
            continue
        size += len(line)
        if size > MAX_CARD_BYTES:
            yield Rejection(f"card {number}", f"card larger than {MAX_CARD_BYTES // 2**20} MiB")
            current = None
            continue
        if upper == b"END:VCARD":
            current.append((line_number, line.strip()))
            yield RawCard(number, start, current)
            current = None
            continue
        if line.strip():
            current.append((line_number, line))
    if current is not None:
        yield Rejection(f"card {number}", "the file ends inside this card (no END:VCARD)")


def _continues(line: bytes, following: bytes) -> bool:
    if line.endswith(b"="):
        return "QUOTED-PRINTABLE" in _head(line.decode("latin-1")).upper()
    if line.endswith(b"\\") and not line.endswith(b"\\\\") and following[:1] not in b" \t":
        stripped = following.strip().upper()
        return bool(stripped) and stripped != b"END:VCARD" and not _PROPERTY_START.match(following)
    return False


_CHARSET = re.compile(r";CHARSET=([^;:]+)", re.IGNORECASE)


def decode_card(card: RawCard, encoding: str | None) -> tuple[list[tuple[int, str]], list[str]]:
    """The card's lines as text, each by its CHARSET parameter, else UTF-8 (or `encoding`),
    else Windows-1252; with a remark for every guess."""
    lines: list[tuple[int, str]] = []
    remarks: list[str] = []
    default = encoding or "utf-8"
    for number, raw in card.lines:
        if raw.isascii():
            lines.append((number, raw.decode("ascii")))
            continue
        declared = _CHARSET.search(_head(raw.decode("latin-1")))
        names = [declared[1].strip('"')] if declared else []
        text = None
        for name in [*names, default]:
            try:
                text = raw.decode(name)
                break
            except (LookupError, UnicodeDecodeError):
                continue
        if text is None:
            text = raw.decode("cp1252", errors="replace")
            said = f"declared {names[0]}, but " if names else ""
            remarks.append(
                f"line {number}: {said}not {default}: read as Windows-1252 (a guess; if it"
                " looks wrong, import again with --encoding)"
            )
        lines.append((number, text))
    return lines, remarks


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


@dataclass
class Prop:
    """One content line: upper-case name, lower-case group, upper-case parameter names."""

    name: str
    group: str | None
    params: dict[str, list[str]]
    value: str
    decoded_as: str | None = None  # a quoted-printable value's charset, when it was guessed

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def has_type(self, value: str) -> bool:
        return value.upper() in (v.upper() for v in self.params.get("TYPE", []))


def parse_line(line: str) -> Prop:
    """A content line through vobject's line grammar; the value is decoded here (escapes,
    quoted-printable and charsets), which is ~10x faster than building vobject components."""
    from vobject.base import parseLine

    name, raw_params, value, group = parseLine(line)
    params: dict[str, list[str]] = {}
    for item in raw_params:
        key = item[0].upper()
        if len(item) == 1:  # vCard 2.1 bare parameters: TEL;CELL, NOTE;QUOTED-PRINTABLE
            if key in ("QUOTED-PRINTABLE", "BASE64", "B"):
                params.setdefault("ENCODING", []).append(key)
            else:
                params.setdefault("TYPE", []).append(key)
            continue
        for part in item[1:]:
            params.setdefault(key, []).extend(p for p in part.split(",") if p)
    encoding = (params.get("ENCODING") or [""])[0].upper()
    guessed = None
    if encoding == "QUOTED-PRINTABLE":
        value, guessed = _quoted_printable(value, (params.get("CHARSET") or ["utf-8"])[0])
    elif encoding in ("B", "BASE64"):
        value = ""  # binary (PHOTO, SOUND, KEY): not imported
    name = name.upper().replace("_", "-")
    return Prop(name, group.lower() if group else None, params, value, guessed)


def _quoted_printable(value: str, charset: str) -> tuple[str, str | None]:
    """The decoded value, and the charset it was read as when `charset` did not fit."""
    import quopri

    data = quopri.decodestring(value.encode("utf-8"))
    for name in (charset, "utf-8", "cp1252"):
        try:
            return data.decode(name), (None if name == charset else name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1"), "latin-1"


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


def split_value(value: str, separator: str | None) -> list[str]:
    """Split on unescaped `separator`, then undo the text escapes of each part."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            current.append(_ESCAPES.get(following, "\\" + following))
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return split_value(value, None)[0]


def read_vcards(
    data: bytes,
    *,
    encoding: str | None = None,
    time_limit: float = CARD_TIME_LIMIT,
    notice: Callable[[str], None] | None = None,
) -> Iterator[ParsedItem]:
    """Every card of a vCard file as a ContactRecord (with remarks on what was changed or
    left out) or a Rejection. `encoding` replaces UTF-8 for lines without a CHARSET. At the
    end, the properties no contact field holds, with how many cards had them, go to
    `notice`."""
    left_out: Counter[str] = Counter()
    yield from _read_cards(data, encoding, time_limit, left_out)
    if left_out and notice:
        listed = ", ".join(
            f"{name} ({plural(count, 'card')})" for name, count in sorted(left_out.items())
        )
        notice(f"not imported (tinycrm has no field for them): {listed}")


def _read_cards(
    data: bytes, encoding: str | None, time_limit: float, left_out: Counter[str]
) -> Iterator[ParsedItem]:
    with time_limits() as arm:
        for raw in split_cards(data):
            if isinstance(raw, Rejection):
                yield raw
                continue
            where = f"card {raw.number} (line {raw.line})"
            lines, remarks = decode_card(raw, encoding)
            try:
                arm(time_limit)
                try:
                    props = _read_props(lines[1:-1], remarks)
                finally:
                    arm(0)
                remarks += _replace_nul(props)
                left_out.update({p.name for p in props if not _kept(p.name)})
                record: ParsedItem = card_to_record(props, where)
                if isinstance(record, ContactRecord):
                    record.remarks[:0] = remarks
            except _CardTimeout:
                record = Rejection(where, f"took longer than {time_limit:g} s to read")
            except (ValueError, UnicodeError) as exc:
                record = Rejection(where, f"not a readable vCard: {_short(exc)}")
            yield record


def _read_props(lines: list[tuple[int, str]], remarks: list[str]) -> list[Prop]:
    """The card's properties; a line that is not one is left out, with a remark."""
    from vobject.base import VObjectError

    props = []
    for number, line in lines:
        problem = "a comment" if line.lstrip().startswith("#") else screen_line(line)
        if problem is None:
            try:
                prop = parse_line(line)
                props.append(prop)
                if prop.decoded_as:
                    remarks.append(
                        f"line {number}: quoted-printable {prop.name} is not"
                        f" {prop.param('CHARSET') or 'UTF-8'}: read as {prop.decoded_as}"
                        " (a guess)"
                    )
                continue
            except VObjectError as exc:
                problem = f"not a vCard property ({_short(exc)})"
        shown = line[:60] + ("…" if len(line) > 60 else "")
        remarks.append(f"line {number} left out: {problem}: {shown}")
    return props


def _replace_nul(props: list[Prop]) -> list[str]:
    """NUL characters made visible (as ␀), with a remark for each property that had one."""
    remarks = []
    for prop in props:
        if "\x00" in prop.value:
            prop.value = without_nul(prop.value)
            remarks.append(f"{prop.name}: NUL character replaced by {NUL_MARK}")
    return remarks


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:120] + ("…" if len(text) > 120 else "")


def _label(text: str) -> str:
    """Apple's built-in labels look like `_$!<Anniversary>!$_`; custom ones are plain."""
    match = _APPLE_LABEL.match(text.strip())
    return match[1].strip().lower() if match else text.strip()


def card_to_record(props: list[Prop], where: str) -> ContactRecord | Rejection:
    """Map one card's properties to a record. CRM fields come from X-TINYCRM-* properties."""
    by_name: dict[str, list[Prop]] = {}
    groups: dict[str, dict[str, Prop]] = {}
    for prop in props:
        by_name.setdefault(prop.name, []).append(prop)
        if prop.group:
            groups.setdefault(prop.group, {})[prop.name] = prop

    def first(name: str) -> str:
        return _first_text(by_name, name) or ""

    name = first("FN") or _name_from_n(by_name.get("N", [])) or first("NICKNAME")
    company = _organisation(by_name)
    record = ContactRecord(where=where, name="")

    def label(prop: Prop) -> str:
        return _type_label(prop, groups.get(prop.group or "", {}))

    for prop in _preferred_first(by_name.get("EMAIL", [])):
        record.add_email(unescape(prop.value), label(prop))
    for prop in _preferred_first(by_name.get("TEL", [])):
        record.add_phone(unescape(prop.value), label(prop))
    name = name or company or (record.emails[0] if record.emails else "")
    if not name:
        return Rejection(where, "no name, organisation or email")
    record.name = name.strip()[:500]  # as typed: tabs, line breaks and all (round trip)
    record.uid = first("UID") or None
    record.company = company or None
    for prop in _preferred_first(by_name.get("ADR", [])):
        record.add_address(_address(prop, label(prop)))
    _read_person(record, by_name, label)
    for prop in by_name.get("CATEGORIES", []):
        for tag in split_value(prop.value, ","):
            if tag.strip().lower() not in SYSTEM_LABELS:
                record.add_tag(tag)
    _read_dates(record, by_name, groups, label)
    for prop in by_name.get("NOTE", []):
        body = unescape(prop.value).strip()
        if body:
            record.notes.append(_note(body, prop))
    problems = _read_crm_fields(record, by_name)
    if problems:
        return Rejection(where, "; ".join(problems), record.name)
    return record


def _organisation(by_name: dict[str, list[Prop]]) -> str:
    """The company: the first ORG's first non-blank part (the others are departments)."""
    for prop in by_name.get("ORG", []):
        company = next((p.strip() for p in split_value(prop.value, ";") if p.strip()), "")
        if company:
            return company
    return ""


def _address(prop: Prop, label: str) -> PostalAddress:
    parts = [part.strip() for part in split_value(prop.value, ";")] + [""] * 7
    parts[6] = " ".join(part for part in parts[6:] if part)  # extra parts: the country
    return PostalAddress(label, *parts[:7])


def _first_text(by_name: dict[str, list[Prop]], name: str) -> str | None:
    """The first non-blank value of the `name` properties, unescaped."""
    texts = (unescape(prop.value).strip() for prop in by_name.get(name, []))
    return next((text for text in texts if text), None)


def _read_dates(
    record: ContactRecord,
    by_name: dict[str, list[Prop]],
    groups: dict[str, dict[str, Prop]],
    label: Callable[[Prop], str],
) -> None:
    """The birthday (the first BDAY), and every anniversary: vCard 4's, Evolution's and
    Apple's labelled X-ABDATE ones."""
    for prop in by_name.get("BDAY", [])[:1]:
        _read_bday(record, prop)
    for prop in by_name.get("ANNIVERSARY", []) + by_name.get("X-ANNIVERSARY", []):
        _read_anniversary(record, "anniversary", prop)
    for group in groups.values():
        if "X-ABDATE" in group:
            _read_anniversary(record, label(group["X-ABDATE"]) or "date", group["X-ABDATE"])


# IM properties before IMPP (RFC 4770), with the URI scheme each one's handle gets.
IM_PROPERTIES = {
    "X-JABBER": "xmpp", "X-GOOGLE-TALK": "xmpp", "X-GTALK": "xmpp", "X-AIM": "aim",
    "X-ICQ": "icq", "X-MSN": "msnim", "X-YAHOO": "ymsgr", "X-SKYPE": "skype",
    "X-SKYPE-USERNAME": "skype", "X-GADUGADU": "gg", "X-QQ": "qq", "X-MATRIX": "matrix",
    "X-SIP": "sip",
}  # fmt: skip
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

# What card_to_record reads, and the bookkeeping of the writing program (not data of the
# person), which leaving out loses nothing.
READ_PROPERTIES = {
    "FN", "N", "NICKNAME", "ORG", "ROLE", "TITLE", "EMAIL", "TEL", "ADR", "UID", "CATEGORIES",
    "BDAY", "ANNIVERSARY", "X-ANNIVERSARY", "X-ABDATE", "X-ABLABEL", "NOTE", "KIND", "X-ABSHOWAS",
    "GENDER", "X-GENDER", "URL", "IMPP", "RELATED", "X-ABRELATEDNAMES", *IM_PROPERTIES,
}  # fmt: skip
BOOKKEEPING = {"VERSION", "PRODID", "REV", "CLIENTPIDMAP", "X-ABUID", "X-ABADR", "PROFILE", "NAME",
               "SOURCE"}  # fmt: skip


def _kept(name: str) -> bool:
    return name in READ_PROPERTIES or name in BOOKKEEPING or name.startswith("X-TINYCRM-")


def _read_person(
    record: ContactRecord, by_name: dict[str, list[Prop]], label: Callable[[Prop], str]
) -> None:
    """What an address book holds about the person beyond names, emails, phones, addresses."""

    def first(name: str) -> str | None:
        return _first_text(by_name, name)

    kind = (first("KIND") or "").lower()
    if kind in KINDS:
        record.kind = kind
    elif (first("X-ABSHOWAS") or "").upper() == "COMPANY":
        record.kind = "org"
    for prop in by_name.get("N", []):
        parts = [part.strip() for part in split_value(prop.value, ";")][:5]
        if any(parts):
            record.name_parts = PersonName(*parts)
            break
    record.nickname = first("NICKNAME")
    record.job_title = first("TITLE")
    record.role = first("ROLE") if record.company else None
    record.gender = _gender(by_name)
    for prop in _preferred_first(by_name.get("URL", [])):
        record.add_link(record.urls, unescape(prop.value), label(prop))
    for prop in _preferred_first(by_name.get("IMPP", [])):
        record.add_link(record.ims, unescape(prop.value), label(prop))
    for name, scheme in IM_PROPERTIES.items():
        for prop in by_name.get(name, []):
            handle = unescape(prop.value).strip()
            uri = handle if _SCHEME.match(handle) else f"{scheme}:{handle}"
            record.add_link(record.ims, uri if handle else "", label(prop))
    for prop in by_name.get("RELATED", []) + by_name.get("X-ABRELATEDNAMES", []):
        record.add_link(record.related, unescape(prop.value), label(prop))


def _gender(by_name: dict[str, list[Prop]]) -> str | None:
    """vCard 4 GENDER (`F`, `O;non-binary`), else an X-GENDER word ("Female")."""
    for prop in by_name.get("GENDER", []) + by_name.get("X-GENDER", []):
        text = ";".join(part.strip() for part in split_value(prop.value, ";"))
        gender = read_gender(text)
        if gender:
            return gender
    return None


# TYPE values that say nothing a person would call a label.
_NOT_LABELS = {"pref", "internet", "x400"}


def _type_label(prop: Prop, group: dict[str, Prop]) -> str:
    """The type label of an email, phone, address or link: Apple's grouped X-ABLabel, else
    its TYPE values ("work", "cell", "home,fax"), lower-case, in the card's order."""
    custom = group.get("X-ABLABEL")
    if custom is not None and _label(unescape(custom.value)):
        return _label(unescape(custom.value))
    types = [t.strip().lower() for t in prop.params.get("TYPE", [])]
    return ",".join(dict.fromkeys(t for t in types if t and t not in _NOT_LABELS))


def _preferred_first(props: list[Prop]) -> list[Prop]:
    """vCard 4 PREF=1 and 3.0/2.1 TYPE=pref first; otherwise file order."""

    def rank(prop: Prop) -> int:
        pref = prop.param("PREF")
        if pref and pref.isdigit():
            return int(pref)
        return 0 if prop.has_type("pref") else 101

    return sorted(props, key=rank)


def _name_from_n(props: list[Prop]) -> str:
    for prop in props:
        parts = split_value(prop.value, ";") + [""] * 5
        family, given, additional, prefix, suffix = parts[:5]
        text = " ".join(p.strip() for p in (prefix, given, additional, family, suffix) if p.strip())
        if text:
            return text
    return ""


def _date_of(prop: Prop) -> PartialDate | None:
    value = unescape(prop.value).strip()
    found = read_date(value)
    if found is not None and prop.param("X-APPLE-OMIT-YEAR"):
        return PartialDate(found.month, found.day, None)
    return found


def _read_bday(record: ContactRecord, prop: Prop) -> None:
    text = unescape(prop.value).strip()
    if not text:
        return
    if (prop.param("VALUE") or "").lower() == "text":
        record.notes.append(NoteData(f"Birthday: {text}"))
        return
    try:
        record.birthday = _date_of(prop)
    except DateNotUnderstood:
        record.notes.append(NoteData(f"Birthday: {text}"))


def _read_anniversary(record: ContactRecord, label: str, prop: Prop) -> None:
    text = unescape(prop.value).strip()
    if not text:
        return
    try:
        when = None if (prop.param("VALUE") or "").lower() == "text" else _date_of(prop)
    except DateNotUnderstood:
        when = None
    if when is None:
        record.notes.append(NoteData(f"{label.capitalize()}: {text}"))
    else:
        record.add_anniversary(label, when)


def _note(body: str, prop: Prop) -> NoteData:
    on: date | None = None
    channel: Channel | None = None
    stamp = prop.param("X-TINYCRM-DATE")
    if stamp:
        try:
            on = date.fromisoformat(stamp)
        except ValueError:
            on = None
    kind = prop.param("X-TINYCRM-CHANNEL")
    if kind:
        try:
            channel = Channel(kind.lower())
        except ValueError:
            channel = None
    return NoteData(body, on, channel)


def _read_crm_fields(record: ContactRecord, by_name: dict[str, list[Prop]]) -> list[str]:
    """Fill the CRM fields from X-TINYCRM-* properties; the problems with their values."""

    def value(name: str) -> str:
        props = by_name.get(name, [])
        return unescape(props[0].value).strip() if props else ""

    problems = []
    readers: list[tuple[str, Callable[[str], None]]] = [
        ("X-TINYCRM-TYPE", lambda v: setattr(record, "relationship_type",
                                             validation.relationship_type(v))),
        ("X-TINYCRM-STAGE", lambda v: setattr(record, "stage", validation.stage(v))),
        ("X-TINYCRM-CADENCE", lambda v: setattr(record, "cadence_override",
                                                validation.cadence(v))),
        ("X-TINYCRM-LAST-INTERACTION", lambda v: setattr(record, "last_touch_on",
                                                         date.fromisoformat(v))),
    ]  # fmt: skip
    for name, read in readers:
        text = value(name)
        if not text:
            continue
        try:
            read(text)
        except (UsageError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, UsageError) else f"not a date: {text!r}"
            problems.append(f"{name}: {reason}")
    record.owner = value("X-TINYCRM-OWNER") or None
    record.archived = value("X-TINYCRM-ARCHIVED").lower() in ("1", "true", "yes")
    return problems


def as_utf8(data: bytes) -> tuple[bytes, str]:
    """A vCard file's bytes with a UTF-8 BOM taken off and UTF-16 (with or without BOM)
    re-encoded as UTF-8, and what the file was ("vCard" or "vCard (UTF-16)")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "vCard"
    utf16 = utf16_codec(data)
    if utf16 is None:
        return data, "vCard"
    try:
        return data.decode(utf16).encode("utf-8"), "vCard (UTF-16)"
    except UnicodeDecodeError:
        raise UsageError("the file looks like UTF-16 but is not valid UTF-16") from None
