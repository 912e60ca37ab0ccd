"""SQL for the follow-up queue: stored follow-ups, marks on derived occurrences, and the
indexed look-ups the derived rows (birthdays, anniversaries, check-ins) are computed from."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from tinycrm.models import FollowUp, FollowUpKind
from tinycrm.store.connection import Database, now_iso


class FollowUpRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, item: FollowUp) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO follow_ups (contact_id, title, kind, due_on, snoozed_until, rule,
                     anchor_on, status, completed_on, source, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    item.contact_id,
                    item.title,
                    item.kind.value,
                    item.due_on.isoformat(),
                    _iso(item.snoozed_until),
                    item.rule,
                    _iso(item.anchor_on),
                    item.status,
                    _iso(item.completed_on),
                    item.source,
                    now_iso(),
                ),
            )
        return int(cursor.lastrowid or 0)

    def get(self, follow_up_id: int) -> FollowUp | None:
        row = self.db.conn.execute(
            "SELECT * FROM follow_ups WHERE id = ?", (follow_up_id,)
        ).fetchone()
        return _follow_up(row) if row else None

    def update_state(self, item: FollowUp) -> None:
        """Write back the mutable state: current occurrence, snooze, status, completion."""
        assert item.id is not None
        with self.db.write() as conn:
            conn.execute(
                """UPDATE follow_ups SET due_on = ?, snoozed_until = ?, status = ?,
                     completed_on = ? WHERE id = ?""",
                (item.due_on.isoformat(), _iso(item.snoozed_until), item.status,
                 _iso(item.completed_on), item.id),
            )  # fmt: skip

    def query(
        self, contact_id: int | None = None, status: str | None = "open", limit: int | None = None
    ) -> list[tuple[FollowUp, str]]:
        """Stored follow-ups with their contact's name, soonest first."""
        clauses: list[str] = ["1"]
        params: list[object] = []
        if contact_id is not None:
            clauses.append("f.contact_id = ?")
            params.append(contact_id)
        if status is not None:
            clauses.append("f.status = ?")
            params.append(status)
        sql = f"""SELECT f.*, c.name AS contact_name FROM follow_ups f
                  JOIN contacts c ON c.id = f.contact_id WHERE {" AND ".join(clauses)}
                  ORDER BY coalesce(f.snoozed_until, f.due_on), f.id"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [(_follow_up(r), r["contact_name"]) for r in self.db.conn.execute(sql, params)]

    def open_due_by(self, end: date) -> list[StoredDue]:
        """Open follow-ups of active contacts whose current occurrence (snoozed or not) falls
        on or before `end`. Snoozing only postpones, so `due_on <= end` can use the index."""
        rows = self.db.conn.execute(
            """SELECT f.id, f.contact_id, c.name, f.kind, f.title,
                      coalesce(f.snoozed_until, f.due_on) AS due, f.rule, c.relationship_type,
                      f.due_on, f.snoozed_until
               FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
               WHERE f.status = 'open' AND f.due_on <= ?1 AND c.archived = 0
                 AND coalesce(f.snoozed_until, f.due_on) <= ?1""",
            (end.isoformat(),),
        )
        return [StoredDue(*row) for row in rows]

    def due_rows(
        self,
        as_of: date,
        end: date,
        weights: UrgencyWeights,
        overdue_limit: int | None,
        skip_check_ins: Sequence[int] = (),
        *,
        with_overdue: bool = True,
        upcoming_limit: int | None = None,
    ) -> DueRows:
        """The bulk of the queue, ranked in SQL: open stored follow-ups and keep-in-touch
        check-ins due on or before `end` (both can number tens of thousands).

        Overdue: the most urgent `overdue_limit` rows (None: all) and their count; today: all;
        upcoming (after `as_of`, up to `end`): soonest first, at most `upcoming_limit`, and
        their count. Check-ins of `skip_check_ins` (snoozed ones) are left out.
        """
        params: dict[str, object] = {
            "as_of": as_of.isoformat(),
            "end": end.isoformat(),
            "week_late": (as_of - timedelta(days=7)).isoformat(),
            "far_ahead": (as_of + timedelta(days=14)).isoformat(),
            "due_w": weights.due,
            "case_w": weights.open_case,
        }
        kind_case = _weight_case("kind", "k", weights.kinds, params)
        rel_case = _weight_case("rel", "r", weights.relationships, params)
        skip = ",".join(str(int(i)) for i in skip_check_ins)
        # Ranking reads covering indexes only (follow_ups_queue, contacts_queue,
        # contacts_check_in_due); names and titles are fetched for the chosen rows afterwards.
        rows_sql = f"""
            SELECT 0 AS src, f.id, f.contact_id, coalesce(f.snoozed_until, f.due_on) AS due,
                   f.kind, c.relationship_type AS rel
            FROM follow_ups f INDEXED BY follow_ups_queue
            JOIN contacts c INDEXED BY contacts_queue ON c.id = f.contact_id
            WHERE f.status = 'open' AND f.due_on <= :end AND c.archived = 0
              AND coalesce(f.snoozed_until, f.due_on) <= :end
            UNION ALL
            SELECT 1, c.id, c.id, c.check_in_due_on, 'check-in', c.relationship_type
            FROM contacts c INDEXED BY contacts_check_in_due
            WHERE c.check_in_due_on <= :end AND c.check_in_due_on IS NOT NULL
              {f"AND c.id NOT IN ({skip})" if skip else ""}"""
        urgency = f"""round(:due_w * (CASE WHEN due <= :week_late THEN 1.0
                   WHEN due > :far_ahead THEN 0.2
                   ELSE (julianday(:as_of) - julianday(due) + 14) * 0.8 / 21 + 0.2 END)
              + {kind_case} + {rel_case}
              + CASE WHEN contact_id IN (SELECT contact_id FROM cases WHERE resolved_on IS NULL)
                THEN :case_w ELSE 0 END, 2)"""
        ranked = f"SELECT src, id, due, {urgency} AS urgency FROM ({rows_sql})"
        conn = self.db.conn
        overdue, overdue_total = self._ranked_part(
            ranked, rows_sql, "due < :as_of", "urgency DESC, due, src, id", params,
            overdue_limit if with_overdue else 0,
        )  # fmt: skip
        today = conn.execute(f"{ranked} WHERE due = :as_of", params).fetchall()
        upcoming, upcoming_total = self._ranked_part(
            ranked, rows_sql, "due > :as_of", "due, urgency DESC, src, id", params,
            upcoming_limit,
        )  # fmt: skip
        return DueRows(
            self._details(overdue),
            overdue_total,
            self._details(today),
            self._details(upcoming),
            upcoming_total,
        )

    def _ranked_part(
        self,
        ranked: str,
        rows_sql: str,
        where: str,
        order: str,
        params: dict[str, object],
        limit: int | None,
    ) -> tuple[list[sqlite3.Row], int]:
        conn = self.db.conn
        if limit == 0:
            return [], 0
        clause = f" LIMIT {int(limit)}" if limit else ""
        rows = conn.execute(f"{ranked} WHERE {where} ORDER BY {order}{clause}", params).fetchall()
        if limit is None or len(rows) < limit:
            return rows, len(rows)
        count = conn.execute(f"SELECT count(*) FROM ({rows_sql}) WHERE {where}", params)
        return rows, int(count.fetchone()[0])

    def _details(self, ranked: Sequence[sqlite3.Row]) -> list[DueRow]:
        """Names, titles and clocks for ranked (src, id, due, urgency) rows, in their order."""
        stored = [row[1] for row in ranked if row[0] == 0]
        check_ins = [row[1] for row in ranked if row[0] == 1]
        found: dict[tuple[int, int], tuple[Any, ...]] = {}
        for offset in range(0, len(stored), 500):
            chunk = stored[offset : offset + 500]
            for r in self.db.conn.execute(
                f"""SELECT f.id, f.contact_id, c.name, f.kind, f.title, f.rule,
                           c.relationship_type, f.due_on, f.snoozed_until
                    FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
                    WHERE f.id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                found[(0, r[0])] = (r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], None, None)
        for offset in range(0, len(check_ins), 500):
            chunk = check_ins[offset : offset + 500]
            for r in self.db.conn.execute(
                f"""SELECT id, name, relationship_type, check_in_due_on, last_touch_on,
                           touch_anchor_on
                    FROM contacts WHERE id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                found[(1, r[0])] = (r[0], r[1], "check-in", "", None, r[2], r[3], None, r[4], r[5])
        result = []
        for src, row_id, due, score in ranked:
            detail = found.get((src, row_id))
            if detail is not None:
                result.append(DueRow(src, row_id, detail[0], detail[1], detail[2], detail[3],
                                     due, detail[4], detail[5], detail[6], detail[7], detail[8],
                                     detail[9], score))  # fmt: skip
        return result

    # Marks on derived occurrences (a birthday this year, a check-in due on a day).

    def marks_between(self, start: date, end: date) -> list[Mark]:
        rows = self.db.conn.execute(
            """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until
               FROM occurrence_marks WHERE occurrence_on BETWEEN ? AND ?""",
            (start.isoformat(), end.isoformat()),
        )
        return [Mark(*row) for row in rows]

    def snoozed_marks(self) -> list[Mark]:
        """Every snoozed derived occurrence (few: snoozing is a manual act)."""
        rows = self.db.conn.execute(
            """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until
               FROM occurrence_marks WHERE status = 'snoozed'"""
        )
        return [Mark(*row) for row in rows]

    def get_mark(self, contact_id: int, kind: str, subject: str, on: date) -> Mark | None:
        row = self.db.conn.execute(
            """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until
               FROM occurrence_marks
               WHERE contact_id = ? AND kind = ? AND subject = ? AND occurrence_on = ?""",
            (contact_id, kind, subject, on.isoformat()),
        ).fetchone()
        return Mark(*row) if row else None

    def put_mark(
        self, contact_id: int, kind: str, subject: str, on: date, status: str,
        snoozed_until: date | None, today: date,
    ) -> None:  # fmt: skip
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO occurrence_marks (contact_id, kind, subject, occurrence_on,
                     status, snoozed_until, marked_on) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (contact_id, kind, subject, occurrence_on) DO UPDATE SET
                     status = excluded.status, snoozed_until = excluded.snoozed_until,
                     marked_on = excluded.marked_on""",
                (contact_id, kind, subject, on.isoformat(), status, _iso(snoozed_until),
                 today.isoformat()),
            )  # fmt: skip

    # Indexed look-ups for the derived rows.

    def birthdays_in(self, ranges: Sequence[tuple[str, str]]) -> list[DatedRow]:
        """Active contacts whose birthday's month-day lies in one of the 'MM-DD' ranges
        (uses the contacts_birthday_md index)."""
        where = " OR ".join("birthday_md BETWEEN ? AND ?" for _ in ranges)
        rows = self.db.conn.execute(
            f"""SELECT id, id, name, '', birthday, relationship_type FROM contacts
                WHERE ({where}) AND archived = 0""",
            [bound for pair in ranges for bound in pair],
        )
        return [DatedRow(*row) for row in rows]

    def anniversaries_in(self, ranges: Sequence[tuple[str, str]]) -> list[DatedRow]:
        where = " OR ".join("a.date_md BETWEEN ? AND ?" for _ in ranges)
        rows = self.db.conn.execute(
            f"""SELECT a.id, a.contact_id, c.name, a.label, a.date, c.relationship_type
                FROM anniversaries a JOIN contacts c ON c.id = a.contact_id
                WHERE ({where}) AND c.archived = 0""",
            [bound for pair in ranges for bound in pair],
        )
        return [DatedRow(*row) for row in rows]

    def check_ins_due_by(self, end: date, contact_id: int | None = None) -> list[CheckInRow]:
        """Active contacts whose keep-in-touch check-in falls due on or before `end`
        (the generated, indexed column contacts.check_in_due_on)."""
        sql = """SELECT id, name, check_in_due_on, last_touch_on, touch_anchor_on,
                        relationship_type FROM contacts
                 WHERE check_in_due_on <= ? AND check_in_due_on IS NOT NULL"""
        params: list[object] = [end.isoformat()]
        if contact_id is not None:
            sql += " AND id = ?"
            params.append(contact_id)
        return [CheckInRow(*row) for row in self.db.conn.execute(sql, params)]

    def check_in_due_on(self, contact_id: int) -> date | None:
        row = self.db.conn.execute(
            "SELECT check_in_due_on FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        return _date(row[0]) if row else None

    def contacts_with_open_case(self) -> set[int]:
        rows = self.db.conn.execute(
            "SELECT DISTINCT contact_id FROM cases WHERE resolved_on IS NULL"
        )
        return {row[0] for row in rows}

    def cadence_fields(
        self, contact_ids: Sequence[int]
    ) -> list[tuple[int, int | None, str | None]]:
        """(id, cadence override, relationship type) of the given contacts."""
        found: list[tuple[int, int | None, str | None]] = []
        for offset in range(0, len(contact_ids), 500):
            chunk = list(contact_ids[offset : offset + 500])
            rows = self.db.conn.execute(
                f"""SELECT id, cadence_days, relationship_type FROM contacts
                    WHERE id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )
            found.extend((r[0], r[1], r[2]) for r in rows)
        return found

    def restart_clock(self, anchors: Iterable[tuple[int, date]]) -> None:
        """Restart keep-in-touch clocks without an interaction (contact id, new anchor)."""
        with self.db.write() as conn:
            conn.executemany(
                "UPDATE contacts SET touch_anchor_on = ? WHERE id = ?",
                [(on.isoformat(), contact_id) for contact_id, on in anchors],
            )

    def for_contact(self, contact_id: int, open_only: bool = True) -> list[FollowUp]:
        sql = "SELECT * FROM follow_ups WHERE contact_id = ?"
        if open_only:
            sql += " AND status = 'open'"
        rows = self.db.conn.execute(sql + " ORDER BY due_on, id", (contact_id,))
        return [_follow_up(row) for row in rows]


@dataclass(frozen=True)
class UrgencyWeights:
    """The ranking weights (the rule lives in services.followups; SQL only applies them)."""

    due: float
    kinds: Mapping[str, float]
    relationships: Mapping[str, float]
    open_case: float


def _weight_case(
    column: str, prefix: str, weights: Mapping[str, float], params: dict[str, object]
) -> str:
    if not weights:
        return "0"
    parts = []
    for index, (key, weight) in enumerate(weights.items()):
        params[f"{prefix}{index}"] = str(key)
        params[f"{prefix}w{index}"] = weight
        parts.append(f"WHEN :{prefix}{index} THEN :{prefix}w{index}")
    return f"(CASE {column} {' '.join(parts)} ELSE 0 END)"


class DueRows(NamedTuple):
    overdue: list[DueRow]
    overdue_total: int
    today: list[DueRow]
    upcoming: list[DueRow]
    upcoming_total: int


class DueRow(NamedTuple):
    """A stored follow-up (src 0, id = follow-up id) or a check-in (src 1, id = contact id)."""

    src: int
    id: int
    contact_id: int
    contact_name: str
    kind: str
    title: str
    due: str
    rule: str | None
    relationship_type: str | None
    occurrence: str
    snoozed_until: str | None
    last_touch_on: str | None
    touch_anchor_on: str | None
    urgency: float


class StoredDue(NamedTuple):
    id: int
    contact_id: int
    contact_name: str
    kind: str
    title: str
    due: str
    rule: str | None
    relationship_type: str | None
    due_on: str
    snoozed_until: str | None


class Mark(NamedTuple):
    contact_id: int
    kind: str
    subject: str
    occurrence_on: str
    status: str
    snoozed_until: str | None


class DatedRow(NamedTuple):
    """A birthday (id = contact id) or an anniversary (id = anniversary id) with its contact."""

    id: int
    contact_id: int
    contact_name: str
    label: str
    date: str
    relationship_type: str | None


class CheckInRow(NamedTuple):
    contact_id: int
    contact_name: str
    due: str
    last_touch_on: str | None
    touch_anchor_on: str | None
    relationship_type: str | None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _follow_up(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        id=row["id"],
        contact_id=row["contact_id"],
        title=row["title"],
        kind=FollowUpKind(row["kind"]),
        due_on=date.fromisoformat(row["due_on"]),
        rule=row["rule"],
        anchor_on=_date(row["anchor_on"]),
        snoozed_until=_date(row["snoozed_until"]),
        status=row["status"],
        completed_on=_date(row["completed_on"]),
        source=row["source"],
    )
