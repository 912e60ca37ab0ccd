"""Contacts as vCards: 4.0 (the default), or 3.0 as Apple Contacts reads it (`--apple`).

Standard type labels (work, home, cell, fax…) are TYPE parameters; any other label is a
grouped X-ABLabel (`item1.TEL:…` and `item1.X-ABLabel:Sommerhaus`), which Apple Contacts,
khard and tinycrm read back. The structured name (N) is written only as it was given: it is
never made by splitting the full name ("Mustermann, Heiko", "Bike Shop", CJK names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tinycrm.dates import PartialDate
from tinycrm.models.contacts import Contact
from tinycrm.models.notes import Note

# TYPE values of RFC 6350 and 2426, and the few every address book writes (other, main).
STANDARD_TYPES = {
    "work", "home", "text", "voice", "fax", "cell", "video", "pager", "textphone", "msg",
    "bbs", "modem", "car", "isdn", "pcs", "main", "other", "iphone", "dom", "intl", "postal",
    "parcel", "contact", "acquaintance", "friend", "met", "co-worker", "colleague",
    "co-resident", "neighbor", "child", "parent", "sibling", "spouse", "kin", "muse",
    "crush", "date", "sweetheart", "me", "agent", "emergency",
}  # fmt: skip
# Apple's built-in labels (`_$!<Spouse>!$_`), which it shows translated.
APPLE_LABELS = {
    "anniversary": "Anniversary", "other": "Other", "spouse": "Spouse", "child": "Child",
    "parent": "Parent", "mother": "Mother", "father": "Father", "sibling": "Sibling",
    "brother": "Brother", "sister": "Sister", "friend": "Friend", "partner": "Partner",
    "assistant": "Assistant", "manager": "Manager", "homepage": "HomePage",
}  # fmt: skip
# The messaging services Apple Contacts names, by the scheme of the handle's URI.
APPLE_IM_SERVICES = {
    "xmpp": "Jabber", "skype": "Skype", "aim": "AIM", "icq": "ICQ", "msnim": "MSN",
    "ymsgr": "Yahoo", "gg": "GaduGadu", "qq": "QQ", "facebook": "Facebook",
}  # fmt: skip
APPLE_NO_YEAR = 1604  # the year Apple Contacts writes for a date without one
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


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


def _date(when: PartialDate) -> str:
    if when.year is None:
        return f"--{when.month:02d}{when.day:02d}"
    return f"{when.year:04d}{when.month:02d}{when.day:02d}"


def _apple_date(name: str, when: PartialDate) -> str:
    """Apple's form: ISO with dashes, a year-less date in the year 1604, flagged as such."""
    day = f"{when.month:02d}-{when.day:02d}"
    if when.year is None:
        return f"{name};X-APPLE-OMIT-YEAR={APPLE_NO_YEAR}:{APPLE_NO_YEAR}-{day}"
    return f"{name}:{when.year:04d}-{day}"


@dataclass
class _Lines:
    """A card's content lines; labels that are not standard types become X-ABLabel groups."""

    apple: bool
    lines: list[str] = field(default_factory=list)
    groups: int = 0

    def add(self, line: str) -> None:
        self.lines.append(line)

    def labelled(self, name: str, label: str, value: str, params: str = "") -> None:
        types = [t.strip() for t in label.split(",") if t.strip()]
        if all(t.lower() in STANDARD_TYPES for t in types):
            if self.apple:
                params = "".join(f";type={t.upper()}" for t in types) + params
            elif types:
                params = ";TYPE=" + ",".join(t.lower() for t in types) + params
            self.add(f"{name}{params}:{value}")
            return
        self.grouped(f"{name}{params}:{value}", label)

    def grouped(self, line: str, label: str) -> None:
        self.groups += 1
        self.add(f"item{self.groups}.{line}")
        self.add(f"item{self.groups}.X-ABLabel:{_apple_label(label)}")

    def text(self) -> str:
        return "".join(_fold(line) + "\r\n" for line in self.lines)


def _apple_label(label: str) -> str:
    builtin = APPLE_LABELS.get(label.lower())
    return f"_$!<{builtin}>!$_" if builtin else _escape(label)


def contact_to_vcard(contact: Contact, notes: list[Note], uid: str) -> str:
    """One vCard 4.0 with every field; CRM fields as X-TINYCRM-* properties.

    The anniversary labelled "anniversary" is the standard ANNIVERSARY; other labelled dates
    are grouped X-ABDATE/X-ABLabel pairs (Apple Contacts shows them as custom dates, and
    tinycrm reads them back with their labels)."""
    card = _Lines(apple=False)
    card.add("BEGIN:VCARD")
    card.add("VERSION:4.0")
    card.add(f"UID:{_escape(uid)}")
    card.add(f"FN:{_escape(contact.name)}")
    if contact.kind:
        card.add(f"KIND:{contact.kind}")
    if contact.name_parts:
        card.add("N:" + ";".join(_escape(part) for part in contact.name_parts.parts()))
    if contact.gender:
        sex, _, identity = contact.gender.partition(";")
        card.add(f"GENDER:{sex}" + (f";{_escape(identity)}" if identity else ""))
    if contact.birthday:
        card.add(f"BDAY:{_date(contact.birthday)}")
    for item in contact.anniversaries:
        if item.label.lower() == "anniversary":
            card.add(f"ANNIVERSARY:{_date(item.when)}")
        else:
            card.grouped(f"X-ABDATE:{_date(item.when)}", item.label)
    _common(card, contact, pref=lambda n: f";PREF={n}")
    for link in contact.related:
        value = "" if _SCHEME.match(link.value) else ";VALUE=text"
        card.labelled("RELATED", link.label, _escape(link.value), value)
    _crm_fields(card, contact, notes)
    card.add("END:VCARD")
    return card.text()


