"""The daily digest: what a person should act on today, in one message, built from the queue.

The digest owns no rule about what is due: overdue and today's items, birthdays and anniversaries
all come from `services.followups.build_queue` (the same function `crm follow-ups today` uses),
and at-risk customers from `services.atrisk`. This module only picks sections and handles
delivery bookkeeping (send once a day, catch up after missed days).

Catch-up: a sent digest covers the days from `covered_from` to `as_of`. `covered_from` is the day
after the last digest that was successfully sent (at most `MAX_CATCH_UP_DAYS` back), or `as_of`
itself when nothing was ever sent. Follow-ups due on a missed day are still open, so they are in
the overdue section anyway; birthdays and anniversaries that fell on a missed day are found by
asking the queue what was due from `covered_from` onwards, and are listed with their real date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from tinycrm.errors import SendError, UsageError
from tinycrm.models.reports import Page
from tinycrm.services import atrisk
from tinycrm.services.followups import OwnerScope, Queue, QueueItem, build_queue
from tinycrm.store import Store
from tinycrm.store.digests import EMPTY, FAILED, SENT
from tinycrm.store.owners import Owner
from tinycrm.vocabulary import FollowUpKind

if TYPE_CHECKING:
    from tinycrm.config import Settings
    from tinycrm.store.atrisk import AtRiskRow

DATE_KINDS = frozenset({FollowUpKind.BIRTHDAY.value, FollowUpKind.ANNIVERSARY.value})
SECTION_LIMIT = 50  # rows per list section by default (`--limit`); the totals stay exact
HELD_SHOWN = 10  # e-mails held for review named in the digest; `crm mail review` lists all
MAX_CATCH_UP_DAYS = 31
MAX_WINDOW_DAYS = 3660  # the queue's own limit on --days

# How today's items are grouped, in this order; every other kind is a "Follow-up".
TODAY_GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("cases", "Cases near their target", frozenset({FollowUpKind.CASE.value})),
    ("thank_you", "Thank-you calls", frozenset({FollowUpKind.THANK_YOU.value})),
    ("check_ins", "Check-ins", frozenset({FollowUpKind.CHECK_IN.value})),
    ("birthdays_and_anniversaries", "Birthdays and anniversaries", DATE_KINDS),
    ("follow_ups", "Follow-ups", frozenset()),
)


def named(contact_name: str, company: str | None) -> str:
    """A contact as the digest names them: with their company, when they have one."""
    return f"{contact_name} ({company})" if company else contact_name


class DigestItem(NamedTuple):
    """One line of the digest. `years` is the age reached or the years of an anniversary."""

    contact_id: int
    contact_name: str
    kind: str
    title: str
    due_on: date
    handle: str | None = None
    detail: str | None = None
    days_late: int = 0
    years: int | None = None
    recurring: bool = False
    company: str | None = None  # the company the contact is at

    @property
    def who(self) -> str:
        return named(self.contact_name, self.company)


class AtRiskCustomer(NamedTuple):
    contact_id: int
    contact_name: str
    reasons: tuple[str, ...] = ()
    company: str | None = None  # the company the contact is at

    @property
    def who(self) -> str:
        return named(self.contact_name, self.company)


@dataclass(frozen=True)
class HeldMail:
    """An e-mail `crm mail collect` held for review (docs/mail.md)."""

    id: int
    sender: str
    subject: str
    reason: str
    contact_name: str | None = None


class BouncedSurvey(NamedTuple):
    """A survey that came back undelivered (docs/mail.md): the customer to call instead."""

    contact_id: int
    contact_name: str
    address: str
    bounced_on: date
    reason: str | None = None  # the remote server's
    phone: str | None = None  # the contact's first
    company: str | None = None  # the company the contact is at

    @property
    def who(self) -> str:
        return named(self.contact_name, self.company)


@dataclass(frozen=True)
class Digest:
    as_of: date
    days: int
    covered_from: date = field(default=date.min)
    overdue: tuple[DigestItem, ...] = ()
    overdue_total: int = 0  # may exceed len(overdue): the list is capped
    today: tuple[DigestItem, ...] = ()
    today_total: int = 0  # likewise
    dates: tuple[DigestItem, ...] = ()  # birthdays and anniversaries, missed days included
    dates_total: int = 0  # likewise
    at_risk: tuple[AtRiskCustomer, ...] = ()
    at_risk_total: int = 0  # may exceed len(at_risk): the list is capped
    held: tuple[HeldMail, ...] = ()  # e-mails held for review, the latest ones
    held_total: int = 0
    bounced: tuple[BouncedSurvey, ...] = ()  # surveys that bounced lately (`bounced_since`)
    bounced_total: int = 0
    # Whose rows (`OwnerScope`): None the shop's; a user's (`owner` names them); or nobody's.
    scope: OwnerScope | None = None
    owner: str | None = None
    unassigned: Digest | None = None  # the coordinator's: the rows nobody owns

    def __post_init__(self) -> None:
        if self.covered_from == date.min:
            object.__setattr__(self, "covered_from", self.as_of)
        for shown, total in (
            ("overdue", "overdue_total"),
            ("today", "today_total"),
            ("dates", "dates_total"),
            ("at_risk", "at_risk_total"),
            ("held", "held_total"),
            ("bounced", "bounced_total"),
        ):
            if getattr(self, total) < len(getattr(self, shown)):
                object.__setattr__(self, total, len(getattr(self, shown)))

    @property
    def until(self) -> date:
        """The last day of the birthdays and anniversaries window."""
        return self.as_of + timedelta(days=self.days)

    @property
    def bounced_since(self) -> date:
        return bounces_from(self.covered_from)

    @property
    def caught_up_days(self) -> int:
        """Missed days this digest also covers (0 on a normal day)."""
        return max(0, (self.as_of - self.covered_from).days)

    @property
    def item_count(self) -> int:
        return self.own_item_count + (self.unassigned.item_count if self.unassigned else 0)

    @property
    def own_item_count(self) -> int:
        """The items but for the unassigned part."""
        return (
            self.overdue_total
            + self.today_total
            + self.dates_total
            + self.at_risk_total
            + self.held_total
            + self.bounced_total
        )

    @property
    def queue_option(self) -> str:
        """The option that makes `crm follow-ups` list this digest's rows."""
        if self.scope is None:
            return ""
        return "--mine" if self.scope.user_id is not None else "--unassigned"

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0

    def today_groups(self) -> list[tuple[str, str, list[DigestItem]]]:
        """Today's items by group (key, heading, items), empty groups left out."""
        grouped: dict[str, list[DigestItem]] = {key: [] for key, _, _ in TODAY_GROUPS}
        for item in self.today:
            key = next(k for k, _, kinds in TODAY_GROUPS if item.kind in kinds or not kinds)
            grouped[key].append(item)
        return [(key, title, grouped[key]) for key, title, _ in TODAY_GROUPS if grouped[key]]


