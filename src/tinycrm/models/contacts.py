"""Contacts: a customer or prospect, their anniversaries and lifecycle stage history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tinycrm.dates import PartialDate
from tinycrm.vocabulary import DEFAULT_CADENCE, RelationshipType, Stage


@dataclass(frozen=True, slots=True)
class Anniversary:
    label: str
    when: PartialDate
    id: int | None = None


@dataclass(frozen=True, slots=True)
class PersonName:
    """The structured name (vCard N) as a card gave it; never made by splitting the full name."""

    family: str = ""
    given: str = ""
    additional: str = ""
    prefix: str = ""
    suffix: str = ""

    def parts(self) -> list[str]:
        return [self.family, self.given, self.additional, self.prefix, self.suffix]


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A postal address in the parts a vCard ADR has, with its type label (work, home…)."""

    label: str = ""
    po_box: str = ""
    extended: str = ""
    street: str = ""
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def parts(self) -> list[str]:
        return [self.po_box, self.extended, self.street, self.locality, self.region,
                self.postal_code, self.country]  # fmt: skip

    @property
    def text(self) -> str:
        """The address on one line, as `contact.address` holds the main one."""
        filled = [part.strip() for part in self.parts() if part.strip()]
        if len(filled) == 1:  # as typed, line breaks and all
            return filled[0]
        return ", ".join(part.replace("\n", ", ") for part in filled)

    @classmethod
    def from_text(cls, text: str, label: str = "") -> PostalAddress:
        return cls(label=label, street=text)


@dataclass(frozen=True, slots=True)
class Labelled:
    """A value with its type label: a web page, a messaging handle, a related person."""

    value: str
    label: str = ""


@dataclass(slots=True)
class Contact:
    """A customer or prospect, person or company (mutable: imports and merges build it up)."""

    name: str
    id: int | None = None
    company: str | None = None  # the company's name (companies.name), read with the contact
    role: str | None = None  # at the company: buyer, decision maker, accounts payable, user, ...
    referred_by: int | None = None  # the contact who brought this one
    referrer: str | None = None  # that contact's name, read with the contact
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address: str | None = None
    birthday: PartialDate | None = None
    anniversaries: list[Anniversary] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    relationship_type: RelationshipType | None = None
    stage: Stage | None = None
    cadence_override: int | None = None  # days; 0 means "never check in"
    owner: str | None = None  # the owner's name, read with the contact (owner_id is written)
    owner_id: int | None = None  # the user who owns this customer; None: unowned
    archived: bool = False
    last_touch_on: date | None = None
    touch_anchor_on: date | None = None  # keep-in-touch clock start if never touched
    version: int = 0  # raised by every saved change; 0: not stored yet
    company_id: int | None = None
    kind: str | None = None  # vCard KIND: "org" for an organisation; None for a person
    name_parts: PersonName | None = None
    nickname: str | None = None
    job_title: str | None = None
    gender: str | None = None  # vCard GENDER: sex (M, F, O, N, U) and identity, "F" or "O;…"
    email_labels: dict[str, str] = field(default_factory=dict)  # email → "work", "home"…
    phone_labels: dict[str, str] = field(default_factory=dict)  # phone → "cell", "work,fax"…
    addresses: list[PostalAddress] = field(default_factory=list)  # see postal_addresses
    urls: list[Labelled] = field(default_factory=list)
    ims: list[Labelled] = field(default_factory=list)  # URIs: xmpp:…, skype:…, sip:…
    related: list[Labelled] = field(default_factory=list)  # label: spouse, child, assistant…

    @property
    def cadence_days(self) -> int | None:
        """The keep-in-touch interval in force: the override, else the type's default."""
        if self.cadence_override is not None:
            return self.cadence_override or None
        if self.relationship_type is None:
            return None
        return DEFAULT_CADENCE.get(self.relationship_type)

    def postal_addresses(self) -> list[PostalAddress]:
        """Every postal address, the main one first. `address` is the main one as typed and
        edited; the structured first address stands for it while its text is the same."""
        rest = self.addresses[1:]
        if self.addresses and self.addresses[0].text == (self.address or ""):
            return list(self.addresses)
        if not self.address:
            return rest
        label = self.addresses[0].label if self.addresses else ""
        return [PostalAddress.from_text(self.address, label), *rest]


@dataclass(frozen=True, slots=True)
class StageChange:
    stage: Stage
    changed_on: date
