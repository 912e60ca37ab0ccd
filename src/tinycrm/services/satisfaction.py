"""Satisfaction scores: recording them (a low one asks for recovery) and reading the trend."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tinycrm import validation
from tinycrm.config import Settings
from tinycrm.dates import next_open_day
from tinycrm.errors import UsageError
from tinycrm.models.contacts import Contact
from tinycrm.models.followups import FollowUp
from tinycrm.models.satisfaction import Score
from tinycrm.services.contacts import resolve_ref
from tinycrm.services.followups.actions import complete, get_item
from tinycrm.services.history import follow_up_added, record, score_added
from tinycrm.services.trend import Trend, trend
from tinycrm.store import Store
from tinycrm.vocabulary import SCALE_RANGE, FollowUpKind, Scale

if TYPE_CHECKING:
    from tinycrm.services.followups import QueueItem


@dataclass(frozen=True)
class ScoreResult:
    score: Score
    contact_name: str
    recovery: FollowUp | None


def scale(value: str) -> Scale:
    return validation.choice(Scale, value, "scale")


def read_score(text: str, on_scale: Scale) -> int:
    low, high = SCALE_RANGE[on_scale]
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise UsageError(
            f"{on_scale.value.upper()} scores are whole numbers from {low} to {high}, not {text!r}"
        )
    return int(value)


def add_score(
    store: Store,
    ref: str,
    score: str,
    *,
    on: date,
    today: date,
    scale_name: str = "csat",
    comment: str | None = None,
    source: str | None = None,
    open_days: frozenset[int] | None = None,
) -> ScoreResult:
    """Record a score; a low one (CSAT <= 2, NPS <= 6) creates a recovery follow-up due the
    day after the score (today at the latest, for a score recorded late)."""
    validation.happened_on(on, today, "the score's date")
    on_scale = scale(scale_name)
    value = read_score(score, on_scale)
    with store.write():
        contact = resolve_ref(store, ref)
        assert contact.id is not None
        item = Score(
            contact.id, on, on_scale, value, source=source, comment=(comment or "").strip() or None
        )
        item = replace(item, id=store.scores.insert(item))
        record(store, [score_added(item)])
        recovery = None
        if item.is_low:
            due = next_open_day(max(on + timedelta(days=1), today), open_days)
            follow = FollowUp(
                contact_id=contact.id,
                title=f"Recovery: {on_scale.value.upper()} {value} on {on.isoformat()}",
                kind=FollowUpKind.RECOVERY,
                due_on=due,
                source=f"score:{item.id}",
            )
            recovery = replace(follow, id=store.follow_ups.insert(follow))
            record(store, [follow_up_added(recovery)])
    return ScoreResult(item, contact.name, recovery)


@dataclass(frozen=True)
class History:
    contact: Contact
    scores: list[Score]  # oldest first
    trend: Trend | None


def history(store: Store, ref: str, as_of: date) -> History:
    contact = resolve_ref(store, ref)
    scores = store.scores.for_contact(contact.id or 0, until=as_of)
    return History(contact, scores, trend(scores, as_of))


def complete_check_with_score(
    store: Store,
    handle: str,
    score: str,
    *,
    today: date,
    scale_name: str = "csat",
    comment: str | None = None,
    note: str | None = None,
    channel: str | None = None,
    settings: Settings | None = None,
    if_version: int | None = None,
) -> tuple[QueueItem, ScoreResult]:
    """Mark a satisfaction-check follow-up done and record the score it found, in one
    transaction: a bad score leaves the follow-up open, and a low one starts recovery.
    `if_version` as for `followups.actions.complete`."""
    with store.write():
        item = get_item(store, handle, today, settings=settings)
        if item.kind != FollowUpKind.SATISFACTION_CHECK:
            raise UsageError(
                f"follow-up {handle} is a {item.kind.value}, not a satisfaction check:"
                " record scores with 'crm satisfaction add'"
            )
        result = add_score(
            store,
            str(item.contact_id),
            score,
            on=today,
            today=today,
            scale_name=scale_name,
            comment=comment,
            source=f"follow-up:{item.handle}",
            open_days=settings.business_days if settings else None,
        )
        done = complete(
            store, handle, today, note=note, channel=channel, settings=settings,
            if_version=if_version,
        )  # fmt: skip
    return done, result
