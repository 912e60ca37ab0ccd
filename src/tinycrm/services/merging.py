"""Merging two contacts into one, and forgetting a contact for good."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal, NamedTuple

from tinycrm.errors import UsageError
from tinycrm.models.contacts import Contact
from tinycrm.models.history import Change
from tinycrm.services import history, identity
from tinycrm.services.contacts import (
    get_contact,
    record_contact_changes,
    referral_circle,
    resolve_ref,
    take_card_lists,
    without_repeats,
)
from tinycrm.services.referrals import forget_in_thanks
from tinycrm.store import Store
from tinycrm.store.contacts import digits_of

Side = Literal["first", "second"]
# Single-valued fields that can conflict, with how a person reads them.
SINGLE_FIELDS = {
    "name": "name",
    "company": "company",
    "address": "address",
    "birthday": "birthday",
    "relationship_type": "relationship type",
    "stage": "stage",
    "cadence_override": "cadence",
    "owner": "owner",
    "nickname": "nickname",
    "job_title": "job title",
    "gender": "gender",
}
FIELD_ALIASES = {
    "name": "name", "company": "company", "address": "address", "birthday": "birthday",
    "type": "relationship_type", "relationship": "relationship_type",
    "relationship_type": "relationship_type", "stage": "stage", "cadence": "cadence_override",
    "owner": "owner", "nickname": "nickname", "job_title": "job_title", "title": "job_title",
    "gender": "gender",
}  # fmt: skip


@dataclass(frozen=True)
class Conflict:
    field: str
    label: str
    first: str
    second: str


def shown(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "iso"):
        return str(value.iso())
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def pair(store: Store, first_ref: str, second_ref: str) -> tuple[Contact, Contact]:
    first = resolve_ref(store, first_ref)
    second = resolve_ref(store, second_ref)
    if first.id == second.id:
        raise UsageError(f"both references name the same contact ({first.name}, id {first.id})")
    return first, second


def conflicts(first: Contact, second: Contact) -> list[Conflict]:
    """Single fields both contacts have, with different values."""
    found = []
    for name, label in SINGLE_FIELDS.items():
        a, b = getattr(first, name), getattr(second, name)
        if a is not None and b is not None and shown(a) != shown(b):
            found.append(Conflict(name, label, shown(a), shown(b)))
    return found


def parse_choices(items: list[str]) -> dict[str, Side]:
    """`--use FIELD=first|second` options."""
    choices: dict[str, Side] = {}
    for item in items:
        key, sep, side = item.partition("=")
        field = FIELD_ALIASES.get(key.strip().lower().replace("-", "_"))
        if not sep or field is None or side.strip().lower() not in ("first", "second"):
            raise UsageError(
                f"--use takes FIELD=first|second with FIELD one of"
                f" {', '.join(sorted(set(FIELD_ALIASES)))}, not {item!r}"
            )
        choices[field] = "first" if side.strip().lower() == "first" else "second"
    return choices


def merge_contacts(
    store: Store,
    first_ref: str,
    second_ref: str,
    choices: dict[str, Side],
    today: date,
    keep: Side | None = None,
) -> Contact:
    """Fold the second contact into the first (which keeps its id) in one transaction.

    Emails, phones, tags, anniversaries, notes, follow-ups, sales, scores, cases, stage
    history and occurrence marks are united; the people the second referred are the first's
    now, and the first keeps its referrer (else takes the second's); each conflicting single
    field takes the side in `choices`, else `keep`; an unresolved conflict is a usage error
    that lists it."""
    with store.write():
        first, second = pair(store, first_ref, second_ref)
        open_conflicts = [c for c in conflicts(first, second) if c.field not in choices]
        if open_conflicts and keep is None:
            listed = "; ".join(f"{c.label}: {c.first!r} or {c.second!r}" for c in open_conflicts)
            raise UsageError(
                f"the contacts differ in {listed}; choose with --keep first|second"
                " or --use FIELD=first|second"
            )
        merged = _merged_fields(first, second, choices, keep)
        assert first.id is not None and second.id is not None
        store.transfer.move_rows(first.id, second.id)
        store.history.move(first.id, second.id)
        store.referrals.repoint(second.id, first.id)
        merged.referred_by = _merged_referrer(store, first, second)
        store.transfer.erase(second.id, rebuild_index=False)
        merged.anniversaries = store.contacts.anniversaries(first.id)
        store.contacts.update(merged)
        if merged.stage is not None and merged.stage != first.stage:
            store.contacts.add_stage_change(first.id, merged.stage, today)
        merged_in = f"{second.name} (id {second.id})"
        merge = Change("contact", first.id, first.id, history.MERGED, new=merged_in)
        history.record(store, [merge])
        record_contact_changes(store, first, get_contact(store, first.id))
    return get_contact(store, first.id)


def _merged_fields(
    first: Contact, second: Contact, choices: dict[str, Side], keep: Side | None
) -> Contact:
    """The first contact with the second's fields folded in: a single field the second has
    and the first lacks, or that `choices` (else `keep`) gives the second; lists united
    without repeats; archived only if both are; the later last interaction."""
    merged = replace(first)
    for name in SINGLE_FIELDS:
        a, b = getattr(first, name), getattr(second, name)
        side = choices.get(name, keep or "first")
        if a is None or (b is not None and side == "second"):
            setattr(merged, name, b)
    if merged.owner != first.owner:  # the name shown; the id is what is written
        merged.owner_id = second.owner_id
    merged.emails = without_repeats([*first.emails, *second.emails], str.lower)
    merged.phones = without_repeats([*first.phones, *second.phones], digits_of)
    merged.tags = without_repeats([*first.tags, *second.tags], str.lower)
    merged.kind = first.kind or second.kind
    merged.name_parts = first.name_parts or second.name_parts
    both = replace(second, addresses=second.postal_addresses())
    take_card_lists(both, replace(first, addresses=first.postal_addresses()))
    for name in ("email_labels", "phone_labels", "addresses", "urls", "ims", "related"):
        setattr(merged, name, getattr(both, name))
    merged.archived = first.archived and second.archived
    touches = [d for d in (first.last_touch_on, second.last_touch_on) if d]
    merged.last_touch_on = max(touches) if touches else None
    return merged


def _merged_referrer(store: Store, first: Contact, second: Contact) -> int | None:
    """Who referred the merged contact: the first's referrer, else the second's; never one of
    the two, nor one the merged contact referred (directly or not): no circle."""
    for candidate in (first.referred_by, second.referred_by):
        if candidate is None or candidate in (first.id, second.id):
            continue
        if not referral_circle(store, first.id or 0, candidate):
            return candidate
    return None


class Forgotten(NamedTuple):
    contact: Contact
    mentions: int  # notes of other contacts that named the person (by name or e-mail)
    redacted: bool  # whether those mentions were replaced by REDACTED
    residue: str | None  # what still holds the erased text, if anything (store.transfer.scrub)


REDACTED = "[forgotten]"


def _terms(contact: Contact) -> list[str]:
    """What names the person in other records: their name and e-mail addresses."""
    return sorted({contact.name.strip(), *contact.emails} - {""}, key=len, reverse=True)


def _mention(terms: list[str]) -> re.Pattern[str]:
    """A term as a whole word, any case."""
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + r")(?!\w)", re.IGNORECASE
    )


def mentions(store: Store, contact: Contact) -> dict[int, str]:
    """The notes of other contacts that name `contact` (its name or an e-mail address, as a
    whole word, any case), each with its text once the mentions are replaced by REDACTED."""
    assert contact.id is not None
    terms = _terms(contact)
    if not terms:
        return {}
    pattern = _mention(terms)
    found: dict[int, str] = {}
    for note_id, body in store.notes.bodies_not_about(contact.id):
        redacted = pattern.sub(REDACTED, body)
        if redacted != body:
            found[note_id] = redacted
    return found


def _redact_history(store: Store, contact: Contact) -> None:
    """The mentions in other records' history (a note's text, a referrer's name) replaced too,
    as in the notes themselves."""
    terms = _terms(contact)
    if not terms:
        return
    pattern = _mention(terms)
    for row_id, old, new in store.history.mentioning(terms):
        redacted = [pattern.sub(REDACTED, text) if text else text for text in (old, new)]
        if redacted != [old, new]:
            store.history.set_texts(row_id, *redacted)


def forget_contact(store: Store, ref: str, *, redact_mentions: bool = False) -> Forgotten:
    """Erase a contact and every row about it, and (`redact_mentions`) its name and e-mail
    addresses in other contacts' notes, in one transaction; then scrub the database files so
    the erased text cannot be read from them (secure_delete, FTS rebuild, checkpoint, VACUUM).
    In a CRM with a team, only an admin may."""
    with store.write():
        identity.require_admin(store, "forgetting a contact")
        contact = resolve_ref(store, ref)
        assert contact.id is not None
        named = mentions(store, contact)
        store.referrals.repoint(contact.id, None)  # the people they referred stay
        forget_in_thanks(store, contact.id, REDACTED)
        if redact_mentions:
            for note_id, body in named.items():
                store.notes.set_body(note_id, body)
            _redact_history(store, contact)
        store.transfer.erase(contact.id)  # after the notes: it rebuilds the search index
        # Privacy first: the person's history went with them; only that someone forgot a
        # contact stays (docs/decisions.md, "History").
        history.record(store, [Change("contact", None, None, history.FORGOTTEN)])
    return Forgotten(contact, len(named), redact_mentions, store.transfer.scrub())
