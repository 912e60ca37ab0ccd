"""What an import file yields: a contact record to import, or a rejected card or row."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from tinycrm import validation
from tinycrm.dates import PartialDate, parse_partial_date
from tinycrm.errors import UsageError
from tinycrm.models.contacts import Anniversary, Labelled, PersonName, PostalAddress
from tinycrm.vocabulary import Channel, RelationshipType, Stage

# Google's built-in groups, not tags a person chose.
SYSTEM_LABELS = {
    "* mycontacts",
    "mycontacts",
    "* my contacts",
    "* starred",
    "starred",
    "* other contacts",
}


@dataclass(frozen=True)
class NoteData:
    body: str
    on: date | None = None
    channel: Channel | None = None

    def __post_init__(self) -> None:
        body = self.body.replace("\r\n", "\n").replace("\r", "\n").strip()
        object.__setattr__(self, "body", body)


@dataclass(slots=True)
class ContactRecord:
    """One contact read from a file; `where` says where ('card 3', 'line 12')."""

    where: str
    name: str
    company: str | None = None
    role: str | None = None  # at the company: buyer, decision maker… (vCard ROLE)
    address: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    birthday: PartialDate | None = None
    anniversaries: list[Anniversary] = field(default_factory=list)
    notes: list[NoteData] = field(default_factory=list)
    relationship_type: RelationshipType | None = None
    stage: Stage | None = None
    cadence_override: int | None = None
    owner: str | None = None
    archived: bool = False
    last_touch_on: date | None = None
    uid: str | None = None  # the card's UID: finds the contact it was exported from
    kind: str | None = None
    name_parts: PersonName | None = None
    nickname: str | None = None
    job_title: str | None = None
    gender: str | None = None
    email_labels: dict[str, str] = field(default_factory=dict)
    phone_labels: dict[str, str] = field(default_factory=dict)
    addresses: list[PostalAddress] = field(default_factory=list)
    urls: list[Labelled] = field(default_factory=list)
    ims: list[Labelled] = field(default_factory=list)
    related: list[Labelled] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # what was changed or left out, and why

    def add_email(self, value: str, label: str = "") -> None:
        try:
            email = validation.email(value)
        except UsageError:
            if value.strip():
                self.remarks.append(f"email {value.strip()!r} is not an email address: left out")
            return
        if not self.emails or email.lower() not in {e.lower() for e in self.emails}:
            self.emails.append(email)
            if label:
                self.email_labels[email] = label

    def add_phone(self, value: str, label: str = "") -> None:
        text = _from_tel_uri(value.strip())
        try:
            phone = validation.phone(text)
        except UsageError:
            if text:
                self.remarks.append(f"phone {text!r} is not a phone number: left out")
            return
        if phone not in self.phones:
            self.phones.append(phone)
            if label:
                self.phone_labels[phone] = label

    def add_address(self, address: PostalAddress) -> None:
        """A postal address; the first one is the main one unless `address` is set already
        (a CSV file's address column, as typed)."""
        if address.text and all(a.text != address.text for a in self.addresses):
            self.addresses.append(address)
            self.address = self.address or self.addresses[0].text

    def add_link(self, links: list[Labelled], value: str, label: str = "") -> None:
        """A web page, messaging handle or related person, once."""
        text = value.strip()
        if text and all(link.value.casefold() != text.casefold() for link in links):
            links.append(Labelled(text, label))

    def add_tag(self, value: str) -> None:
        text = " ".join(value.split())
        if text and (not self.tags or text.lower() not in {t.lower() for t in self.tags}):
            self.tags.append(text)

    def add_anniversary(self, label: str, when: PartialDate) -> None:
        label = " ".join(label.split()) or "anniversary"
        if all((a.label.lower(), a.when) != (label.lower(), when) for a in self.anniversaries):
            self.anniversaries.append(Anniversary(label, when))


def _from_tel_uri(value: str) -> str:
    """A `tel:` URI (RFC 3966) as the number a person types: `tel:+1-418-656-9254;ext=102`
    is `+1-418-656-9254 ext. 102`; other parameters are kept as written."""
    if value[:4].lower() != "tel:":
        return value
    number, *params = value[4:].split(";")
    text = number.strip()
    for param in params:
        key, _, setting = param.partition("=")
        text += f" ext. {setting}" if key.strip().lower() == "ext" else f";{param}"
    return text


@dataclass(frozen=True)
class Rejection:
    """A card or row that was not imported, and why."""

    where: str
    reason: str
    name: str | None = None


ParsedItem = ContactRecord | Rejection


def utf16_codec(data: bytes) -> str | None:
    """The UTF-16 codec for a file that is UTF-16 (a BOM, or a NUL in every other byte of
    its start, as in ASCII text written as UTF-16), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:512]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    if head[1::2].count(0) > pairs * 0.6 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if head[0::2].count(0) > pairs * 0.6 and head[1::2].count(0) == 0:
        return "utf-16-be"
    return None


NUL_MARK = "\u2400"  # ␀: a NUL is cut off or ends the text in many programs


def without_nul(text: str) -> str:
    """`text` with NUL characters replaced by a visible ␀."""
    return text.replace("\x00", NUL_MARK)


# vCard KIND values other than "individual", which a card without KIND is.
KINDS = {"org", "group", "location"}


def read_gender(text: str) -> str | None:
    """A gender as vCard 4 writes it (`F`, `O;non-binary`), from that or a word ("Female")."""
    value = text.strip()
    sex, _, identity = value.partition(";")
    if sex.upper() in ("M", "F", "O", "N", "U") and (len(sex) == 1):
        return ";".join([sex.upper(), identity.strip()]).rstrip(";")
    words = {"male": "M", "female": "F", "unspecified": None, "unknown": "U", "": None}
    if value.lower() in words:
        return words[value.lower()]
    return f"O;{value}"


class DateNotUnderstood(ValueError):
    pass


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})$")
_EMPTY_DATES = {"", "0/0/00", "0/0/0000", "00/00/0000", "0000-00-00"}


@lru_cache(maxsize=8192)  # files repeat dates a lot; PartialDate is immutable
def read_date(text: str, *, month_first: bool = False) -> PartialDate | None:
    """A date as import files write it: ISO, compact, year-less (`--MMDD`, `--MM-DD`), Apple's
    1604 and 0000 placeholders, date-times, and M/D/Y (Outlook) or D/M/Y. None when empty;
    DateNotUnderstood when it is text that is not a date (the caller keeps it as a note)."""
    value = text.strip()
    if value in _EMPTY_DATES:
        return None
    if "T" in value and value[:1].isdigit():
        value = value.split("T", 1)[0]
    try:
        return parse_partial_date(value)
    except UsageError:
        pass
    match = _SLASHED.match(value)
    if match:
        first, second, year_text = int(match[1]), int(match[2]), match[3]
        month, day = (first, second) if month_first else (second, first)
        year = int(year_text)
        if len(year_text) == 2:
            year = 0 if year == 0 else year + (1900 if year > date.today().year % 100 else 2000)
        try:
            return PartialDate(month, day, year or None)
        except UsageError:
            pass
    raise DateNotUnderstood(text)


def unformula(value: str) -> str:
    """Undo the spreadsheet-formula neutralising of `formula_safe`: one `'` comes off a cell
    that is quotes followed by a risky first character."""
    if value[:1] == "'" and _risky_start(value.lstrip("'")):
        return value[1:]
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _risky_start(text: str) -> bool:
    """Whether a spreadsheet may read `text` as a formula: look-alikes of the formula
    characters (full-width `＝`, small `﹢`, superscript `⁺`) count, compared after NFKC."""
    return bool(text) and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_STARTS


# Digits with separators (a phone number `+49 30 1234`, a year-less date `--02-03`): a
# spreadsheet may compute or misread such a cell, but it can call no function and read no
# other cell, so it is left as it is rather than prefixed with a `'` other programs keep.
_PLAIN_NUMBER = re.compile(r"[+\-]*[\d\s().,/:+\-]*\d[\d\s().,/:+\-]*")


def formula_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: risky first characters get a `'`
    unless the cell is a plain number or date. A value that already starts with `'` before
    one gets another, so that importing the file (which takes one off) gives it back."""
    stripped = value.lstrip("'")
    if not _risky_start(stripped) or (stripped == value and _PLAIN_NUMBER.fullmatch(value)):
        return value
    return "'" + value
