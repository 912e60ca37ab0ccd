"""Adding and editing a contact."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from functools import partial

from tinycrm.errors import CrmError, Stale
from tinycrm.models.contacts import Contact
from tinycrm.services.contacts import (
    ContactFields,
    LookAlike,
    add_contact,
    apply_fields,
    contact_changes,
    edit_contact,
    get_contact,
    look_alikes,
    referrer_for,
)
from tinycrm.services.history import last_changed_by
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FieldErrors, FormScreen, Values, collect
from tinycrm.vocabulary import RelationshipType, Stage


def _split(text: str, sep: str = ",") -> list[str]:
    return [part.strip() for part in text.split(sep) if part.strip()]


def to_fields(values: Values, day_first: bool = True) -> ContactFields:
    """What was typed, as the service's raw ContactFields (lists split on commas)."""
    return ContactFields(
        name=values["name"],
        emails=_split(values["emails"]),
        phones=_split(values["phones"]),
        company=values["company"],
        address=values["address"],
        birthday=values["birthday"],
        anniversaries=_split(values["anniversaries"], ";"),
        tags=_split(values["tags"]),
        relationship_type=values["type"],
        stage=values["stage"],
        cadence=values["cadence"],
        owner=values["owner"],
        referred_by=values["referred_by"],
        day_first=day_first,
    )


_FIELD_FOR = {
    "name": "name",
    "emails": "emails",
    "phones": "phones",
    "company": "company",
    "address": "address",
    "birthday": "birthday",
    "anniversaries": "anniversaries",
    "tags": "tags",
    "type": "relationship_type",
    "stage": "stage",
    "cadence": "cadence",
    "owner": "owner",
}


def check(values: Values, day_first: bool = True) -> None:
    """Each field through the service's own `apply_fields`, so every message is the CLI's."""
    raw = to_fields(values, day_first)
    names = {f.name for f in dataclass_fields(ContactFields)}

    def one(attr: str) -> object:
        assert attr in names
        only = ContactFields(**{attr: getattr(raw, attr)}, day_first=day_first)
        return apply_fields(Contact(name="-"), only)

    collect({key: partial(one, attr) for key, attr in _FIELD_FOR.items()})


def _form_fields(contact: Contact | None) -> list[Field]:
    c = contact
    types = tuple((t.value, t.value) for t in RelationshipType)
    stages = tuple((s.value, s.value) for s in Stage)
    cadence = ""
    if c is not None and c.cadence_override is not None:
        cadence = "none" if c.cadence_override == 0 else str(c.cadence_override)
    return [
        Field("name", "Name", c.name if c else "", "Ana Souza"),
        Field("emails", "Emails (comma-separated)", ", ".join(c.emails) if c else ""),
        Field("phones", "Phones (comma-separated)", ", ".join(c.phones) if c else ""),
        Field("company", "Company", (c.company or "") if c else ""),
        Field("address", "Address", (c.address or "") if c else ""),
        Field(
            "birthday",
            "Birthday",
            c.birthday.iso() if c and c.birthday else "",
            "14 mar 1980, 1980-03-14, or 14 mar",
        ),
        Field(
            "anniversaries",
            "Anniversaries (LABEL=DATE; …)",
            "; ".join(f"{a.label}={a.when.iso()}" for a in c.anniversaries) if c else "",
            "customer since=2019-05-01; wedding=21 jun",
        ),
        Field("tags", "Tags (comma-separated)", ", ".join(c.tags) if c else ""),
        Field(
            "type",
            "Relationship type",
            c.relationship_type.value if c and c.relationship_type else "",
            options=types,
        ),
        Field("stage", "Lifecycle stage", c.stage.value if c and c.stage else "", options=stages),
        Field("cadence", "Keep-in-touch cadence (days, none, or empty for the default)", cadence),
        Field("owner", "Owner", (c.owner or "") if c else ""),
        Field(
            "referred_by",
            "Referred by (a contact's id, name or email; empty: nobody)",
            (c.referrer or "") if c else "",
        ),
    ]


class ContactForm(FormScreen[int]):
    """Add a contact, or edit `contact`; dismisses with the contact's id."""

    def __init__(self, contact: Contact | None = None) -> None:
        self.contact = contact
        title = "Edit contact" if contact else "New contact"
        super().__init__(title, _form_fields(contact), self.save, check=self.check_values)

    def referred_by(self, values: Values) -> str | None:
        """The typed referrer; None when an edit left the shown one as it was."""
        typed = values["referred_by"].strip()
        kept = self.contact is not None and typed == (self.contact.referrer or "")
        return None if kept else typed

    def check_values(self, values: Values) -> None:
        """The fields as `check` reads them, and the referrer as `crm contacts edit` does."""
        errors: dict[str, str] = {}
        try:
            check(values, crm(self).day_first)
        except FieldErrors as exc:
            errors.update(exc.errors)
        contact = self.contact or Contact(name=values["name"])
        try:
            referrer_for(crm(self).store, contact, self.referred_by(values))
        except CrmError as exc:
            errors["referred_by"] = str(exc)
        if errors:
            raise FieldErrors(errors)

    def show_changes(self) -> None:
        if self.contact is None:
            return
        try:
            current = get_contact(crm(self).store, self.contact.id or 0)
        except CrmError as exc:  # forgotten meanwhile
            self.show_notice(str(exc))
            return
        if current.version != self.contact.version:
            changes = "; ".join(contact_changes(self.contact, current)) or "saved it"
            by = last_changed_by(crm(self).store, "contact", current.id or 0)
            self.show_notice(
                f"{current.name} was changed {by} since you opened this form:"
                f" {changes}. Saving will show you their change first."
            )

    async def save(self, values: Values) -> int:
        raw = to_fields(values, crm(self).day_first)
        raw.referred_by = self.referred_by(values)
        today = crm(self).today
        editing = self.contact
        if editing is None and not (raw.relationship_type or "").strip():
            raw.relationship_type = crm(self).settings.default_type  # as `crm contacts add`

        def change(store: Store) -> tuple[int, list[LookAlike]]:
            if editing is None:
                contact = add_contact(store, raw, today)
                return contact.id or 0, look_alikes(store, contact)
            return edit_contact(store, str(editing.id), raw, today, loaded=editing).id or 0, []

        try:
            contact_id, twins = await crm(self).write(change)
        except Stale as exc:
            assert editing is not None
            self.contact = get_contact(crm(self).store, editing.id or 0)
            self.rebase(_form_fields(self.contact))
            raise Stale(
                f"{exc} The form now shows their change where you had typed nothing: save again"
                " to keep what you typed, or Esc to leave it."
            ) from exc
        for twin in twins:  # as `crm contacts add` warns
            crm(self).notify(str(twin), title="Same email or phone", severity="warning")
        return contact_id
