"""REFERENCE IMPLEMENTATION of `ReportRepo.at_risk`, copied verbatim (but for `self`) from
src/tinycrm/store/reports.py before the at-risk ranking was rewritten for speed (branch
perf-atrisk). Slow (a quadratic plan for limit=None) but the definition of the expected result:
tests/test_at_risk_equivalence.py checks the fast version returns exactly the same rows and
total. Test-only; do not use from src/."""

from __future__ import annotations

import sqlite3
from datetime import date

from tinycrm.store.atrisk import AtRiskRow
from tinycrm.store.schema import CADENCE_SQL, LAST_TOUCH_SQL, TOUCH_DUE_SQL


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def at_risk_reference(
    conn: sqlite3.Connection, as_of: date, limit: int | None = None
) -> tuple[int, list[AtRiskRow]]:
    """Active contacts losing touch (keep-in-touch check-in overdue on `as_of`), with
    falling or low satisfaction (latest score below the previous one on the same scale, or
    CSAT <= 2 / NPS <= 6), or with cases open on `as_of`. Most reasons first, then the
    longest silence. Returns (total, first `limit` rows).

    The candidate sets come from indexes (contacts_touch_due, score_stats, cases_open);
    only the page is joined to names and details."""
    sql = f"""
    WITH late AS (SELECT contact_id FROM score_stats WHERE last_on > :asof),
    hist AS (
      SELECT contact_id, score, prev_score, scale FROM (
        SELECT contact_id, score, scale,
               lag(score) OVER w AS prev_score, lag(scale) OVER w AS prev_scale,
               row_number() OVER (PARTITION BY contact_id ORDER BY scored_on DESC, id DESC)
                 AS rn
        FROM satisfaction WHERE contact_id IN late AND scored_on <= :asof
        WINDOW w AS (PARTITION BY contact_id ORDER BY scored_on, id))
      WHERE rn = 1 AND (coalesce(prev_scale = scale AND score < prev_score, 0)
                        OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END)),
    sat AS (
      SELECT contact_id, score, prev_score, scale FROM score_stats
      WHERE risk = 1 AND last_on <= :asof
      UNION ALL SELECT * FROM hist),
    oc AS (
      SELECT contact_id, count(*) AS n, min(target_on) AS next_target FROM cases
      WHERE (resolved_on IS NULL OR resolved_on > :asof) AND opened_on <= :asof
      GROUP BY contact_id),
    archived AS (SELECT id FROM contacts WHERE archived = 1),
    flagged AS (
      SELECT id, max(due) AS due, count(*) AS reasons FROM (
        SELECT id, {TOUCH_DUE_SQL} AS due FROM contacts
        WHERE archived = 0 AND {TOUCH_DUE_SQL} < :asof
        UNION ALL SELECT contact_id, NULL FROM sat WHERE contact_id NOT IN archived
        UNION ALL SELECT contact_id, NULL FROM oc WHERE contact_id NOT IN archived)
      GROUP BY id),
    page AS (
      SELECT flagged.*, count(*) OVER () AS total FROM flagged
      ORDER BY reasons DESC, due IS NULL, due, id {"LIMIT :limit" if limit else ""})
    SELECT page.id, page.due, page.total, c.name, {CADENCE_SQL} AS cadence,
           {LAST_TOUCH_SQL} AS last_touch, sat.score, sat.prev_score, sat.scale,
           coalesce(oc.n, 0) AS open_cases, oc.next_target
    FROM page JOIN contacts c ON c.id = page.id
    LEFT JOIN sat ON sat.contact_id = page.id LEFT JOIN oc ON oc.contact_id = page.id
    ORDER BY page.reasons DESC, page.due IS NULL, page.due, page.id
    """
    params: dict[str, object] = {"asof": as_of.isoformat(), "limit": limit}
    rows = conn.execute(sql, params).fetchall()
    total = rows[0]["total"] if rows else 0
    result = []
    for r in rows:
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
    return total, result