# ---------------------------------------------------------------------------------------------
# Building


def build_digest(
    store: Store,
    as_of: date,
    *,
    days: int = 7,
    covered_from: date | None = None,
    settings: Settings | None = None,
    limit: int | None = SECTION_LIMIT,
    scope: OwnerScope | None = None,
) -> Digest:
    """The digest for `as_of`; birthdays and anniversaries from `covered_from` (catch-up).
    Each list section shows at most `limit` rows (0 or None: all) and its full count.
    With `scope`, one user's rows or the unassigned ones, as `crm follow-ups --mine` or
    `--unassigned` has them, and the at-risk customers and bounced surveys of the contacts they
    own (or nobody owns); e-mails held for review are nobody's. All of it is read from one
    snapshot of the file."""
    if limit is not None and limit < 0:
        raise UsageError(f"--limit must be 0 or more, not {limit}")
    limit = limit or None
    start = min(covered_from or as_of, as_of)
    with store.read():
        queue = _queue(store, as_of, 0, settings, limit, scope=scope)
        # Birthdays and anniversaries from the first uncovered day (catch-up) to the window's
        # end: the upcoming rows of the queue of the day before it.
        span = min((as_of - start).days + days + 1, MAX_WINDOW_DAYS)
        before = start - timedelta(days=1)
        dates = _queue(store, before, span, settings, limit, dates_only=True, scope=scope)
        short_list = atrisk.short_list(store, as_of, scope)
        owner = None if scope is None else Owner(scope.user_id)
        bounces = store.surveys.bounced_between(bounces_from(start), as_of, owner)
        shown = [row.contact_id for row in (*queue.overdue, *queue.today, *dates.upcoming)]
        shown += [row.contact_id for row in short_list.rows]
        shown += [row.contact_id for row in bounces[:limit]]
        companies = store.companies.names_of_people(shown)
        at_risk, at_risk_total = at_risk_customers(short_list, companies)
        held = _held_mail(store) if scope is None or scope.user_id is None else []
        built = assemble(
            as_of,
            days,
            queue,
            dates,
            covered_from=start,
            at_risk=at_risk,
            at_risk_total=at_risk_total,
            limit=limit,
            companies=companies,
        )
    bounced = [
        BouncedSurvey(row.contact_id, row.contact_name, row.address, row.bounced_on, row.reason,
                      row.phone, companies.get(row.contact_id))
        for row in bounces[:limit]
    ]  # fmt: skip
    # The latest first: the oldest were in earlier digests already.
    return replace(
        built,
        held=tuple(held[::-1][:HELD_SHOWN]),
        held_total=len(held),
        bounced=tuple(bounced),
        bounced_total=len(bounces),
        scope=scope,
    )


