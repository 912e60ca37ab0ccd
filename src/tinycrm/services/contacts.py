"""Adding, finding, changing and archiving contacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from tinycrm import validation
from tinycrm.errors import Ambiguous, Conflict, NotFound, UsageError
from tinycrm.io.records import ContactRecord
from tinycrm.models.companies import Company
from tinycrm.models.contacts import Anniversary, Contact, Labelled
from tinycrm.models.users import User
from tinycrm.services import history, identity
from tinycrm.services.conflicts import check_loaded, now_reads
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter, RefCandidate


@dataclass
class ContactFields:
    """Raw values as a person typed them. None means "not given"; "" clears a single field."""

    name: str | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    company: str | None = None
    role: str | None = None  # at the company
    address: str | None = None
    birthday: str | None = None
    anniversaries: list[str] | None = None
    tags: list[str] | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    relationship_type: str | None = None
    stage: str | None = None
    cadence: str | None = None
    owner: str | None = None  # a user (services.identity.find_user); "" or "none" clears
    referred_by: str | None = None  # a contact reference; "" or "none" clears
    day_first: bool = True  # how a typed 03/04 reads: the config's [dates] numeric_order


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def apply_fields(contact: Contact, fields: ContactFields) -> Contact:
    """A copy of `contact` with the given fields validated and applied."""
    changed = replace(contact)
    if fields.name is not None:
        changed.name = validation.name(fields.name)
    if fields.emails is not None:
        changed.emails = without_repeats(
            [validation.email(e) for e in fields.emails], key=str.lower
        )
    if fields.phones is not None:
        changed.phones = without_repeats([validation.phone(p) for p in fields.phones])
    if fields.company is not None:
        changed.company = validation.company_name(fields.company) or None
        if changed.company is None:
            changed.role = None
    if fields.role is not None:
        changed.role = _blank(fields.role)
        if changed.role and not changed.company:
            raise UsageError("a role is at a company: give --company too")
    if fields.address is not None:
        changed.address = _blank(fields.address)
    if fields.birthday is not None:
        text = fields.birthday.strip()
        changed.birthday = validation.birthday(text, day_first=fields.day_first) if text else None
    if fields.anniversaries is not None:
        wanted = [
            Anniversary(*validation.anniversary(a, day_first=fields.day_first))
            for a in fields.anniversaries
        ]
        changed.anniversaries = _merge_anniversaries(contact.anniversaries, wanted)
    tags = contact.tags if fields.tags is None else [validation.tag(t) for t in fields.tags]
    removed = {validation.tag(t).lower() for t in fields.remove_tags}
    added = [validation.tag(t) for t in fields.add_tags]
    changed.tags = without_repeats(
        [t for t in [*tags, *added] if t.lower() not in removed], str.lower
    )
    if fields.relationship_type is not None:
        text = fields.relationship_type.strip()
        changed.relationship_type = validation.relationship_type(text) if text else None
    if fields.stage is not None:
        text = fields.stage.strip()
        changed.stage = validation.stage(text) if text else None
    if fields.cadence is not None:
        text = fields.cadence.strip().lower()
        changed.cadence_override = None if text in ("", "default") else validation.cadence(text)
    return changed


def without_repeats(items: list[str], key: Callable[[str], str] | None = None) -> list[str]:
    """`items` without repeats (by `key`, e.g. ignoring case), first ones kept."""
    seen: set[str] = set()
    result = []
    for item in items:
        marker = key(item) if key else item
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


def _merge_anniversaries(old: list[Anniversary], new: list[Anniversary]) -> list[Anniversary]:
    """Anniversaries given by label replace those with the same label; others are kept."""
    labels = {a.label.lower() for a in new}
    kept = [a for a in old if a.label.lower() not in labels]
    by_label = {a.label.lower(): a.id for a in old}
    return kept + [replace(a, id=by_label.get(a.label.lower())) for a in new]


def sharing_address(store: Store, contact: Contact) -> list[RefCandidate]:
    """Other contacts with the same email (ignoring case) or phone number (the same digits)
    as `contact`: likely the same person, worth a warning after `contacts add`."""
    return store.contacts.sharing_address(contact.id or 0)


@dataclass(frozen=True, slots=True)
class LookAlike:
    """Another contact with a new contact's email or phone: likely the same person."""

    contact_id: int
    name: str
    shared: tuple[str, ...]  # e.g. "email ann@example.com", "phone 555 0100"

    def __str__(self) -> str:
        both = " and ".join(self.shared)
        return f"{self.name} (id {self.contact_id}) has the same {both}; both are kept"


