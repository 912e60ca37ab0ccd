"""SQL for the analytical reports: reorder, at-risk, top customers, lifecycle, satisfaction,
product suggestions. Aggregation happens here, in SQL, so 100k customers with 500k sales are
read through indexes (and the trigger-maintained `sale_stats`) instead of Python loops."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from datetime import date

from tinycrm.store.connection import Database
from tinycrm.store.schema import CADENCE_SQL, LAST_TOUCH_SQL, TOUCH_DUE_SQL


@dataclass(frozen=True)
class ReorderRow:
    contact_id: int
    name: str
    purchases: int
    last_on: date
    median_gap: float
    due_on: date


@dataclass(frozen=True)
class AtRiskRow:
    contact_id: int
    name: str
    cadence_days: int | None
    last_contact_on: date | None  # latest interaction or purchase
    days_silent: int | None  # days since then, when beyond the cadence
    score: int | None  # latest score when satisfaction is falling or low
    previous_score: int | None
    scale: str | None
    open_cases: int
    next_case_target: date | None


@dataclass(frozen=True)
class TopRow:
    contact_id: int
    name: str
    currency: str
    revenue_minor: int
    sales: int
    minutes: int
    costs_minor: int


@dataclass(frozen=True)
class LifecycleRow:
    contact_id: int
    name: str
    stage: str | None
    stage_since: date | None
    cadence_days: int | None
    last_touch_on: date | None
    purchases: int
    last_sale_on: date | None
    median_gap: float | None


@dataclass(frozen=True)
class ScoreCount:
    month: str
    scale: str
    score: int
    count: int


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ReportRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def reorder(
        self, as_of: date, until: date, limit: int | None = None
    ) -> tuple[int, list[ReorderRow]]:
        """Active customers with 3+ purchase days (up to `as_of`) whose next purchase, last +
        median interval, falls on or before `until`. Returns (total, first `limit` rows).

        Customers whose summary already covers `as_of` come straight from `sale_stats` (index
        sale_stats_due); only those with sales after `as_of` (a look back in time) are
        recomputed from `sales`."""
        cte = """
        WITH late AS (SELECT contact_id FROM sale_stats WHERE last_on > :asof),
        d AS (SELECT contact_id, sold_on FROM sales
              WHERE contact_id IN late AND sold_on <= :asof GROUP BY contact_id, sold_on),
        g AS (SELECT contact_id, julianday(sold_on) - julianday(
                       lag(sold_on) OVER (PARTITION BY contact_id ORDER BY sold_on)) AS gap
              FROM d),
        r AS (SELECT contact_id, gap,
                     row_number() OVER (PARTITION BY contact_id ORDER BY gap) AS rn,
                     count(*) OVER (PARTITION BY contact_id) AS n
              FROM g WHERE gap IS NOT NULL),
        m AS (SELECT contact_id, avg(gap) AS median_gap FROM r
              WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY contact_id),
        h AS (SELECT d.contact_id, count(*) AS purchases, max(d.sold_on) AS last_on, m.median_gap
              FROM d JOIN m ON m.contact_id = d.contact_id
              GROUP BY d.contact_id HAVING count(*) >= 3),
        hdue AS (SELECT * FROM (SELECT contact_id, purchases, last_on, median_gap,
              date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || ' days') AS due_on FROM h)
          WHERE due_on <= :until),
        archived AS (SELECT id FROM contacts WHERE archived = 1)
        """
        params: dict[str, object] = {"asof": as_of.isoformat(), "until": until.isoformat()}
        total = self.conn.execute(
            cte
            + """SELECT (SELECT count(*) FROM sale_stats
                         WHERE next_due_on <= :until AND last_on <= :asof)
                      - (SELECT count(*) FROM sale_stats WHERE contact_id IN archived
                         AND next_due_on <= :until AND last_on <= :asof)
                      + (SELECT count(*) FROM hdue WHERE contact_id NOT IN archived)""",
            params,
        ).fetchone()[0]
        sql = (
            cte
            + """
        SELECT due.*, c.name FROM (
          SELECT contact_id, purchases, last_on, median_gap, next_due_on AS due_on
          FROM sale_stats WHERE next_due_on <= :until AND last_on <= :asof
          UNION ALL SELECT * FROM hdue) AS due
        JOIN contacts c ON c.id = due.contact_id
        WHERE c.archived = 0
        ORDER BY due.due_on, c.name COLLATE NOCASE, c.id
        """
        )
        if limit:
            sql += " LIMIT :limit"
            params["limit"] = limit
        rows = self.conn.execute(sql, params).fetchall()
        return int(total), [
            ReorderRow(
                r["contact_id"], r["name"], r["purchases"], date.fromisoformat(r["last_on"]),
                r["median_gap"], date.fromisoformat(r["due_on"]),
            )
            for r in rows
        ]  # fmt: skip

    def at_risk(self, as_of: date, limit: int | None = None) -> tuple[int, list[AtRiskRow]]:
        """Active contacts losing touch (keep-in-touch check-in overdue on `as_of`), with
        falling or low satisfaction (latest score below the previous one on the same scale, or
        CSAT <= 2 / NPS <= 6), or with cases open on `as_of`. Most reasons first, then the
        longest silence. Returns (total, first `limit` rows; all with no or a non-positive
        limit).

        Touch alone flags tens of thousands of contacts; the other two reasons flag a few
        thousand at most. Every contact with two or three reasons is in that small set
        (`few`), so it is ranked on its own; contacts flagged by touch alone follow in
        `due, id` order straight from the contacts_touch_due index (only as many as the page
        needs), then the rest of the small set (no touch reason: due NULL) by id. The total
        is the index range count of touch plus the small set outside it."""
        asof = as_of.isoformat()
        page_size = limit if limit and limit > 0 else None
        few = self._at_risk_few(asof, page_size)
        touch_total = self.conn.execute(
            f"SELECT count(*) FROM contacts WHERE archived = 0 AND {TOUCH_DUE_SQL} < ?", (asof,)
        ).fetchone()[0]
        few_total = few[0]["n_few"] if few else 0
        few_in_touch = few[0]["n_touch"] if few else 0
        total = int(touch_total) + few_total - few_in_touch
        several = [r for r in few if r["reasons"] > 1]
        page: list[sqlite3.Row] = several
        if page_size is None or len(page) < page_size:
            # The page reaches the contacts with one reason. Then every contact of `few` in
            # touch has two reasons and is in `several`: skip those in the index walk.
            seen = {r["id"] for r in several if r["due"] is not None}
            wanted = -1 if page_size is None else page_size - len(page) + len(seen)
            touch_only = [
                r for r in self.conn.execute(
                    f"""SELECT id, {TOUCH_DUE_SQL} AS due, name, {CADENCE_SQL} AS cadence,
                          {LAST_TOUCH_SQL} AS last_touch, NULL AS score, NULL AS prev_score,
                          NULL AS scale, 0 AS open_cases, NULL AS next_target
                        FROM contacts WHERE archived = 0 AND {TOUCH_DUE_SQL} < ?
                        ORDER BY {TOUCH_DUE_SQL}, id LIMIT ?""",
                    (asof, wanted),
                )
                if r["id"] not in seen
            ]  # fmt: skip
            page = page + touch_only + [r for r in few if r["reasons"] == 1]
            if page_size is not None:
                page = page[:page_size]
        result = []
        for r in page:
            last = _d(r["last_touch"])
            result.append(
                AtRiskRow(
                    contact_id=r["id"],
                    name=r["name"],
                    cadence_days=r["cadence"],
                    last_contact_on=last,
                    days_silent=(as_of - last).days if r["due"] and last else None,
                    score=r["score"],
                    previous_score=r["prev_score"],
                    scale=r["scale"],
                    open_cases=r["open_cases"],
                    next_case_target=_d(r["next_target"]),
                )
            )
        return (total if result else 0), result

    def _at_risk_few(self, asof: str, limit: int | None) -> list[sqlite3.Row]:
        """The active contacts with falling or low satisfaction or open cases on `asof`,
        ranked (reasons DESC, due IS NULL, due, id) with their details; only the first
        `limit`. Each row also carries the size of the whole set (n_few) and how many of it
        are in touch (n_touch).

        Satisfaction comes from score_stats (risk = 1) where its latest score is on or before
        `asof`, else from the history (`hist`: contacts scored after `asof`), whose details
        ride along in `few`. `oc` is MATERIALIZED so that the page's LEFT JOIN reads it
        through an automatic index instead of recomputing it per row (the quadratic plan of
        the old query); `hist` is never joined (SQLite would scan it per row)."""
        sql = f"""
        WITH late AS (SELECT contact_id FROM score_stats WHERE last_on > :asof),
        hist AS MATERIALIZED (
          SELECT contact_id, score, prev_score, scale FROM (
            SELECT contact_id, score, scale,
                   lag(score) OVER w AS prev_score, lag(scale) OVER w AS prev_scale,
                   row_number() OVER (PARTITION BY contact_id ORDER BY scored_on DESC, id DESC)
                     AS rn
            FROM satisfaction WHERE contact_id IN late AND scored_on <= :asof
            WINDOW w AS (PARTITION BY contact_id ORDER BY scored_on, id))
          WHERE rn = 1 AND (coalesce(prev_scale = scale AND score < prev_score, 0)
                            OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END)),
        oc AS MATERIALIZED (
          SELECT contact_id, count(*) AS n, min(target_on) AS next_target FROM cases
          WHERE (resolved_on IS NULL OR resolved_on > :asof) AND opened_on <= :asof
          GROUP BY contact_id),
        few AS MATERIALIZED (
          SELECT src.*, c.archived, {TOUCH_DUE_SQL} AS due FROM (
            SELECT id, count(*) AS reasons, max(h_score) AS h_score, max(h_prev) AS h_prev,
                   max(h_scale) AS h_scale FROM (
              SELECT contact_id AS id, NULL AS h_score, NULL AS h_prev, NULL AS h_scale
              FROM score_stats WHERE risk = 1 AND last_on <= :asof
              UNION ALL SELECT contact_id, score, prev_score, scale FROM hist
              UNION ALL SELECT contact_id, NULL, NULL, NULL FROM oc)
            GROUP BY id) AS src
          LEFT JOIN contacts c ON c.id = src.id),
        ranked AS (
          SELECT id, reasons + (due IS NOT NULL) AS reasons, due, h_score, h_prev, h_scale
          FROM (
            SELECT id, reasons, h_score, h_prev, h_scale,
                   CASE WHEN archived = 0 AND due < :asof THEN due END AS due
            FROM few WHERE archived IS NOT 1)),
        page AS (
          SELECT ranked.*, count(*) OVER () AS n_few, count(due) OVER () AS n_touch
          FROM ranked ORDER BY reasons DESC, due IS NULL, due, id
          {"LIMIT :limit" if limit else ""})
        SELECT page.*, c.name, {CADENCE_SQL} AS cadence, {LAST_TOUCH_SQL} AS last_touch,
               CASE WHEN s.contact_id IS NULL THEN h_score ELSE s.score END AS score,
               CASE WHEN s.contact_id IS NULL THEN h_prev ELSE s.prev_score END AS prev_score,
               CASE WHEN s.contact_id IS NULL THEN h_scale ELSE s.scale END AS scale,
               coalesce(oc.n, 0) AS open_cases, oc.next_target
        FROM page JOIN contacts c ON c.id = page.id
        LEFT JOIN score_stats s
          ON s.contact_id = page.id AND s.risk = 1 AND s.last_on <= :asof
        LEFT JOIN oc ON oc.contact_id = page.id
        ORDER BY page.reasons DESC, page.due IS NULL, page.due, page.id
        """
        return self.conn.execute(sql, {"asof": asof, "limit": limit}).fetchall()

    def top(
        self,
        start: date,
        end: date,
        by_profit: bool = False,
        hourly_minor: int = 0,
        limit: int | None = None,
    ) -> list[TopRow]:
        """Revenue per customer and currency over [start, end], with the time logged on notes
        (minutes) and gifts/discounts (same currency) over the same period. By profit, the
        order is revenue - costs - minutes x hourly cost (integers: everything times 60)."""
        sql = """
        WITH rev AS (
          SELECT contact_id, currency, sum(amount_minor) AS revenue, count(*) AS sales
          FROM sales WHERE sold_on BETWEEN :start AND :end GROUP BY contact_id, currency)
        SELECT rev.*, c.name,
          coalesce((SELECT sum(duration_minutes) FROM notes n WHERE n.contact_id = rev.contact_id
                    AND n.noted_on BETWEEN :start AND :end), 0) AS minutes,
          coalesce((SELECT sum(amount_minor) FROM costs k WHERE k.contact_id = rev.contact_id
                    AND k.currency = rev.currency AND k.spent_on BETWEEN :start AND :end), 0)
            AS costs
        FROM rev JOIN contacts c ON c.id = rev.contact_id
        WHERE c.archived = 0
        """
        order = (
            "(rev.revenue - costs) * 60 - minutes * :hourly DESC"
            if by_profit
            else "rev.revenue DESC"
        )
        sql += f" ORDER BY rev.currency, {order}, c.name COLLATE NOCASE, c.id"
        params: dict[str, object] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "hourly": hourly_minor,
        }
        if limit:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [
            TopRow(r["contact_id"], r["name"], r["currency"], r["revenue"], r["sales"],
                   r["minutes"], r["costs"])
            for r in self.conn.execute(sql, params)
        ]  # fmt: skip

    def lifecycle(self, as_of: date) -> list[LifecycleRow]:
        """Every active contact with what the lifecycle rules need."""
        sql = f"""
        SELECT c.id, c.name, c.stage, {CADENCE_SQL.replace("cadence_days", "c.cadence_days")}
            AS cadence,
          (SELECT max(changed_on) FROM stage_history h
           WHERE h.contact_id = c.id AND h.changed_on <= :asof) AS stage_since,
          {LAST_TOUCH_SQL} AS last_touch,
          coalesce(s.purchases, 0) AS purchases, s.last_on, s.median_gap,
          s.last_on > :asof AS late
        FROM contacts c LEFT JOIN sale_stats s ON s.contact_id = c.id
        WHERE c.archived = 0
        ORDER BY c.name COLLATE NOCASE, c.id
        """
        rows = self.conn.execute(sql, {"asof": as_of.isoformat()}).fetchall()
        late = [r["id"] for r in rows if r["late"]]
        recomputed = self._purchase_summary(late, as_of) if late else {}
        result = []
        for r in rows:
            purchases, last_on, gap = r["purchases"], r["last_on"], r["median_gap"]
            if r["late"]:
                purchases, last_on, gap = recomputed.get(r["id"], (0, None, None))
            result.append(
                LifecycleRow(
                    r["id"], r["name"], r["stage"], _d(r["stage_since"]), r["cadence"],
                    _d(r["last_touch"]), purchases, _d(last_on), gap,
                )
            )  # fmt: skip
        return result

    def _purchase_summary(
        self, ids: list[int], as_of: date
    ) -> dict[int, tuple[int, str | None, float | None]]:
        """(purchase days, last day, median gap) up to `as_of` for a few contacts."""
        result: dict[int, tuple[int, str | None, float | None]] = {}
        for contact_id in ids:
            days = [
                date.fromisoformat(row[0])
                for row in self.conn.execute(
                    """SELECT DISTINCT sold_on FROM sales WHERE contact_id = ? AND sold_on <= ?
                       ORDER BY sold_on""",
                    (contact_id, as_of.isoformat()),
                )
            ]
            gaps = sorted((b - a).days for a, b in itertools.pairwise(days))
            median = None
            if gaps:
                mid = len(gaps) // 2
                median = float(gaps[mid]) if len(gaps) % 2 else (gaps[mid - 1] + gaps[mid]) / 2
            result[contact_id] = (len(days), days[-1].isoformat() if days else None, median)
        return result

    def score_counts(self, start: date, end: date) -> list[ScoreCount]:
        rows = self.conn.execute(
            """SELECT substr(scored_on, 1, 7) AS month, scale, score, count(*) AS n
               FROM satisfaction s JOIN contacts c ON c.id = s.contact_id
               WHERE scored_on BETWEEN ? AND ?
               GROUP BY month, scale, score ORDER BY month, scale, score""",
            (start.isoformat(), end.isoformat()),
        )
        return [ScoreCount(r["month"], r["scale"], r["score"], r["n"]) for r in rows]

    def co_purchases(self, contact_id: int, limit: int) -> tuple[int, list[tuple[str, int]]]:
        """Products bought by customers who share a product with this one, that this one has
        not bought: (number of similar customers, [(product, customers who bought it)])."""
        peers_sql = """
        WITH mine AS (SELECT DISTINCT i.product FROM sales s JOIN sale_items i ON i.sale_id = s.id
                      WHERE s.contact_id = :me),
        peers AS (SELECT DISTINCT s.contact_id FROM sale_items i JOIN sales s ON s.id = i.sale_id
                  JOIN contacts c ON c.id = s.contact_id
                  WHERE i.product IN mine AND s.contact_id != :me AND c.archived = 0)
        """
        peers = self.conn.execute(
            peers_sql + "SELECT count(*) FROM peers", {"me": contact_id}
        ).fetchone()[0]
        rows = self.conn.execute(
            peers_sql
            + """SELECT i.product, count(DISTINCT s.contact_id) AS evidence
                 FROM sales s JOIN sale_items i ON i.sale_id = s.id
                 WHERE s.contact_id IN peers AND i.product NOT IN mine
                 GROUP BY i.product ORDER BY evidence DESC, i.product LIMIT :limit""",
            {"me": contact_id, "limit": limit},
        )
        return int(peers), [(r["product"], r["evidence"]) for r in rows]
