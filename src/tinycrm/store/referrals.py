"""SQL for referrals: the chain of who referred whom, the referrals report, the thank-you."""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterator
from dataclasses import dataclass
from datetime import date

from tinycrm.store.backend import Backend, Connection, stream
from tinycrm.store.stamps import now_iso

# A referral chain is followed at most this far (a guard should a circle ever be stored).
_MAX_CHAIN = 10_000
# A referrer's kept (customers, revenue in the report's currency, referred): what ranks them.
RankKey = tuple[int, int, int]


@dataclass(frozen=True)
class ReferralSales:
    """A referred contact's purchases in one currency (currency None: no purchase)."""

    referrer_id: int
    referrer: str
    contact_id: int
    name: str
    currency: str | None
    revenue_minor: int
    first_on: date | None


class ReferralRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def chain(self, contact_id: int) -> list[tuple[int, str]]:
        """(id, name) of the contact, the one who referred them, who referred that one, …"""
        rows = self.conn.execute(
            """WITH RECURSIVE chain(id, depth) AS (
                 SELECT CAST(? AS BIGINT), 0  -- typed, for PostgreSQL's recursive union
                 UNION ALL
                 SELECT c.referred_by, chain.depth + 1 FROM contacts c
                 JOIN chain ON c.id = chain.id
                 WHERE c.referred_by IS NOT NULL AND chain.depth < ?)
               SELECT chain.id, c.name FROM chain JOIN contacts c ON c.id = chain.id
               ORDER BY chain.depth""",
            (contact_id, _MAX_CHAIN),
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    def referred(self, contact_id: int) -> list[tuple[int, str]]:
        """(id, name) of the contacts `contact_id` referred, oldest first."""
        rows = self.conn.execute(
            "SELECT id, name FROM contacts WHERE referred_by = ? ORDER BY id", (contact_id,)
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    def sales(
        self, as_of: date, referrers: Collection[int] | None = None
    ) -> Iterator[ReferralSales]:
        """Every referred contact with their sales up to `as_of`, one row per currency, by
        referrer, read a batch at a time (`stream`); with `referrers`, only theirs."""
        params: dict[str, object] = {"asof": as_of.isoformat()}
        only = ""
        if referrers is not None and not referrers:
            return
        if referrers is not None:
            params.update({f"r{i}": referrer for i, referrer in enumerate(referrers)})
            only = f"WHERE c.referred_by IN ({', '.join(f':r{i}' for i in range(len(referrers)))})"
        rows = stream(
            self.db,
            f"""SELECT r.id AS referrer_id, r.name AS referrer, c.id AS contact_id, c.name,
                 s.currency, coalesce(sum(s.amount_minor), 0) AS revenue,
                 min(s.sold_on) AS first_on
               FROM contacts c
               JOIN contacts r ON r.id = c.referred_by
               LEFT JOIN sales s ON s.contact_id = c.id AND s.sold_on <= :asof
               {only}
               GROUP BY r.id, r.name, c.id, c.name, s.currency
               ORDER BY r.id, c.id, s.currency""",
            params,
        )
        for row in rows:
            yield ReferralSales(
                row["referrer_id"], row["referrer"], row["contact_id"], row["name"],
                row["currency"], int(row["revenue"]),
                date.fromisoformat(row["first_on"]) if row["first_on"] else None,
            )  # fmt: skip

    def late_referrers(self, as_of: date) -> set[int]:
        """The referrers one of whose referred contacts bought after `as_of` (a look back in
        time): their kept counts and sums include those sales."""
        rows = self.conn.execute(
            """SELECT DISTINCT referred_by FROM contacts
               WHERE id IN (SELECT contact_id FROM sale_stats WHERE last_on > ?)
                 AND referred_by IS NOT NULL""",
            (as_of.isoformat(),),
        )
        return {int(row[0]) for row in rows}

    def ranked_in(self, currency: str) -> Generator[tuple[int, RankKey], None, None]:
        """(referrer, kept (customers, revenue in `currency`, referred)) of the referrers whose
        people bought in `currency`, most first, through the index referral_revenue_rank."""
        rows = stream(
            self.db,
            """SELECT referrer_id, customers, revenue_minor, referred FROM referral_revenue
               WHERE currency = :currency
               ORDER BY customers DESC, revenue_minor DESC, referred DESC""",
            {"currency": currency},
        )
        for row in rows:
            yield int(row[0]), (int(row[1]), int(row[2]), int(row[3]))

    def ranked_without(
        self, currency: str, least_customers: int
    ) -> Generator[tuple[int, RankKey], None, None]:
        """The same for the referrers with `least_customers` or more whose people bought
        nothing in `currency` (revenue 0), through the index referral_stats_rank."""
        rows = stream(
            self.db,
            """SELECT s.referrer_id, s.customers, s.referred FROM referral_stats s
               WHERE s.customers >= :least AND NOT EXISTS (
                 SELECT 1 FROM referral_revenue r
                 WHERE r.referrer_id = s.referrer_id AND r.currency = :currency)
               ORDER BY s.customers DESC, s.referred DESC""",
            {"currency": currency, "least": least_customers},
        )
        for row in rows:
            yield int(row[0]), (int(row[1]), 0, int(row[2]))

    def count(self, up_to: int) -> int:
        """How many contacts referred someone, counted up to `up_to`."""
        return int(self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM referral_stats LIMIT ?) AS referrers", (up_to,)
        ).fetchone()[0])  # fmt: skip

    def thanks(self, source: str) -> list[tuple[int, int]]:
        """(follow-up id, referrer id) of the thank-you with this source, open or not."""
        rows = self.conn.execute(
            "SELECT id, contact_id FROM follow_ups WHERE source = ? ORDER BY id", (source,)
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    def retitle(self, follow_up_id: int, title: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE follow_ups SET title = ?, version = version + 1 WHERE id = ?",
                (title, follow_up_id),
            )

    def repoint(self, drop_id: int, keep_id: int | None) -> None:
        """The contacts `drop_id` referred are now referred by `keep_id` (a merge), or by
        nobody (None: a forget); their versions go up, so a form loaded before is stale."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE contacts SET referred_by = ?, version = version + 1, updated_at = ?
                   WHERE referred_by = ? AND id != ?""",
                (keep_id, now_iso(), drop_id, keep_id if keep_id is not None else drop_id),
            )