def look_alikes(store: Store, contact: Contact) -> list[LookAlike]:
    """The other contacts sharing `contact`'s email or phone, one entry each, for every front
    end that adds a contact."""
    shared: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for twin in sharing_address(store, contact):
        kind = "email" if "@" in (twin.email or "") else "phone"
        shared.setdefault(twin.id, []).append(f"{kind} {twin.email}")
        names[twin.id] = twin.name
    return [LookAlike(i, names[i], tuple(values)) for i, values in shared.items()]


def add_contact(store: Store, fields: ContactFields, today: date) -> Contact:
    """Add a contact; a --company naming an existing company (but for case and spaces) links
    to it, another name creates the company."""
    if fields.name is None:
        raise UsageError("a contact needs a name")
    with store.write():
        contact = apply_fields(Contact(name=fields.name), fields)
        set_owner(store, contact, fields.owner)
        contact.referred_by = referrer_for(store, contact, fields.referred_by)
        contact_id = store.contacts.insert(contact, today)
        history.record(store, [history.added("contact", contact_id, contact_id, contact.name)])
    return get_contact(store, contact_id)


def set_owner(store: Store, contact: Contact, ref: str | None) -> None:
    """Make the user `ref` names the contact's owner (None: unchanged; "" or "none": no
    owner). A deactivated user cannot become one."""
    if ref is None:
        return
    owner = identity.owner_for(store, ref)
    contact.owner_id = owner.id if owner else None
    contact.owner = owner.name if owner else None


@dataclass(frozen=True)
class Assignment:
    owner: User | None  # None: made unowned
    contacts: int  # how many were named or matched
    changed: int  # how many had another owner before


def assign(
    store: Store,
    refs: list[str],
    to: str,
    *,
    tag: str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    unowned: bool = False,
) -> Assignment:
    """Give contacts (by reference, or every active one matching the filters) to the user `to`
    names ('' or 'none': nobody), in one transaction. A reference that names nobody, or
    filters that match nobody, change nothing."""
    filtered = tag is not None or owner is not None or stage is not None or unowned
    if refs and filtered:
        raise UsageError("name contacts or filter them (--tag, --owner, --stage), not both")
    if not refs and not filtered:
        raise UsageError("name the contacts to assign, or choose them with --tag, --owner, --stage")
    with store.write():
        new_owner = identity.owner_for(store, to)
        if refs:
            ids = list(dict.fromkeys(resolve_ref(store, ref).id or 0 for ref in refs))
        else:
            current = identity.find_user(store, owner) if owner is not None else None
            where = ContactFilter(
                tag=tag,
                stage=validation.stage(stage).value if stage else None,
                owner_id=current.id if current else None,
                unowned=unowned,
            )
            ids = [c.id or 0 for c in store.contacts.query(where)]
            if not ids:
                raise NotFound("no active contact matches those filters; nothing was changed")
        changed = store.contacts.set_owner(ids, new_owner.id if new_owner else None)
    return Assignment(new_owner, len(ids), changed)


NO_REFERRER = ("", "none")


def referrer_for(store: Store, contact: Contact, ref: str | None) -> int | None:
    """The id of the contact `ref` names as the one who referred `contact` (None given: the
    referrer stays; "" or "none": no referrer). Nobody refers themselves, and a referral
    cannot go round in a circle (A referred by B, referred by A)."""
    if ref is None:
        return contact.referred_by
    if ref.strip().lower() in NO_REFERRER:
        return None
    try:
        referrer = resolve_ref(store, ref)
    except NotFound as exc:
        raise NotFound(f"--referred-by: {exc}") from None
    except Ambiguous as exc:
        raise Ambiguous(f"--referred-by: {exc}", exc.candidates) from None
    assert referrer.id is not None
    if referrer.id == contact.id:
        raise Conflict(f"{contact.name} (id {contact.id}) cannot be referred by themselves")
    if contact.id is not None and (names := referral_circle(store, contact.id, referrer.id)):
        how = f"{names[0]} was referred by {names[1]}" + "".join(
            f", who was referred by {name}" for name in names[2:]
        )
        raise Conflict(
            f"{contact.name} cannot be referred by {referrer.name}: {how};"
            " a referral cannot go in a circle"
        )
    return referrer.id


def referral_circle(store: Store, contact_id: int, referrer_id: int) -> list[str]:
    """The circle `contact_id` referred by `referrer_id` would close, as names from the
    referrer up to the contact (referred by each other in turn); [] when there is none."""
    chain = store.referrals.chain(referrer_id)
    ids = [found for found, _ in chain]
    return [name for _, name in chain[: ids.index(contact_id) + 1]] if contact_id in ids else []


def company_for(store: Store, name: str | None) -> Company | None:
    """The existing company a typed --company names (case and spaces aside), if any: what
    `add_contact`/`edit_contact` will link to rather than create."""
    return store.companies.find(name) if name and name.strip() else None


