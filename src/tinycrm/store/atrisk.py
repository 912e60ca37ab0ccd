"""SQL for the at-risk customers (`crm report at-risk`, the digest's at-risk section): active
contacts losing touch, with falling or low satisfaction, or with open cases, ranked from the
small sets first (see `AtRiskRepo.at_risk`).

"Losing touch" is the follow-up queue's rule, read from the same generated column: the
contact's keep-in-touch check-in (`contacts.check_in_due_on`) is overdue, and not snoozed to
`as_of` or later (docs/follow-ups.md)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from tinycrm.store.backend import Backend, Connection, Row


class AtRiskRow(NamedTuple):
    contact_id: int
    name: str
    cadence_days: int | None  # the keep-in-touch interval in force
    last_contact_on: date | None  # latest logged interaction (None: never)
    check_in_due_on: date | None  # the overdue check-in's day; None: not losing touch
    days_late: int | None  # days since then, as the queue counts them
    score: int | None  # latest score when satisfaction is falling or low
    previous_score: int | None
    scale: str | None
    satisfaction: str | None  # 'falling' (on the same scale) or 'low'
    open_cases: int
    next_case_target: date | None


# A contact row `c` whose check-in, overdue on :asof, is snoozed to :asof or later (the queue
# shows it on that day instead).
_SNOOZED_MARK = """m.contact_id = c.id AND m.kind = 'check-in' AND m.subject = ''
    AND m.occurrence_on = c.check_in_due_on AND m.status = 'snoozed' AND m.snoozed_until >= :asof"""
_SNOOZED = f"EXISTS (SELECT 1 FROM occurrence_marks m WHERE {_SNOOZED_MARK})"

# Why a latest score `score` (scale `scale`) after `prev_score` (`prev_scale`) is a risk:
# lower than the one before on the same scale, else low (vocabulary.LOW_SCORE); NULL: neither.
_SATISFACTION = """CASE WHEN prev_scale = scale AND score < prev_score THEN 'falling'
    WHEN score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END THEN 'low' END"""


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class AtRiskRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def at_risk(self, as_of: date, limit: int | None = None) -> tuple[int, list[AtRiskRow]]:
        """Active contacts losing touch (check-in overdue on `as_of`), with falling or low
        satisfaction (latest score below the previous one on the same scale, or CSAT <= 2 /
        NPS <= 6), or with cases open on `as_of`. Most reasons first, then the oldest overdue
        check-in, then id. Returns (total, first `limit` rows; all with no or a non-positive
        limit).

        Touch alone flags tens of thousands of contacts; the other two reasons flag a few
        thousand at most. Every contact with two or three reasons is in that small set
        (`few`), so it is ranked on its own; contacts flagged by touch alone follow in
        `due, id` order straight from the contacts_check_in_due index (only as many as the
        page needs), then the rest of the small set (no touch reason) by id. The total is the
        index range count of touch plus the small set outside it."""
        params = {"asof": as_of.isoformat()}
        page_size = limit if limit and limit > 0 else None
        few = self._at_risk_few(as_of.isoformat(), page_size)
        touch_total = self.conn.execute(
            f"""SELECT (SELECT count(*) FROM contacts WHERE check_in_due_on < :asof)
                - (SELECT count(*) FROM occurrence_marks m INDEXED BY occurrence_marks_snoozed
                   JOIN contacts c ON c.id = m.contact_id
                   WHERE c.check_in_due_on < :asof AND {_SNOOZED_MARK})""",
            params,
        ).fetchone()[0]
        few_total = few[0]["n_few"] if few else 0
        few_in_touch = few[0]["n_touch"] if few else 0
        total = int(touch_total) + few_total - few_in_touch
        several = [r for r in few if r["reasons"] > 1]
        page: list[Row] = several
        if page_size is None or len(page) < page_size:
            # The page reaches the contacts with one reason. Then every contact of `few` in
            # touch has two reasons and is in `several`: skip those in the index walk.
            seen = {r["id"] for r in several if r["due"] is not None}
            wanted = None if page_size is None else page_size - len(page) + len(seen)
            touch_only = [
                r for r in self.conn.execute(
                    f"""SELECT id, check_in_due_on AS due, name, cadence_in_force AS cadence,
                          last_touch_on AS last_touch, NULL AS score, NULL AS prev_score,
                          NULL AS scale, NULL AS satisfaction, 0 AS open_cases,
                          NULL AS next_target
                        FROM contacts c WHERE check_in_due_on < :asof AND NOT {_SNOOZED}
                        ORDER BY check_in_due_on, id{"" if wanted is None else " LIMIT :wanted"}""",
                    {**params, "wanted": wanted},
                )
                if r["id"] not in seen
            ]  # fmt: skip
            page = page + touch_only + [r for r in few if r["reasons"] == 1]
            if page_size is not None:
                page = page[:page_size]
        result = [
            AtRiskRow(
                contact_id=r["id"],
                name=r["name"],
                cadence_days=r["cadence"],
                last_contact_on=_d(r["last_touch"]),
                check_in_due_on=_d(r["due"]),
                days_late=(as_of - date.fromisoformat(r["due"])).days if r["due"] else None,
                score=r["score"],
                previous_score=r["prev_score"],
                scale=r["scale"],
                satisfaction=r["satisfaction"],
                open_cases=r["open_cases"],
                next_case_target=_d(r["next_target"]),
            )
            for r in page
        ]
        return (total if result else 0), result

    def _at_risk_few(self, asof: str, limit: int | None) -> list[Row]:
        """The active contacts with falling or low satisfaction or open cases on `asof`,
        ranked (reasons DESC, due IS NULL, due, id) with their details; only the first
        `limit`. Each row also carries the size of the whole set (n_few) and how many of it
        are in touch (n_touch).

        Satisfaction comes from score_stats (risk = 1) where its latest score is on or before
        `asof`, else from the history (`hist`: contacts scored after `asof`), whose details
        ride along in `few`. `oc` is MATERIALIZED so that the page's LEFT JOIN reads it
        through an automatic index instead of recomputing it per row; `hist` is never joined
        (SQLite would scan it per row). Whether each contact of `few` is archived and when
        its check-in falls due come from the narrow contacts_check_in index (INDEXED BY:
        SQLite would otherwise read the table rows by id)."""
        sql = f"""
        WITH late AS (SELECT contact_id FROM score_stats WHERE last_on > :asof),
        hist AS MATERIALIZED (
          SELECT contact_id, score, prev_score, scale, {_SATISFACTION} AS satisfaction FROM (
            SELECT contact_id, score, scale,
                   lag(score) OVER w AS prev_score, lag(scale) OVER w AS prev_scale,
                   row_number() OVER (PARTITION BY contact_id ORDER BY scored_on DESC, id DESC)
                     AS rn
            FROM satisfaction
            WHERE contact_id IN (SELECT contact_id FROM late) AND scored_on <= :asof
            WINDOW w AS (PARTITION BY contact_id ORDER BY scored_on, id)) AS latest
          WHERE rn = 1 AND {_SATISFACTION} IS NOT NULL),
        oc AS MATERIALIZED (
          SELECT contact_id, count(*) AS n, min(target_on) AS next_target FROM cases
          WHERE (resolved_on IS NULL OR resolved_on > :asof) AND opened_on <= :asof
          GROUP BY contact_id),
        few AS MATERIALIZED (
          SELECT src.*, c.archived, c.check_in_due_on AS due,
                 c.check_in_due_on < :asof AND NOT {_SNOOZED} AS overdue FROM (
            SELECT id, count(*) AS reasons, max(h_score) AS h_score, max(h_prev) AS h_prev,
                   max(h_scale) AS h_scale, max(h_why) AS h_why FROM (
              SELECT contact_id AS id, NULL AS h_score, NULL AS h_prev, NULL AS h_scale,
                     NULL AS h_why
              FROM score_stats WHERE risk = 1 AND last_on <= :asof
              UNION ALL SELECT contact_id, score, prev_score, scale, satisfaction FROM hist
              UNION ALL SELECT contact_id, NULL, NULL, NULL, NULL FROM oc) AS flagged
            GROUP BY id) AS src
          LEFT JOIN contacts c INDEXED BY contacts_check_in ON c.id = src.id),
        ranked AS (
          SELECT id, reasons + CASE WHEN due IS NOT NULL THEN 1 ELSE 0 END AS reasons, due,
                 h_score, h_prev, h_scale, h_why
          FROM (
            SELECT id, reasons, h_score, h_prev, h_scale, h_why,
                   CASE WHEN overdue THEN due END AS due
            FROM few WHERE coalesce(archived, 0) <> 1) AS flagged),
        sizes AS MATERIALIZED (SELECT count(*) AS n_few, count(due) AS n_touch FROM ranked),
        page AS (
          SELECT ranked.*, n_few, n_touch FROM ranked, sizes
          ORDER BY reasons DESC, due IS NULL, due, id
          {"LIMIT :limit" if limit else ""})
        SELECT page.*, c.name, c.cadence_in_force AS cadence, c.last_touch_on AS last_touch,
               CASE WHEN s.contact_id IS NULL THEN h_score ELSE s.score END AS score,
               CASE WHEN s.contact_id IS NULL THEN h_prev ELSE s.prev_score END AS prev_score,
               CASE WHEN s.contact_id IS NULL THEN h_scale ELSE s.scale END AS scale,
               CASE WHEN s.contact_id IS NULL THEN h_why ELSE {_SATISFACTION}
               END AS satisfaction,
               coalesce(oc.n, 0) AS open_cases, oc.next_target
        FROM page JOIN contacts c ON c.id = page.id
        LEFT JOIN score_stats s
          ON s.contact_id = page.id AND s.risk = 1 AND s.last_on <= :asof
        LEFT JOIN oc ON oc.contact_id = page.id
        ORDER BY page.reasons DESC, page.due IS NULL, page.due, page.id
        """
        return self.conn.execute(sql, {"asof": asof, "limit": limit}).fetchall()
