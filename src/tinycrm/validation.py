"""Reading user-supplied values into domain values, with one clear error each."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TypeVar

from tinycrm.dates import PartialDate, parse_birthday
from tinycrm.errors import UsageError
from tinycrm.vocabulary import CHANNEL_SYNONYMS, Channel, RelationshipType, Stage

E = TypeVar("E", bound=StrEnum)

# As text: `re` compiles them on first use (start-up time: the queue imports this module).
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Digits and separators, vanity letters (+1-800-MYFAX), pause and wait (`,` `;` `p` `w`),
# `*` and `#`, an extension (x12, ext. 12): at least one digit.
_PHONE = r"^[+()\d][\w\s().\-/,;#*]*$"


# SQLite's INTEGER (and so every row id) is a signed 64-bit number.
MAX_ROW_ID = 2**63 - 1


def happened_on(on: date, today: date, what: str) -> date:
    """The day something already happened (a note, a sale, a score, a case event): never
    after today, which `--as-of` may move (a typo'd year would drive the queue for a year)."""
    if on > today:
        raise UsageError(
            f"{what} {on} is in the future (today is {today}); use --as-of DATE to record it"
            " as of a later day"
        )
    return on


def row_id(text: str) -> int | None:
    """`text` as a row id if it is one: ASCII digits only (`str.isdigit` also accepts '²',
    which `int` rejects) and small enough for SQLite; otherwise None."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ROW_ID else None


def choice(enum: type[E], value: str, what: str) -> E:
    """Read an enumerated value; the error lists the allowed ones."""
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise UsageError(f"unknown {what} {value!r} (one of: {allowed})") from None


def relationship_type(value: str) -> RelationshipType:
    return choice(RelationshipType, value, "relationship type")


def stage(value: str) -> Stage:
    return choice(Stage, value, "lifecycle stage")


def channel(value: str) -> Channel:
    synonym = CHANNEL_SYNONYMS.get(" ".join(value.lower().split()))
    return synonym or choice(Channel, value, "channel")


def email(value: str) -> str:
    text = value.strip()
    if not re.match(_EMAIL, text):
        raise UsageError(f"not an email address: {value!r}")
    return text


def phone(value: str) -> str:
    text = value.strip()
    if not re.match(_PHONE, text, re.IGNORECASE) or not re.search(r"\d", text):
        raise UsageError(f"not a phone number: {value!r}")
    return text


def name(value: str) -> str:
    text = value.strip()
    if not text:
        raise UsageError("a contact needs a name")
    if len(text) > 500:
        raise UsageError("a name can be at most 500 characters")
    return text


def company_name(value: str) -> str:
    """A company's name as typed, outer spaces off; "" when blank (no company)."""
    text = value.strip()
    if len(text) > 200:
        raise UsageError("a company name can be at most 200 characters")
    return text


def cadence(value: str) -> int:
    """Days between check-ins, or 'none' (stored as 0) to switch them off."""
    text = value.strip().lower()
    if text in ("none", "never", "off", "0"):
        return 0
    text = text.removesuffix("d").removesuffix(" days").strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 3650:
        raise UsageError(f"cadence must be a number of days (1-3650) or 'none', not {value!r}")
    return int(text)


def birthday(value: str, *, day_first: bool = True) -> PartialDate:
    """A typed birthday, read like every other date option (`14 mar 1980`, `14/03`)."""
    return parse_birthday(value, day_first=day_first)


def anniversary(value: str, *, day_first: bool = True) -> tuple[str, PartialDate]:
    """'LABEL=DATE', e.g. 'customer since=2019-05-01' or 'wedding=21 jun': the label and the
    date (the caller makes the contact's record)."""
    label, sep, when = value.rpartition("=")
    if not sep or not label.strip():
        raise UsageError(f"an anniversary is LABEL=DATE (e.g. 'wedding=2015-06-21'), not {value!r}")
    return label.strip(), parse_birthday(when, day_first=day_first)


def tag(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise UsageError("a tag cannot be empty")
    return text