def _one_company(store: Store, current: Contact, fields: ContactFields) -> None:
    """A contact is at one company at a time: joining another one needs leaving first."""
    if current.company_id is None or not fields.company or not fields.company.strip():
        return
    wanted = store.companies.find(fields.company)
    if wanted is None or wanted.id != current.company_id:
        raise Conflict(
            f"{current.name} is at {current.company}; a contact is at one company at a time:"
            f" `crm contacts edit {current.id} --left-company --company NAME` records a move"
            f" (their sales stay with {current.company}), `--company ''` first undoes a"
            " mistaken link"
        )


def edit_contact(
    store: Store,
    ref: str,
    fields: ContactFields,
    today: date,
    *,
    loaded: Contact | None = None,
    if_version: int | None = None,
    surveys: bool | None = None,
    news: bool | None = None,
) -> Contact:
    """Apply the changes in one transaction; a new stage is kept in the stage history.

    A form passes the contact it was `loaded` with, a script the `if_version` it read: when
    someone saved the contact since, nothing is written and Stale says what changed. Without
    either, the given fields are applied to the contact as stored now. `surveys` False: the
    contact asked for no more e-mailed surveys, `news` False: for no pass-on (True takes
    either back)."""
    with store.write():
        current = resolve_ref(store, ref)
        expected = loaded.version if loaded is not None else if_version
        changes = contact_changes(loaded, current) if loaded is not None else []
        what = f"{current.name} (id {current.id})"
        check_loaded(store, ("contact", current.id or 0), what, expected, current.version, changes)
        _one_company(store, current, fields)
        changed = apply_fields(current, fields)
        set_owner(store, changed, fields.owner)
        changed.referred_by = referrer_for(store, current, fields.referred_by)
        store.contacts.update(changed)
        if changed.stage is not None and changed.stage != current.stage:
            store.contacts.add_stage_change(current.id or 0, changed.stage, today)
        if surveys is False:
            store.survey_opt_outs.opt_out(current.id or 0, today, "edit")
        elif surveys is True:
            store.survey_opt_outs.opt_in(current.id or 0)
        if news is False:
            store.pass_on_opt_outs.opt_out(current.id or 0, today, "edit")
        elif news is True:
            store.pass_on_opt_outs.opt_in(current.id or 0)
        record_contact_changes(store, current, get_contact(store, current.id or 0))
    return get_contact(store, current.id or 0)


def contact_fields(c: Contact) -> list[tuple[str, object]]:
    """The fields a person edits, by the names they know them by: what a conflict message and
    the history compare."""
    cadence = {None: "default", 0: "none"}
    return [
        ("name", c.name),
        ("emails", c.emails),
        ("phones", c.phones),
        ("company", c.company),
        ("address", c.address),
        ("birthday", c.birthday.iso() if c.birthday else None),
        ("anniversaries", [f"{a.label} {a.when.iso()}" for a in c.anniversaries]),
        ("tags", c.tags),
        ("relationship type", c.relationship_type.value if c.relationship_type else None),
        ("stage", c.stage.value if c.stage else None),
        ("cadence", cadence.get(c.cadence_override, c.cadence_override)),
        ("owner", c.owner),
        ("referred by", c.referrer),
        ("archived", "yes" if c.archived else "no"),
    ]


def contact_changes(before: Contact, after: Contact) -> list[str]:
    """The fields a person edits that differ between two states of a contact, as a conflict
    message names them: 'phones (now 555 0101)'."""
    return [
        now_reads(label, new)
        for (label, old), (_, new) in zip(
            contact_fields(before), contact_fields(after), strict=True
        )
        if old != new
    ]


def record_contact_changes(
    store: Store, before: Contact, after: Contact, *, source: str | None = None
) -> None:
    """History: one row per field a write changed on a contact (`source`: as history.record)."""
    fields_before, fields_after = contact_fields(before), contact_fields(after)
    changes = history.differences("contact", after.id, after.id, fields_before, fields_after)
    history.record(store, changes, source=source)


def set_archived(store: Store, ref: str, archived: bool = True) -> Contact:
    with store.write():
        # Bringing a contact back looks among the archived ones (`archive bob --undo`).
        contact = resolve_ref(store, ref, archived=not archived)
        before = replace(contact)
        contact.archived = archived
        store.contacts.update(contact)
        record_contact_changes(store, before, contact)
    return contact