def _held_mail(store: Store) -> list[HeldMail]:
    """The e-mails held for review, oldest first (they are nobody's: the whole shop's digest)."""
    return [
        HeldMail(
            row.record.id or 0,
            row.record.sender or "",
            row.record.subject or "",
            row.record.reason or "",
            row.contact_name,
        )
        for row in store.mail.held()
    ]


def bounces_from(covered_from: date) -> date:
    """The first day whose bounced surveys a digest covering the days from `covered_from`
    lists: the day before, so that a bounce collected after the last digest went out is not
    missed (one collected before it is listed twice)."""
    return covered_from - timedelta(days=1)


def _queue(
    store: Store,
    as_of: date,
    days: int,
    settings: Settings | None,
    limit: int | None,
    *,
    dates_only: bool = False,
    scope: OwnerScope | None = None,
) -> Queue:
    """The follow-up queue, the one source of what is due (`crm follow-ups today`): its
    overdue and today's rows, or (`dates_only`) a page of its upcoming birthdays and
    anniversaries; `scope`'s rows only."""
    if dates_only:
        return build_queue(
            store, as_of, days=days, settings=settings, with_overdue=False, with_today=False,
            upcoming_kinds=DATE_KINDS, upcoming_limit=limit, scope=scope,
        )  # fmt: skip
    return build_queue(
        store, as_of, days=days, settings=settings, overdue_limit=limit, today_limit=limit,
        scope=scope,
    )  # fmt: skip


def assemble(
    as_of: date,
    days: int,
    queue: Queue,
    dates: Queue,
    *,
    covered_from: date | None = None,
    at_risk: Iterable[AtRiskCustomer] = (),
    at_risk_total: int = 0,
    limit: int | None = None,
    companies: Mapping[int, str] | None = None,
) -> Digest:
    """Sort queue rows into the digest's sections, at most `limit` rows each (None: all),
    keeping the totals. `queue` gives the overdue and
    today's rows, `dates` the birthdays and anniversaries from `covered_from` on."""
    start = covered_from or as_of
    until = as_of + timedelta(days=days)
    overdue = list(queue.overdue[:limit])
    # Today's rows are `crm follow-ups today`'s, birthdays included; the dates section lists
    # the other days'.
    today = list(queue.today)
    seen = {row.handle for row in overdue if row.handle}
    dated = [
        row
        for row in dates.upcoming
        if row.kind.value in DATE_KINDS
        and start <= row.due_on <= until
        and row.due_on != as_of
        and row.handle not in seen
    ]
    # Rows left out here (a missed day's birthday already among the overdue rows) are not
    # counted either.
    left_out = len(dates.upcoming) - len(dated)
    dated.sort(key=lambda row: (row.due_on, row.contact_name.casefold(), row.contact_id))
    today_total = queue.today_total
    dates_total = max(len(dated), dates.upcoming_total - left_out)
    # Only the rows shown become digest items.
    at = companies or {}
    shown_today = _by_company([_item(row, as_of, at) for row in today[:limit]])
    shown_dates = [_item(row, as_of, at) for row in dated[:limit]]
    overdue_total = max(queue.overdue_total, len(overdue))
    return Digest(
        as_of=as_of,
        days=days,
        covered_from=start,
        overdue=tuple(_by_company([_item(row, as_of, at) for row in overdue])),
        overdue_total=overdue_total,
        today=tuple(shown_today),
        today_total=today_total,
        dates=tuple(shown_dates),
        dates_total=dates_total,
        at_risk=tuple(at_risk),
        at_risk_total=at_risk_total,
    )


def at_risk_customers(
    page: Page[AtRiskRow], companies: Mapping[int, str] | None = None
) -> tuple[list[AtRiskCustomer], int]:
    """The digest's lines for a short list of at-risk customers, and how many there are."""
    customers = [
        AtRiskCustomer(
            row.contact_id,
            row.name,
            tuple(atrisk.risk_reasons(row)),
            (companies or {}).get(row.contact_id),
        )
        for row in page.rows
    ]
    customers = _by_company(customers)
    return customers, page.total


Grouped = TypeVar("Grouped", DigestItem, AtRiskCustomer)


