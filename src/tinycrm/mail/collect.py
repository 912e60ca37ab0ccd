"""`crm mail collect`: each new message in the shop mailbox handled once, then filed away.

A message is handled (services/inbox.py) before it is moved: a run stopped in between finds
it again, sees it was handled, and only moves it. Mail that is not about a contact stays in
the folder, and later runs skip it by its Message-ID without fetching it again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tinycrm.mail.imap import ImapConfig, opened
from tinycrm.models.mail import FILED, Outcome
from tinycrm.services import inbox
from tinycrm.store import Store


@dataclass
class Summary:
    counts: Counter[Outcome] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # one line per message left in place
    recoveries: int = 0
    bounced: list[str] = field(default_factory=list)  # whom a bounced survey was for


def collect(store: Store, config: ImapConfig, ctx: inbox.Context) -> Summary:
    summary = Summary()
    with opened(config) as box:
        listing = box.listing()
        known = store.mail.outcomes_by_message_id(
            item.message_id for item in listing if item.message_id
        )
        for item in listing:
            seen = known.get(item.message_id or "")
            if seen and not seen & FILED:
                continue  # not about a contact, or unreadable: left where it is
            raw = box.fetch(item.uid)
            if raw is None:
                continue  # another collector moved it meanwhile
            handled = inbox.handle(store, raw, ctx)
            record = handled.record
            if record.outcome in FILED:
                box.file(item.uid)
            if handled.new:
                summary.counts[record.outcome] += 1
                summary.recoveries += handled.recovery_id is not None
                if handled.bounced_to:
                    summary.bounced.append(handled.bounced_to)
                if record.outcome == Outcome.UNREADABLE:
                    summary.unreadable.append(
                        f"message {item.uid} in {config.folder} cannot be read"
                        f" ({record.reason}); it was left there"
                    )
    return summary
