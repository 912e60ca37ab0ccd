"""Pass-on: one follow-up per contact with a tag (news, an offer, a newsletter item)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tinycrm import validation
from tinycrm.errors import NotFound, UsageError
from tinycrm.models import FollowUp
from tinycrm.services import history
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter
from tinycrm.vocabulary import FollowUpKind


def pass_on(store: Store, text: str, tag: str, due: date) -> list[FollowUp]:
    """Create a pass-on follow-up for every active contact tagged `tag`, all in one
    transaction; a tag nobody has is an error and nothing is created."""
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
        for contact in contacts:
            item = FollowUp(
                contact_id=contact.id or 0,
                title=f"Pass on: {title}",
                kind=FollowUpKind.PASS_ON,
                due_on=due,
                source=f"pass-on:{wanted}",
            )
            created.append(replace(item, id=store.follow_ups.insert(item)))
        history.record(store, [history.follow_up_added(f) for f in created])
    return created
