"""SQL for the analytical reports: reorder, at-risk, top customers, lifecycle, satisfaction,
product suggestions. Aggregation happens here, in SQL, so 100k customers with 500k sales are
read through indexes (and the trigger-maintained `sale_stats`) instead of Python loops."""

from __future__ import annotations

from collections.abc import Collection, Generator
from datetime import date

from tinycrm.models.reports import LifecycleRow, ReorderRow, ScoreCount, TopCustomer
from tinycrm.purchases import REPEAT_PURCHASE_DAYS
from tinycrm.store.backend import Backend, Connection, stream
from tinycrm.wording import TOTAL_LIMIT

# sale_totals.recent_minor: what was bought in the days up to the last purchase, as many as
# this before it (schema 24), so that it bounds any period of a year ending after that purchase.
RECENT_DAYS = 365

# Purchase summaries up to :asof of the customers whose sale_stats row already includes later
# sales (a look back in time), computed as the sale_stats trigger computes them: purchase days,
# the last one, and the median gap between them.
_LOOK_BACK = """
        WITH late AS (SELECT contact_id FROM sale_stats WHERE last_on > :asof),
        d AS (SELECT contact_id, sold_on FROM sales
              WHERE contact_id IN (SELECT contact_id FROM late) AND sold_on <= :asof
              GROUP BY contact_id, sold_on),
        g AS (SELECT contact_id, julianday(sold_on) - julianday(
                       lag(sold_on) OVER (PARTITION BY contact_id ORDER BY sold_on)) AS gap
              FROM d),
        r AS (SELECT contact_id, gap,
                     row_number() OVER (PARTITION BY contact_id ORDER BY gap) AS rn,
                     count(*) OVER (PARTITION BY contact_id) AS n
              FROM g WHERE gap IS NOT NULL),
        m AS (SELECT contact_id, avg(gap) AS median_gap FROM r
              WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY contact_id),
        look_back AS (
          SELECT d.contact_id, count(*) AS purchases, max(d.sold_on) AS last_on,
                 max(m.median_gap) AS median_gap
          FROM d LEFT JOIN m ON m.contact_id = d.contact_id GROUP BY d.contact_id)"""


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ReportRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def reorder(
        self, as_of: date, until: date, limit: int | None = None
    ) -> tuple[int, list[ReorderRow]]:
        """Active customers with 3+ purchase days (up to `as_of`) whose next purchase, last +
        median interval, falls on or before `until`. Returns (total, first `limit` rows); with
        a limit the total is counted up to TOTAL_LIMIT past the page only (wording.py).

        Customers whose summary already covers `as_of` come straight from `sale_stats`, a
        page of them in due order through the index sale_stats_due; only those with sales
        after `as_of` (a look back in time) are recomputed from `sales`."""
        cte = (
            _LOOK_BACK
            + """,
        h AS (SELECT * FROM look_back WHERE purchases >= :repeat AND median_gap IS NOT NULL),
        hdue AS (SELECT * FROM (SELECT contact_id, purchases, last_on, median_gap,
              date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || ' days') AS due_on FROM h)
              AS computed
          WHERE due_on <= :until)
        """
        )
        summarised = """SELECT s.contact_id, s.purchases, s.last_on, s.median_gap,
                s.next_due_on AS due_on, c.name
            FROM sale_stats s JOIN contacts c ON c.id = s.contact_id
            WHERE s.next_due_on <= :until AND s.last_on <= :asof AND c.archived = 0"""
        looked_back = """SELECT hdue.*, c.name FROM hdue JOIN contacts c ON c.id = hdue.contact_id
            WHERE c.archived = 0"""
        params: dict[str, object] = {
            "asof": as_of.isoformat(),
            "until": until.isoformat(),
            "repeat": REPEAT_PURCHASE_DAYS,
        }
        page = ""
        if limit:
            page = " LIMIT :limit"
            params["limit"] = limit
        sql = f"""{cte}
            SELECT * FROM (
              SELECT * FROM ({summarised}
                ORDER BY s.next_due_on, c.name COLLATE NOCASE, c.id{page}) AS summaries
              UNION ALL {looked_back}) AS due
            ORDER BY due_on, name COLLATE NOCASE, contact_id{page}"""
        rows = self.conn.execute(sql, params).fetchall()
        total = len(rows)
        if limit:
            params["counted"] = TOTAL_LIMIT + 1 + limit
            total = self.conn.execute(
                f"""{cte} SELECT
                    (SELECT count(*) FROM ({summarised} LIMIT :counted) AS a)
                    + (SELECT count(*) FROM ({looked_back} LIMIT :counted) AS b)""",
                params,
            ).fetchone()[0]
        return int(total), [
            ReorderRow(
                r["contact_id"], r["name"], r["purchases"], date.fromisoformat(r["last_on"]),
                r["median_gap"], date.fromisoformat(r["due_on"]),
            )
            for r in rows
        ]  # fmt: skip

    def top(
        self,
        start: date,
        end: date,
        by_profit: bool = False,
        hourly_minor: int = 0,
        limit: int | None = None,
        per_company: bool = False,
        only: Collection[int] | None = None,
    ) -> list[TopCustomer]:
        """Revenue per customer and currency over [start, end], with the time logged on notes
        (minutes) and gifts/discounts (same currency) over the same period. By profit, the
        order is revenue - costs - minutes x hourly cost (integers: everything times 60).
        `per_company`: rows are companies (`contact_id` holds the company's id): the sales that
        belong to each, the time and gifts spent on its people now. `only`: these customers
        (or companies) only."""
        # Whose rows: contacts, or companies (a sale's company, a note's or cost's contact's).
        key, table, of_contact = (
            ("company_id", "companies", "(SELECT id FROM contacts WHERE company_id = rev.id)")
            if per_company
            else ("contact_id", "contacts", "(rev.id)")
        )
        params: dict[str, object] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "hourly": hourly_minor,
        }
        whose = f"{key} IS NOT NULL"
        if only is not None:
            if not only:
                return []
            params.update({f"k{i}": k for i, k in enumerate(only)})
            whose = f"{key} IN ({', '.join(f':k{i}' for i in range(len(only)))})"
        sql = f"""
        WITH rev AS (
          SELECT {key} AS id, currency, sum(amount_minor) AS revenue, count(*) AS sales
          FROM sales WHERE sold_on BETWEEN :start AND :end AND {whose}
          GROUP BY {key}, currency),
        per_row AS (SELECT rev.*, c.name,
          coalesce((SELECT sum(duration_minutes) FROM notes n WHERE n.contact_id IN {of_contact}
                    AND n.noted_on BETWEEN :start AND :end), 0) AS minutes,
          coalesce((SELECT sum(amount_minor) FROM costs k WHERE k.contact_id IN {of_contact}
                    AND k.currency = rev.currency AND k.spent_on BETWEEN :start AND :end), 0)
            AS costs
        FROM rev JOIN {table} c ON c.id = rev.id
        WHERE c.archived = 0)
        SELECT * FROM per_row
        """
        # Ordered outside: PostgreSQL's ORDER BY reads output names only when they stand alone.
        order = "(revenue - costs) * 60 - minutes * :hourly DESC" if by_profit else "revenue DESC"
        sql += f" ORDER BY currency, {order}, name COLLATE NOCASE, id"
        if limit:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [
            TopCustomer(r["id"], r["name"], r["currency"], r["revenue"], r["sales"],
                   r["minutes"], r["costs"])
            for r in self.conn.execute(sql, params)
        ]  # fmt: skip

    def period_revenue(
        self, start: date, end: date, per_company: bool, only: Collection[int]
    ) -> list[tuple[int, str, int]]:
        """(customer or company, currency, revenue over [start, end]) of `only`, as `top`
        sums it (archived ones left out), without the time and gifts `top` adds."""
        key, table = ("company_id", "companies") if per_company else ("contact_id", "contacts")
        if not only:
            return []
        params: dict[str, object] = {"start": start.isoformat(), "end": end.isoformat()}
        params.update({f"k{i}": k for i, k in enumerate(only)})
        rows = self.conn.execute(
            f"""SELECT s.{key}, s.currency, sum(s.amount_minor) FROM sales s
                JOIN {table} c ON c.id = s.{key}
                WHERE s.{key} IN ({", ".join(f":k{i}" for i in range(len(only)))})
                  AND s.sold_on BETWEEN :start AND :end AND c.archived = 0
                GROUP BY s.{key}, s.currency""",
            params,
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    def sale_currencies(self, per_company: bool = False) -> list[str]:
        """The currencies anyone bought in, in order (a walk from one to the next in the
        index, however many customers)."""
        table = "company_sale_totals" if per_company else "sale_totals"
        rows = self.conn.execute(
            f"""WITH RECURSIVE c(code) AS (
                  SELECT min(currency) FROM {table}
                  UNION ALL
                  SELECT (SELECT min(currency) FROM {table} WHERE currency > c.code) FROM c
                  WHERE c.code IS NOT NULL)
                SELECT code FROM c WHERE code IS NOT NULL"""
        )
        return [str(r[0]) for r in rows]

    def by_recent_total(
        self, currency: str, per_company: bool, start: date, until: date
    ) -> Generator[tuple[int, int], None, None]:
        """(customer or company, what they bought in `currency` in the RECENT_DAYS up to their
        last purchase, kept), the most first, of those whose last purchase falls in [start,
        until]: a bound of what they bought in any period from `start` if `until` is at most
        RECENT_DAYS after it and the period ends on or after `until`."""
        table = "company_sale_totals" if per_company else "sale_totals"
        key = "company_id" if per_company else "contact_id"
        rows = stream(
            self.db,
            f"""SELECT {key}, recent_minor FROM {table} WHERE currency = :currency
                  AND last_on BETWEEN :start AND :until ORDER BY recent_minor DESC""",
            {"currency": currency, "start": start.isoformat(), "until": until.isoformat()},
        )
        for row in rows:
            yield int(row[0]), int(row[1])

    def by_lifetime_total(
        self, currency: str, per_company: bool, after: date, floor: int
    ) -> Generator[tuple[int, int], None, None]:
        """(customer or company, everything they bought in `currency`, kept), the most first,
        of those who bought after `after` and at least `floor` in all: a bound of what they
        bought in any period."""
        table = "company_sale_totals" if per_company else "sale_totals"
        key = "company_id" if per_company else "contact_id"
        rows = stream(
            self.db,
            f"""SELECT {key}, total_minor FROM {table} WHERE currency = :currency
                  AND total_minor >= :floor AND last_on > :after ORDER BY total_minor DESC""",
            {"currency": currency, "floor": floor, "after": after.isoformat()},
        )
        for row in rows:
            yield int(row[0]), int(row[1])

    def sold_after(self, day: date) -> bool:
        """Whether any sale is dated after `day` (through the index on the day)."""
        row = self.conn.execute(
            "SELECT 1 FROM sales WHERE sold_on > ? LIMIT 1", (day.isoformat(),)
        ).fetchone()
        return row is not None

    def lifecycle(self, as_of: date) -> Generator[LifecycleRow, None, None]:
        """Every active contact by name with what the lifecycle rules need: purchases up to
        `as_of` from sale_stats, or recomputed (`look_back`) for contacts with sales after it.
        Read a batch at a time (`stream`): close the generator to stop early."""
        sql = (
            _LOOK_BACK
            + """
        SELECT c.id, c.name, c.stage, c.cadence_in_force AS cadence,
          (SELECT max(changed_on) FROM stage_history h
           WHERE h.contact_id = c.id AND h.changed_on <= :asof) AS stage_since,
          c.last_touch_on AS last_touch,
          CASE WHEN s.last_on > :asof THEN coalesce(b.purchases, 0)
               ELSE coalesce(s.purchases, 0) END AS purchases,
          CASE WHEN s.last_on > :asof THEN b.last_on ELSE s.last_on END AS last_on,
          CASE WHEN s.last_on > :asof THEN b.median_gap ELSE s.median_gap END AS median_gap
        FROM contacts c LEFT JOIN sale_stats s ON s.contact_id = c.id
        LEFT JOIN look_back b ON b.contact_id = c.id
        WHERE c.archived = 0
        ORDER BY c.name COLLATE NOCASE, c.id
        """
        )
        for r in stream(self.db, sql, {"asof": as_of.isoformat()}):
            yield LifecycleRow(
                r["id"], r["name"], r["stage"], _d(r["stage_since"]), r["cadence"],
                _d(r["last_touch"]), r["purchases"], _d(r["last_on"]), r["median_gap"],
            )  # fmt: skip

    def score_counts(self, start: date, end: date) -> list[ScoreCount]:
        """Scores per month, scale, score and origin over [start, end], from the counts kept
        per day (`score_counts`: a few dozen rows a day, however many contacts scored)."""
        rows = self.conn.execute(
            """SELECT substr(scored_on, 1, 7) AS month, scale, score, by_survey,
                      sum(scores) AS n
               FROM score_counts
               WHERE scored_on BETWEEN ? AND ?
               GROUP BY month, scale, score, by_survey ORDER BY month, scale, score""",
            (start.isoformat(), end.isoformat()),
        )
        return [
            ScoreCount(r["month"], r["scale"], r["score"], int(r["n"]), bool(r["by_survey"]))
            for r in rows
        ]

    def survey_counts(self, start: date, end: date) -> list[tuple[str, int, int]]:
        """(month, surveys e-mailed, of them answered) by the month they were sent, from the
        counts kept per day (`survey_counts`)."""
        rows = self.conn.execute(
            """SELECT substr(sent_on, 1, 7) AS month, sum(sent), sum(answered)
               FROM survey_counts WHERE sent_on BETWEEN ? AND ?
               GROUP BY month ORDER BY month""",
            (start.isoformat(), end.isoformat()),
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def bounced_surveys(self, start: date, end: date) -> dict[str, int]:
        """{month: surveys e-mailed then that bounced and were not answered}, by the month
        they were sent; read from the bounces collected since `start` (they are few)."""
        rows = self.conn.execute(
            """SELECT substr(s.sent_on, 1, 7) AS month, count(DISTINCT s.id)
               FROM mail_messages b JOIN survey_requests s ON s.id = b.survey_id
               WHERE b.outcome = 'bounced' AND b.collected_on >= ?
                 AND s.sent_on BETWEEN ? AND ? AND s.answered_on IS NULL
               GROUP BY month""",
            (start.isoformat(), start.isoformat(), end.isoformat()),
        )
        return {r[0]: int(r[1]) for r in rows}

    def co_purchases(self, contact_id: int, limit: int) -> tuple[int, list[tuple[str, int]]]:
        """Products bought by customers who share a product with this one, that this one has
        not bought: (number of similar customers, [(product, customers who bought it)])."""
        # The customer's products first, as parameters: from an estimate of them PostgreSQL
        # hashed every sale and sale item even for a customer without any (5.8 s at 1M).
        mine = [
            str(row[0])
            for row in self.conn.execute(
                """SELECT DISTINCT i.product FROM sales s JOIN sale_items i ON i.sale_id = s.id
                   WHERE s.contact_id = ?""",
                (contact_id,),
            )
        ]
        if not mine:
            return 0, []
        params: dict[str, object] = {"me": contact_id, "limit": limit}
        params.update({f"p{n}": product for n, product in enumerate(mine)})
        products = ",".join(f":p{n}" for n in range(len(mine)))
        peers_sql = f"""
        WITH peers AS (SELECT DISTINCT s.contact_id
                       FROM sale_items i JOIN sales s ON s.id = i.sale_id
                       JOIN contacts c ON c.id = s.contact_id
                       WHERE i.product IN ({products}) AND s.contact_id != :me
                         AND c.archived = 0)
        """
        peers = self.conn.execute(peers_sql + "SELECT count(*) FROM peers", params).fetchone()[0]
        if not peers:
            return 0, []
        rows = self.conn.execute(
            peers_sql
            + f"""SELECT i.product, count(DISTINCT s.contact_id) AS evidence
                 FROM sales s JOIN sale_items i ON i.sale_id = s.id
                 WHERE s.contact_id IN (SELECT contact_id FROM peers)
                   AND i.product NOT IN ({products})
                 GROUP BY i.product ORDER BY evidence DESC, i.product LIMIT :limit""",
            params,
        )
        return int(peers), [(r["product"], r["evidence"]) for r in rows]