def _by_company(items: list[Grouped]) -> list[Grouped]:
    """A company's rows together, where its first (most urgent) row was; others stay put."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.company is not None:
            first.setdefault(item.company, index)
    place = [first.get(item.company, index) if item.company else index
             for index, item in enumerate(items)]  # fmt: skip
    return [item for _, _, item in sorted(zip(place, range(len(items)), items, strict=True))]


def _item(row: QueueItem, as_of: date, companies: Mapping[int, str]) -> DigestItem:
    return DigestItem(
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        kind=row.kind.value,
        title=row.title,
        due_on=row.due_on,
        handle=row.handle or None,
        detail=row.detail or None,
        days_late=max(0, (as_of - row.due_on).days),
        recurring=row.recurring,
        years=row.years,
        company=companies.get(row.contact_id),
    )


# ---------------------------------------------------------------------------------------------
# Delivery bookkeeping


class SendPlan(NamedTuple):
    """Whether to send, and which days the digest must cover."""

    as_of: date
    covered_from: date
    already_sent_at: str | None = None  # set when a digest for as_of was already sent

    @property
    def skip(self) -> bool:
        return self.already_sent_at is not None


def plan_send(
    store: Store, as_of: date, *, force: bool = False, user_id: int | None = None
) -> SendPlan:
    """Send once per day to each recipient (`user_id`; None: the shop's digest); cover from
    the day after the last successful send to them (catch-up)."""
    if not force:
        done = store.digests.sent_on(as_of, user_id)
        if done is not None:
            return SendPlan(as_of, done.covered_from, already_sent_at=done.attempted_at)
    last = store.digests.last_sent_before(as_of, user_id)
    start = as_of
    if last is not None:
        start = max(last.digest_on + timedelta(days=1), as_of - timedelta(days=MAX_CATCH_UP_DAYS))
    return SendPlan(as_of, start)


def _claim_send(
    store: Store,
    digest: Digest,
    recipients: str,
    *,
    force: bool = False,
    user_id: int | None = None,
) -> int | None:
    """Mark `digest` (`user_id`'s; None: the shop's) as being sent by this run, or None if it
    was sent already or another run is sending it (two cron jobs, or cron and a person, at
    once): only one of them sends."""
    return store.digests.claim(
        digest.as_of,
        digest.covered_from,
        recipients=recipients,
        item_count=digest.item_count,
        force=force,
        user_id=user_id,
    )


# The mail transport: hands the digest over, calling `accepted(error)` as soon as the server
# took it (`error`: some recipients refused); returns a warning (a goodbye gone wrong) or None,
# raises SendError when the server did not take it.
Transport = Callable[[Callable[[str | None], None]], str | None]


class Sending(NamedTuple):
    """What became of one send: `claimed` False when another run sent it or is sending it."""

    claimed: bool
    warning: str | None = None


def send_once(
    store: Store,
    digest: Digest,
    recipients: str,
    transport: Transport,
    *,
    force: bool = False,
    user_id: int | None = None,
    stopped_after_send: Callable[[], None] = lambda: None,
) -> Sending:
    """Send `digest` (`user_id`'s; None: the shop's) through `transport` unless another run has
    it, recording it as sent the moment the server took it, so that a run stopped after that
    does not send it again. A SendError before that is recorded as failed (the next run tries
    again) and raised again saying so; a stop (an interrupt, a bug) is recorded as failed, or as
    sent (`stopped_after_send` is told) if the server already had it, and raised again."""
    claimed = _claim_send(store, digest, recipients, force=force, user_id=user_id)
    if claimed is None:
        return Sending(claimed=False)
    taken = False

    def accepted(error: str | None) -> None:
        # Recorded before the goodbye, so that a run stopped after this is not sent again.
        nonlocal taken
        taken = True
        _record_sent(store, claimed, error=error)

    try:
        warning = transport(accepted)
    except SendError as exc:
        if taken:  # some recipients refused: sent to the others, recorded so
            raise
        _record_failed(store, claimed, str(exc))
        raise SendError(f"{exc} (recorded; the next run will try again)") from exc
    except BaseException as exc:
        if taken:  # the server has it: sent, even if the record was interrupted
            _record_sent(store, claimed)
            stopped_after_send()
        else:
            # The type only: an exception's text may quote what it was encoding (a password).
            _record_failed(store, claimed, f"stopped by {type(exc).__name__}")
        raise
    return Sending(claimed=True, warning=warning)


def _record_sent(store: Store, claimed: int, error: str | None = None) -> None:
    """A claimed send went out (`error`: to some recipients only)."""
    store.digests.finish(claimed, SENT, error)


def record_empty(store: Store, digest: Digest, user_id: int | None = None) -> None:
    store.digests.record(
        digest.as_of, digest.covered_from, EMPTY, recipients=None, item_count=0, user_id=user_id
    )


def _record_failed(store: Store, claimed: int, error: str) -> None:
    """A claimed send failed: the next run tries again."""
    store.digests.finish(claimed, FAILED, error)