def get_contact(store: Store, contact_id: int) -> Contact:
    contact = store.contacts.get(contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    return contact


def resolve_ref(store: Store, ref: str, *, archived: bool = False) -> Contact:
    """A contact id, or text matching exactly one contact's name or email.

    An exact (case-insensitive) name or email wins; then the one contact a word of whose
    name, or an email, starts with `ref`; otherwise a unique partial match of an active
    contact's name or email (an archived one's with `archived`). Several matches are an error
    listing them.
    """
    text = ref.strip()
    if not text:
        raise UsageError("empty contact reference")
    number = validation.row_id(text)
    if number is not None:
        contact = store.contacts.get(number)
        if contact is not None:
            return contact
    candidates = store.contacts.find_ref(text)
    if not candidates:
        starting = store.contacts.find_starting(text, archived=archived)
        candidates = (
            starting
            if len(starting) == 1
            else store.contacts.find_containing(text, archived=archived)
        )
    if len(candidates) == 1:
        return get_contact(store, candidates[0].id)
    if not candidates:
        raise NotFound(f"no contact matches {ref!r}")
    listed = [f"{c.id}: {c.name}" + (f" <{c.email}>" if c.email else "") for c in candidates]
    # The look-up stops at 11; past ten the count is asked for.
    count = len(candidates) if len(candidates) <= 10 else store.contacts.count_containing(text)
    raise Ambiguous(
        f"{ref!r} matches {count} contacts: {'; '.join(listed[:10])}"
        + (" …" if len(listed) > 10 else "")
        + " (use the id)",
        listed,
    )


def list_contacts(store: Store, where: ContactFilter, owner: str | None = None) -> list[Contact]:
    """Contacts matching `where`; `owner` names a user whose customers only are wanted."""
    return store.contacts.query(listed_filter(store, where, owner))


def each_contact(store: Store, where: ContactFilter) -> Iterator[Contact]:
    """list_contacts' contacts (for a `listed_filter`) one at a time, never all in memory."""
    return store.contacts.each(where)


def any_owned(store: Store, where: ContactFilter) -> bool:
    """Whether anyone owns one of the contacts of a `listed_filter`."""
    return store.contacts.any_owned(where)


def listed_filter(store: Store, where: ContactFilter, owner: str | None = None) -> ContactFilter:
    """`where` checked (a type, a stage), with `owner`, a user's name, as their id."""
    if owner is not None:
        where = replace(where, owner_id=identity.find_user(store, owner).id)
    if where.relationship_type:
        where = replace(
            where, relationship_type=validation.relationship_type(where.relationship_type).value
        )
    if where.stage:
        where = replace(where, stage=validation.stage(where.stage).value)
    return where


@dataclass(frozen=True)
class SearchResult:
    contact: Contact
    snippet: str
    rank: float | None  # None: past the candidates, the newest matches are shown unranked


@dataclass(frozen=True)
class SearchResults:
    results: list[SearchResult]
    total: int  # matching contacts, counted up to wording.TOTAL_LIMIT + 1 ("more than")
    ranked: bool  # False: too many matches to rank, the newest are shown (docs/search.md)


def search_contacts(store: Store, text: str, limit: int = 50) -> SearchResults:
    """Full-text search over contacts and notes, best match first (docs/search.md)."""
    query = fts_query(text)
    if not query:
        raise UsageError("search needs at least one word")
    page = store.search.search(query, limit)
    found = store.contacts.query(
        ContactFilter(ids=tuple(h.contact_id for h in page.hits), archived=None)
    )
    contacts = {c.id: c for c in found}
    results = [
        SearchResult(contacts[h.contact_id], h.snippet, h.rank)
        for h in page.hits
        if h.contact_id in contacts
    ]
    return SearchResults(results, page.total, page.ranked)


def fts_query(text: str) -> str:
    """Words as FTS5 prefix terms, each quoted, so user text is never FTS syntax."""
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in text).split() if w]
    return " ".join(f'"{w}"*' for w in words)


def count_contacts(store: Store, where: ContactFilter) -> int:
    """How many contacts match the filter (paging aside), e.g. for a list's status line."""
    if where.relationship_type:
        where = replace(
            where, relationship_type=validation.relationship_type(where.relationship_type).value
        )
    if where.stage:
        where = replace(where, stage=validation.stage(where.stage).value)
    return store.contacts.count(where)


# Single fields of an address book that an imported card or a merged contact brings.
CARD_SINGLE_FIELDS = ("kind", "name_parts", "nickname", "job_title", "gender")


def take_card_lists(target: Contact | ContactRecord, new: Contact | ContactRecord) -> None:
    """Give `target` the type labels, postal addresses and links `new` has: labels replace,
    an address or link already there (the same text) is kept once; a new main address
    becomes the main one."""
    target.email_labels = {**target.email_labels, **new.email_labels}
    target.phone_labels = {**target.phone_labels, **new.phone_labels}
    if new.addresses:
        texts = {a.text for a in new.addresses}
        target.addresses = [*new.addresses, *(a for a in target.addresses if a.text not in texts)]
        target.address = target.addresses[0].text
    for name in ("urls", "ims", "related"):
        links: list[Labelled] = list(getattr(target, name))
        known = {link.value.casefold() for link in getattr(new, name)}
        setattr(
            target,
            name,
            [*getattr(new, name), *(k for k in links if k.value.casefold() not in known)],
        )
