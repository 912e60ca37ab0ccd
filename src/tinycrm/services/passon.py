"""Pass-on: one follow-up per contact with a tag (news, an offer, a newsletter item), except
for those who asked for none (`contacts edit --no-news`, or on the portal)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tinycrm import validation
from tinycrm.errors import NotFound, UsageError
from tinycrm.models.followups import FollowUp
from tinycrm.services import history
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.vocabulary import FollowUpKind


@dataclass(frozen=True)
class PassedOn:
    created: list[FollowUp]
    skipped: int  # tagged contacts who asked for no pass-on


def pass_on(store: Store, text: str, tag: str, due: date) -> PassedOn:
    """Create a pass-on follow-up for every active contact tagged `tag` who did not ask for
    none, all in one transaction; a tag nobody has is an error and nothing is created."""
    title = " ".join(text.split())
    if not title:
        raise UsageError("pass-on needs some text")
    if len(title) > 500:
        raise UsageError("pass-on text can be at most 500 characters")
    wanted = validation.tag(tag)
    created = []
    with store.write():
        contacts = store.contacts.query(ContactFilter(tag=wanted))
        if not contacts:
            raise NotFound(f"no active contact is tagged {wanted!r}; nothing created")
        opted_out = store.pass_on_opt_outs.opted_out_ids()
        for contact in contacts:
            if contact.id in opted_out:
                continue
            item = FollowUp(
                contact_id=contact.id or 0,
                title=f"Pass on: {title}",
                kind=FollowUpKind.PASS_ON,
                due_on=due,
                source=f"pass-on:{wanted}",
            )
            created.append(replace(item, id=store.follow_ups.insert(item)))
        history.record(store, [history.follow_up_added(f) for f in created])
    return PassedOn(created, len(contacts) - len(created))


def set_opt_out(store: Store, contact_id: int, today: date, *, opted_out: bool, how: str) -> None:
    """The contact asks for no pass-on from `today` (`how`: edit or portal), or takes it back."""
    with store.write():
        if opted_out:
            store.pass_on_opt_outs.opt_out(contact_id, today, how)
        else:
            store.pass_on_opt_outs.opt_in(contact_id)