def contact_to_apple_vcard(contact: Contact, notes: list[Note], uid: str) -> str:
    """One vCard 3.0 as Apple Contacts writes and reads it: N always (the full name as the
    given name when no structured name was given), X-ABShowAs:COMPANY for an organisation,
    dates as X-ABDATE with Apple's labels, the year 1604 for a date without a year, related
    people as X-ABRELATEDNAMES. Gender has no 3.0 property and is left out."""
    card = _Lines(apple=True)
    card.add("BEGIN:VCARD")
    card.add("VERSION:3.0")
    card.add(f"UID:{_escape(uid)}")
    card.add(f"FN:{_escape(contact.name)}")
    if contact.name_parts:
        card.add("N:" + ";".join(_escape(part) for part in contact.name_parts.parts()))
    elif contact.kind == "org":
        card.add("N:;;;;")
    else:
        card.add(f"N:;{_escape(contact.name)};;;")
    if contact.kind == "org":
        card.add("X-ABShowAs:COMPANY")
        if not contact.company:
            card.add(f"ORG:{_escape(contact.name)}")
    if contact.birthday:
        card.add(_apple_date("BDAY", contact.birthday))
    for item in contact.anniversaries:
        card.grouped(_apple_date("X-ABDATE", item.when), item.label)
    _common(card, contact, pref=lambda n: ";type=pref" if n == 1 else "")
    for link in contact.related:
        card.grouped(f"X-ABRELATEDNAMES:{_escape(link.value)}", link.label or "other")
    _crm_fields(card, contact, notes)
    card.add("END:VCARD")
    return card.text()


def _common(card: _Lines, contact: Contact, pref: Callable[[int], str]) -> None:
    """What vCard 3.0 and 4.0 write alike: names, organisation, emails, phones, addresses,
    web pages, messaging handles, categories."""
    if contact.nickname:
        card.add(f"NICKNAME:{_escape(contact.nickname)}")
    if contact.company:
        card.add(f"ORG:{_escape(contact.company)}")
    if contact.company and contact.role:
        card.add(f"ROLE:{_escape(contact.role)}")
    if contact.job_title:
        card.add(f"TITLE:{_escape(contact.job_title)}")
    email_type = ";type=INTERNET" if card.apple else ""
    for number, email in enumerate(contact.emails, start=1):
        label = contact.email_labels.get(email, "")
        card.labelled("EMAIL", label, _escape(email), email_type + pref(number))
    phone_value = "" if card.apple else ";VALUE=text"
    for number, phone in enumerate(contact.phones, start=1):
        label = contact.phone_labels.get(phone, "")
        card.labelled("TEL", label, _escape(phone), pref(number) + phone_value)
    for number, address in enumerate(contact.postal_addresses(), start=1):
        value = ";".join(_escape(part) for part in address.parts())
        card.labelled("ADR", address.label, value, pref(number))
    for number, link in enumerate(contact.urls, start=1):
        card.labelled("URL", link.label, _escape(link.value), pref(number))
    for number, link in enumerate(contact.ims, start=1):
        scheme = link.value.partition(":")[0].lower()
        service = APPLE_IM_SERVICES.get(scheme) if card.apple else None
        params = (f";X-SERVICE-TYPE={service}" if service else "") + pref(number)
        card.labelled("IMPP", link.label, _escape(link.value), params)
    if contact.tags:
        card.add("CATEGORIES:" + ",".join(_escape(tag) for tag in contact.tags))


def _crm_fields(card: _Lines, contact: Contact, notes: list[Note]) -> None:
    for note in notes:
        params = f";X-TINYCRM-DATE={note.on.isoformat()}"
        if note.channel:
            params += f";X-TINYCRM-CHANNEL={note.channel.value}"
        card.add(f"NOTE{params}:{_escape(note.body)}")
    if contact.relationship_type:
        card.add(f"X-TINYCRM-TYPE:{contact.relationship_type.value}")
    if contact.stage:
        card.add(f"X-TINYCRM-STAGE:{contact.stage.value}")
    if contact.cadence_override is not None:
        cadence = str(contact.cadence_override) if contact.cadence_override else "none"
        card.add(f"X-TINYCRM-CADENCE:{cadence}")
    if contact.owner:
        card.add(f"X-TINYCRM-OWNER:{_escape(contact.owner)}")
    if contact.archived:
        card.add("X-TINYCRM-ARCHIVED:true")
    if contact.last_touch_on:
        card.add(f"X-TINYCRM-LAST-INTERACTION:{contact.last_touch_on.isoformat()}")
