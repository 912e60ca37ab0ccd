"""SQL for the at-risk customers (`crm report at-risk`, the digest's at-risk section): active
contacts losing touch, with falling or low satisfaction, or with open cases, ranked from the
small sets first (see `AtRiskRepo.at_risk`).

"Losing touch" is the follow-up queue's rule, read from the same generated column: the
contact's keep-in-touch check-in (`contacts.check_in_due_on`) is overdue, and not snoozed to
`as_of` or later (docs/follow-ups.md)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from typing import NamedTuple

from tinycrm.store.backend import Backend, Connection, Row, batches
from tinycrm.store.owners import Owner, owner_params, owner_sql
from tinycrm.wording import TOTAL_LIMIT


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

    def rank(self) -> tuple[int, bool, date, int]:
        """Its place in the at-risk order: most reasons (losing touch, satisfaction, open
        cases), then the oldest overdue check-in, then id."""
        reasons = (self.days_late is not None) + (self.score is not None) + (self.open_cases > 0)
        due = self.check_in_due_on
        return (-reasons, due is None, due or date.min, self.contact_id)


# A contact row `c` whose check-in, overdue on :asof, is snoozed to :asof or later (the queue
# shows it on that day instead).
_SNOOZED_MARK = """m.contact_id = c.id AND m.kind = 'check-in' AND m.subject = ''
    AND m.occurrence_on = c.check_in_due_on AND m.status = 'snoozed' AND m.snoozed_until >= :asof"""
_SNOOZED = f"EXISTS (SELECT 1 FROM occurrence_marks m WHERE {_SNOOZED_MARK})"

# Why a latest score `score` (scale `scale`) after `prev_score` (`prev_scale`) is a risk:
# lower than the one before on the same scale, else low (vocabulary.LOW_SCORE); NULL: neither.
_SATISFACTION = """CASE WHEN prev_scale = scale AND score < prev_score THEN 'falling'
    WHEN score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END THEN 'low' END"""


# An open case on :asof for contact `c`.
_OPEN_CASE = """EXISTS (SELECT 1 FROM cases k WHERE k.contact_id = c.id AND k.opened_on <= :asof
    AND (k.resolved_on IS NULL OR k.resolved_on > :asof))"""

# Contact `c` in an open-case walk: none of its cases opened or resolved after :asof (those
# contacts are among the few), so the kept open_case flag says whether one is open on :asof,
# and its cases open then are its unresolved ones.
_CASE_WALKED = """c.open_case = 1 AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.contact_id = c.id
    AND (k.opened_on > :asof OR k.resolved_on > :asof))"""
# (INDEXED BY: for min(target_on) SQLite would walk every open case in cases_open.)
_UNRESOLVED = """cases k INDEXED BY cases_open_contact
    WHERE k.contact_id = c.id AND k.resolved_on IS NULL"""

# The walks: contacts not among the few, in ranking order, each a combination of the three
# reasons (losing touch, a risky score, an open case); each takes `{mine}` (the owner
# condition) and gets its LIMIT appended. Losing touch is walked in check-in order through
# contacts_check_in_due (contacts_open_case_check_in with an open case), the others in id
# order through score_stats (contacts_open_case with an open case). CROSS JOIN keeps SQLite
# walking the first table in order, and `+s.risk` keeps it off the score_stats_risk index
# (which would read every risky score, then sort): no walk sorts.
_DETAILS = """c.name, c.cadence_in_force AS cadence, c.last_touch_on AS last_touch,
    0 AS open_cases, NULL AS next_target, c.company_id"""
_CASE_DETAILS = f"""c.name, c.cadence_in_force AS cadence, c.last_touch_on AS last_touch,
    (SELECT count(*) FROM {_UNRESOLVED}) AS open_cases,
    (SELECT min(k.target_on) FROM {_UNRESOLVED}) AS next_target, c.company_id"""
_SCORE = f"s.score, s.prev_score, s.scale, {_SATISFACTION} AS satisfaction"
_NO_SCORE = "NULL AS score, NULL AS prev_score, NULL AS scale, NULL AS satisfaction"
# Neither a risky score on or before :asof nor a score after it (those are among the few).
_NOT_SCORED = """NOT EXISTS (SELECT 1 FROM score_stats s WHERE s.contact_id = c.id
    AND (s.risk = 1 OR s.last_on > :asof))"""
_NOT_TOUCH = f"(c.check_in_due_on IS NULL OR c.check_in_due_on >= :asof OR {_SNOOZED})"

_TOUCH_SCORE_AND_CASE = f"""SELECT c.id, c.check_in_due_on AS due, {_CASE_DETAILS}, {_SCORE}
    FROM contacts c INDEXED BY contacts_open_case_check_in
    CROSS JOIN score_stats s ON s.contact_id = c.id
    WHERE c.check_in_due_on < :asof AND s.risk = 1 AND s.last_on <= :asof
      AND {{mine}} AND NOT {_SNOOZED} AND {_CASE_WALKED}
    ORDER BY c.check_in_due_on, c.id"""
_TOUCH_AND_SCORE = f"""SELECT c.id, c.check_in_due_on AS due, {_DETAILS}, {_SCORE}
    FROM contacts c INDEXED BY contacts_check_in_due
    CROSS JOIN score_stats s ON s.contact_id = c.id
    WHERE c.check_in_due_on < :asof AND s.risk = 1 AND s.last_on <= :asof AND {{mine}}
      AND NOT {_SNOOZED} AND NOT {_OPEN_CASE}
    ORDER BY c.check_in_due_on, c.id"""
_TOUCH_AND_CASE = f"""SELECT c.id, c.check_in_due_on AS due, {_CASE_DETAILS}, {_NO_SCORE}
    FROM contacts c INDEXED BY contacts_open_case_check_in
    WHERE c.check_in_due_on < :asof AND {{mine}} AND NOT {_SNOOZED}
      AND {_CASE_WALKED} AND {_NOT_SCORED}
    ORDER BY c.check_in_due_on, c.id"""
_SCORE_AND_CASE = f"""SELECT c.id, NULL AS due, {_CASE_DETAILS}, {_SCORE}
    FROM contacts c INDEXED BY contacts_open_case
    CROSS JOIN score_stats s ON s.contact_id = c.id
    WHERE c.archived = 0 AND s.risk = 1 AND s.last_on <= :asof
      AND {{mine}} AND {_NOT_TOUCH} AND {_CASE_WALKED}
    ORDER BY c.id"""
_TOUCH_ALONE = f"""SELECT c.id, c.check_in_due_on AS due, {_DETAILS}, {_NO_SCORE}
    FROM contacts c INDEXED BY contacts_check_in_due
    WHERE c.check_in_due_on < :asof AND {{mine}} AND NOT {_SNOOZED} AND NOT {_OPEN_CASE}
      AND {_NOT_SCORED}
    ORDER BY c.check_in_due_on, c.id"""
_SCORE_ALONE = f"""SELECT c.id, NULL AS due, {_DETAILS}, {_SCORE}
    FROM score_stats s CROSS JOIN contacts c ON c.id = s.contact_id
    WHERE +s.risk = 1 AND s.last_on <= :asof AND c.archived = 0 AND {{mine}}
      AND {_NOT_TOUCH} AND NOT {_OPEN_CASE}
    ORDER BY s.contact_id"""
_CASE_ALONE = f"""SELECT c.id, NULL AS due, {_CASE_DETAILS}, {_NO_SCORE}
    FROM contacts c INDEXED BY contacts_open_case
    WHERE c.archived = 0 AND {{mine}} AND {_NOT_TOUCH}
      AND {_CASE_WALKED} AND {_NOT_SCORED}
    ORDER BY c.id"""
# Losing touch (with any other reason), then the others: the count reads them in this order.
_TOUCH_WALKS = (_TOUCH_SCORE_AND_CASE, _TOUCH_AND_SCORE, _TOUCH_AND_CASE, _TOUCH_ALONE)
_OTHER_WALKS = (_SCORE_AND_CASE, _SCORE_ALONE, _CASE_ALONE)
_WALKS = _TOUCH_WALKS + _OTHER_WALKS


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class AtRiskRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def at_risk(
        self, as_of: date, limit: int | None = None, owner: Owner | None = None
    ) -> tuple[int, list[AtRiskRow]]:
        """Active contacts losing touch (check-in overdue on `as_of`), with falling or low
        satisfaction (latest score below the previous one on the same scale, or CSAT <= 2 /
        NPS <= 6), or with cases open on `as_of`. Most reasons first, then the oldest overdue
        check-in, then id. Returns (total, the first `limit` rows; all with no or a
        non-positive limit); with a limit the total is counted up to TOTAL_LIMIT past the
        page only (wording.py). `owner`: only the contacts one user owns, or nobody owns.

        The ranking merges disjoint parts, each read in its own order up to the page, so
        that a page costs the same at any size: the few contacts scored after `as_of` or
        with a case opened or resolved after it, ranked whole (`_at_risk_few`); then one walk per
        combination of the three reasons for everyone else (`_WALKS`), losing touch in
        check-in order, the others in id order."""
        page_size = limit if limit and limit > 0 else None
        params: dict[str, object] = {"asof": as_of.isoformat(), "page": page_size}
        params.update(owner_params(owner))
        cut = "" if page_size is None else " LIMIT :page"
        mine = owner_sql(owner)
        few = self._at_risk_few(params, cut, mine)
        walked = [
            row for sql in _WALKS for row in self.conn.execute(sql.format(mine=mine) + cut, params)
        ]
        rows = sorted((_at_risk_row(r, as_of) for r in few + walked), key=AtRiskRow.rank)
        page = rows[:page_size]
        if page_size is None or len(rows) < page_size:
            total = len(rows)  # every row was read
        else:
            sizes = (few[0]["n_few"], few[0]["n_touch"]) if few else (0, 0)
            total = self._count(params, mine, page_size + TOTAL_LIMIT + 1, *sizes)
        return (total if page else 0), page

    def everyone(
        self, as_of: date, companies: Collection[int] | None = None
    ) -> Iterator[tuple[int | None, AtRiskRow]]:
        """Every contact at risk on `as_of` (as `at_risk` has them) with their company id (or
        None), in no particular order: `_at_risk_few`'s, then each walk's a batch at a time,
        inside the caller's read transaction. `companies`: their people only."""
        params: dict[str, object] = {"asof": as_of.isoformat()}
        mine = owner_sql(None)
        if companies is not None:
            params.update({f"k{i}": company_id for i, company_id in enumerate(companies)})
            mine = f"c.company_id IN ({', '.join(f':k{i}' for i in range(len(companies)))})"
        for r in self._at_risk_few(params, "", mine):
            yield r["company_id"], _at_risk_row(r, as_of)
        for sql in _WALKS:
            for r in batches(self.db, sql.format(mine=mine), params):
                yield r["company_id"], _at_risk_row(r, as_of)

    def _count(
        self, params: dict[str, object], mine: str, cap: int, n_few: int, n_touch: int
    ) -> int:
        """How many are at risk, counted up to `cap`: the `n_few` of `_at_risk_few` (`n_touch`
        of them losing touch), the others losing touch, then, while still short of `cap`,
        each walk of the others not losing touch."""
        touch = self.conn.execute(
            f"""SELECT count(*) FROM (SELECT 1 FROM contacts c INDEXED BY contacts_check_in_due
                WHERE c.check_in_due_on < :asof AND {mine} AND NOT {_SNOOZED}
                LIMIT :touch_cap) AS touch""",
            {**params, "touch_cap": cap + n_touch},
        ).fetchone()[0]
        counted = n_few + int(touch) - n_touch
        for sql in _OTHER_WALKS:
            if counted >= cap:
                return cap
            counted += int(
                self.conn.execute(
                    f"SELECT count(*) FROM ({sql.format(mine=mine)} LIMIT :cap) AS walk",
                    {**params, "cap": cap - counted},
                ).fetchone()[0]
            )
        return min(counted, cap)

    def _at_risk_few(self, params: dict[str, object], cut: str, mine: str) -> list[Row]:
        """The active contacts scored after `asof` or with a case open on it and one opened or
        resolved after it, at risk for any reason, ranked (reasons DESC, due IS NULL, due, id) with
        their details; the first `page` only. Each row also carries how many there are
        (n_few) and how many of them are losing touch (n_touch). The walks leave these
        contacts out: for them the kept scores and open-case flag are not `asof`'s (none of
        them when `asof` is today).

        Satisfaction comes from score_stats (risk = 1) where its latest score is on or before
        `asof`, else from the history (`hist`: contacts scored after `asof`), whose details
        ride along in `few` like the cases' (`oc`); neither is joined (SQLite would scan them
        per row). Whether each contact of `few` is archived and when its check-in falls due
        come from the narrow contacts_check_in index (INDEXED BY: SQLite would otherwise read
        the table rows by id)."""
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
          SELECT contact_id, count(*) AS n, min(target_on) AS next_target
          FROM cases INDEXED BY cases_contact
          WHERE contact_id IN (
              SELECT contact_id FROM cases INDEXED BY cases_open
              WHERE resolved_on > :asof OR (resolved_on IS NULL AND opened_on > :asof)
              UNION SELECT contact_id FROM late)
            AND (resolved_on IS NULL OR resolved_on > :asof) AND opened_on <= :asof
          GROUP BY contact_id),
        few AS MATERIALIZED (
          SELECT src.*, c.archived, c.check_in_due_on AS due,
                 c.check_in_due_on < :asof AND NOT {_SNOOZED} AS overdue FROM (
            SELECT id, sum(reason) AS reasons, max(h_score) AS h_score, max(h_prev) AS h_prev,
                   max(h_scale) AS h_scale, max(h_why) AS h_why, max(n_cases) AS n_cases,
                   max(next_target) AS next_target FROM (
              SELECT contact_id AS id, 1 AS reason, score AS h_score, prev_score AS h_prev,
                     scale AS h_scale, satisfaction AS h_why, 0 AS n_cases,
                     NULL AS next_target FROM hist
              UNION ALL SELECT contact_id, 0, NULL, NULL, NULL, NULL, 0, NULL FROM late
              UNION ALL SELECT contact_id, 1, NULL, NULL, NULL, NULL, n, next_target FROM oc
              UNION ALL SELECT s.contact_id, 1, NULL, NULL, NULL, NULL, 0, NULL
              FROM oc CROSS JOIN score_stats s ON s.contact_id = oc.contact_id
              WHERE s.risk = 1 AND s.last_on <= :asof) AS flagged
            GROUP BY id) AS src
          LEFT JOIN contacts c INDEXED BY contacts_check_in ON c.id = src.id
          WHERE {mine}),
        ranked AS (
          SELECT * FROM (
            SELECT id, h_score, h_prev, h_scale, h_why, n_cases, next_target,
                   reasons + CASE WHEN overdue THEN 1 ELSE 0 END AS reasons,
                   CASE WHEN overdue THEN due END AS due
            FROM few WHERE coalesce(archived, 0) <> 1) AS flagged
          WHERE reasons > 0),
        sizes AS MATERIALIZED (SELECT count(*) AS n_few, count(due) AS n_touch FROM ranked),
        page AS (
          SELECT ranked.*, n_few, n_touch FROM ranked, sizes
          ORDER BY reasons DESC, due IS NULL, due, id{cut})
        SELECT page.id, page.reasons, page.due, n_few, n_touch, c.name,
               c.cadence_in_force AS cadence, c.last_touch_on AS last_touch,
               CASE WHEN s.contact_id IS NULL THEN h_score ELSE s.score END AS score,
               CASE WHEN s.contact_id IS NULL THEN h_prev ELSE s.prev_score END AS prev_score,
               CASE WHEN s.contact_id IS NULL THEN h_scale ELSE s.scale END AS scale,
               CASE WHEN s.contact_id IS NULL THEN h_why ELSE {_SATISFACTION}
               END AS satisfaction,
               n_cases AS open_cases, page.next_target, c.company_id
        FROM page JOIN contacts c ON c.id = page.id
        LEFT JOIN score_stats s
          ON s.contact_id = page.id AND s.risk = 1 AND s.last_on <= :asof
        ORDER BY page.reasons DESC, page.due IS NULL, page.due, page.id
        """
        return self.conn.execute(sql, params).fetchall()


def _at_risk_row(r: Row, as_of: date) -> AtRiskRow:
    return AtRiskRow(
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
