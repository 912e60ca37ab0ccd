"""SQL for the follow-up queue: stored follow-ups, marks on derived occurrences, and the
indexed look-ups the derived rows (birthdays, anniversaries, check-ins) are computed from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from enum import IntEnum
from typing import Any, NamedTuple

from tinycrm.models.followups import FollowUp
from tinycrm.store.backend import Backend, Row, batches, stream
from tinycrm.store.stamps import now_iso
from tinycrm.store.versions import update_versioned
from tinycrm.vocabulary import FollowUpKind
from tinycrm.wording import TOTAL_LIMIT


class FollowUpRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, item: FollowUp) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO follow_ups (contact_id, title, kind, due_on, snoozed_until, rule,
                     anchor_on, status, completed_on, source, assignee_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
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
                    item.assignee_id,
                    now_iso(),
                ),
            )
            new_id = int(cursor.fetchone()[0])
        return new_id

    def get(self, follow_up_id: int) -> FollowUp | None:
        row = self.db.conn.execute(
            f"SELECT f.*, {_DONE_BY} FROM follow_ups f WHERE id = ?",
            (follow_up_id,),
        ).fetchone()
        return _follow_up(row) if row else None

    def delete(self, follow_up_id: int) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM follow_ups WHERE id = ?", (follow_up_id,))

    def record_closer(self, follow_up_id: int, user_id: int | None) -> None:
        """Who closed the follow-up (done or skipped) and when: now."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE follow_ups SET done_by = ?, done_at = ? WHERE id = ?",
                (user_id, now_iso(), follow_up_id),
            )

    def update_state(self, item: FollowUp) -> None:
        """Write back the mutable state: current occurrence, snooze, status, completion; only
        if the row is still at `item.version` (else Stale)."""
        assert item.id is not None
        with self.db.write() as conn:
            update_versioned(
                conn, "follow_ups", "follow-up", item.id, item.version,
                "due_on = ?, snoozed_until = ?, status = ?, completed_on = ?",
                (item.due_on.isoformat(), _iso(item.snoozed_until), item.status,
                 _iso(item.completed_on)),
            )  # fmt: skip

    def query(
        self, contact_id: int | None = None, status: str | None = "open", limit: int | None = None
    ) -> list[StoredRow]:
        """Stored follow-ups with their contact's name, relationship type and whether the
        contact has an open case, soonest first."""
        clauses: list[str] = ["1 = 1"]
        params: list[object] = []
        if contact_id is not None:
            clauses.append("f.contact_id = ?")
            params.append(contact_id)
        if status is not None:
            clauses.append("f.status = ?")
            params.append(status)
        sql = _stored_sql(clauses)
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_stored_row(r) for r in self.db.conn.execute(sql, params)]

    def each_open(self) -> Iterator[StoredRow]:
        """`query`'s open follow-ups of active contacts, read a batch at a time in one read
        transaction (a whole CRM's are never held)."""
        sql = _stored_sql(["f.status = 'open'", "c.archived = 0"])
        return (_stored_row(r) for r in stream(self.db, sql, []))

    def rank_rows(
        self,
        src: Source,
        lo: str,
        hi: str,
        as_of: date,
        *,
        kinds: Sequence[str] | None = None,
        skip: Sequence[int] = (),
        limit: int | None = None,
        cap: str | None = None,
    ) -> list[RankRow]:
        """Rows of one source due in (lo, hi], soonest first (ties: stored by id, derived
        by handle), optionally only stored follow-ups of some kinds, at most `limit`."""
        sql, params = _rank_sql(RankGroup(src, kinds=kinds), lo, hi, as_of, skip, cap, limit)
        return [RankRow(*row) for row in self.db.conn.execute(sql, params)]

    def rank_groups(
        self, groups: Sequence[RankGroup], skips: Mapping[Source, Sequence[int]], lo: str,
        hi: str, as_of: date, cap: str, limit: int,
    ) -> list[RankRow]:  # fmt: skip
        """The first `limit` rows of each group due in (lo, hi], as `rank_rows` orders them
        (each source's contacts in `skips` left out); in no particular order across groups.
        One query."""
        parts = [
            _rank_sql(group, lo, hi, as_of, skips[group.src], cap, limit, tag=f"g{n}")
            for n, group in enumerate(groups)
        ]
        sql, params = _each(parts)
        return [RankRow(*row) for row in self.db.conn.execute(sql, params)]

    def count_rows(
        self, skips: Mapping[Source, Sequence[int]], lo: str, hi: str, as_of: date,
        cap: str | None = None, limit: int = TOTAL_LIMIT + 1,
    ) -> int:  # fmt: skip
        """How many rows `rank_rows` would give for the sources in `skips` (each one's
        contacts left out) together, counted up to `limit` only: the cost of a count stays
        that of a page whatever the size of the CRM. A statement per source, each up to what
        is left of the limit (none once it is reached): one count over their UNION ALL got a
        parallel plan on PostgreSQL that read every overdue row (1M: ~1 s)."""
        counted = 0
        for src, skip in skips.items():
            if counted >= limit:
                break
            sql, params = _source_sql(src, lo, hi, as_of, skip, None, due_only=True, cap=cap)
            found = self.db.conn.execute(
                f"SELECT count(*) FROM ({sql} LIMIT {int(limit - counted)}) AS found", params
            ).fetchone()
            counted += int(found[0])
        return counted

    def nth_due(
        self, src: Source, lo: str, hi: str, as_of: date, n: int, skip: Sequence[int] = ()
    ) -> str | None:
        """The due day of the n-th (1-based) row in (lo, hi], soonest first (None: fewer)."""
        sql, params = _source_sql(src, lo, hi, as_of, skip, None, due_only=True)
        col = _SOURCES[src]
        sql += f" ORDER BY {col.due} LIMIT 1 OFFSET {int(n) - 1}"
        row = self.db.conn.execute(sql, params).fetchone()
        return str(row[0]) if row else None

    def ranked_on(
        self, groups: Sequence[RankGroup], skips: Mapping[Source, Sequence[int]], day: date,
        as_of: date, weights: Weights, *, by_name: bool, limit: int | None = None,
    ) -> list[RankRow]:  # fmt: skip
        """Rows due on `day` of each group (each source's contacts in `skips` left out): of
        each, the `limit` first (all: None) by the highest `weights`, then by contact name and
        as their handles sort (`by_name`), or as the queue breaks ties (stored rows by id,
        derived ones by handle); in no particular order across groups. One query."""
        parts = []
        for n, group in enumerate(groups):
            sql, params = _source_sql(
                group.src, (day - _ONE_DAY).isoformat(), day.isoformat(), as_of,
                skips[group.src], None,
            )  # fmt: skip
            sql = _filtered(group, sql, params, f"g{n}")
            col = _SOURCES[group.src]
            weight = _weight_sql(weights, col.kind_expr, col.open_case)
            tie = f"lower(c.name), {col.tie_text}" if by_name else col.tie
            sql += f" ORDER BY {weight} DESC, {tie}"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            parts.append((sql, params))
        sql, params = _each(parts)
        return [RankRow(*row) for row in self.db.conn.execute(sql, params)]

    def each_by_urgency(
        self, sources: Sequence[Source], skips: Mapping[Source, Sequence[int]], hi: str,
        as_of: date, weights: Weights, due_scores: Mapping[str, float], fully_due: float,
    ) -> Iterator[RankRow]:  # fmt: skip
        """Rows of `sources` due on or before `hi` (each source's contacts in `skips` left
        out), the most urgent first: their due day's score (`due_scores`, else `fully_due`)
        plus their `weights`; then soonest, in no promised order among rows of one urgency
        and day. A batch at a time, inside the caller's read."""
        parts = []
        for src in sources:
            col = _SOURCES[src]
            due = f"{float(fully_due)!r}"
            if due_scores:
                whens = " ".join(f"WHEN '{day}' THEN {float(score)!r}"
                                 for day, score in due_scores.items())  # fmt: skip
                due = f"(CASE {col.due} {whens} ELSE {due} END)"
            urgency = f"{due} + {_weight_sql(weights, col.kind_expr, col.open_case)}"
            parts.append(_source_sql(src, "", hi, as_of, skips[src], None, also=urgency))
        sql, params = _each(parts)
        rows = batches(self.db, f"{sql} ORDER BY 9 DESC, 4", params)  # urgency, due
        return (RankRow(*list(row)[:-1]) for row in rows)

    def dated_on(
        self, skips: Mapping[FollowUpKind, Sequence[int]], days: Mapping[date, Sequence[str]],
        weights: Weights, *, by_name: bool, limit: int | None = None,
        least: Mapping[date, float] | None = None,
    ) -> list[tuple[str, str, DatedRow, bool]]:  # fmt: skip
        """Active contacts' birthdays and anniversaries (the kinds in `skips`, each without
        its contacts there) falling on each of `days` (their month-day is one of the day's
        month-days), neither before their year nor marked done, skipped or snoozed, as (kind,
        day, row, whether the contact has an open case): of each kind and day, the `limit`
        first (all: None) by the highest `weights`, then (`by_name`) by contact name, then as
        their handles sort; of a day in `least`, only those whose weights reach its figure.
        One query for up to 200 of the (kind, day) pairs."""
        name = "lower(c.name), " if by_name else ""
        parts = []
        for kind, skip in skips.items():
            weight = _weight_sql(weights, f"'{kind}'", "c.open_case")
            for n, (day, month_days) in enumerate(days.items()):
                what = f"'{kind}' AS kind, '{day.isoformat()}' AS day, {_DATED[kind].select}"
                sql, params = _dated_sql(kind, n, day, month_days, skip, f"{what}, c.open_case")
                if least and day in least:
                    sql += f" AND {weight} >= {float(least[day])!r}"
                sql += f" ORDER BY {weight} DESC, {name}{_DATED[kind].tie}"
                if limit is not None:
                    sql += f" LIMIT {int(limit)}"
                parts.append((sql, params))
        rows = [row for chunk in _pieces(parts) for row in self.db.conn.execute(*_each(chunk))]
        return [(str(row[0]), str(row[1]), DatedRow(*row[2:8]), row[8] == 1) for row in rows]

    def count_dated_on(
        self, kind: str, days: Mapping[date, Sequence[str]], skip: Sequence[int], limit: int
    ) -> int:
        """How many rows `dated_on` would give over the whole window, counted up to `limit`
        (each day's up to `limit`: a count over a UNION ALL got a parallel plan on PostgreSQL,
        whose workers cost more to start than the count)."""
        parts = [
            _dated_sql(kind, n, day, month_days, skip, "1")
            for n, (day, month_days) in enumerate(days.items())
        ]
        return min(self._capped_sum(parts, limit), limit)

    def _capped_sum(self, parts: Sequence[tuple[str, dict[str, object]]], limit: int) -> int:
        """The rows of each query in `parts`, each counted up to `limit` only, summed (a
        statement a piece of them, until `limit` is reached); parameters shared by name must
        agree."""
        total = 0
        for chunk in _pieces(parts):
            if total >= limit:
                break
            counts = [f"(SELECT count(*) FROM ({sql} LIMIT {int(limit)}) AS found{n})"
                      for n, (sql, _) in enumerate(chunk)]  # fmt: skip
            params = {name: value for _, own in chunk for name, value in own.items()}
            total += int(self.db.conn.execute("SELECT " + " + ".join(counts), params).fetchone()[0])
        return total

    def owners(
        self, follow_up_ids: Sequence[int], contact_ids: Sequence[int]
    ) -> tuple[dict[int, int], dict[int, int]]:
        """{follow-up id: assignee} (those with one) and {contact id: owner} (those with one)."""
        assignees: dict[int, int] = {}
        for chunk in _chunks(sorted(set(follow_up_ids))):
            assignees.update(self.db.conn.execute(
                f"""SELECT id, assignee_id FROM follow_ups WHERE assignee_id IS NOT NULL
                    AND id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ))  # fmt: skip
        owners: dict[int, int] = {}
        for chunk in _chunks(sorted(set(contact_ids))):
            owners.update(self.db.conn.execute(
                f"""SELECT id, owner_id FROM contacts WHERE owner_id IS NOT NULL
                    AND id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ))  # fmt: skip
        return assignees, owners

    def details(self, ranked: Sequence[tuple[int, int, str, float]]) -> list[DueRow]:
        """Names, titles and clocks for (src, id, due, urgency) rows, in their order."""
        return self._details(ranked)

    def reorders_due_by(self, end: date, contact_id: int | None = None) -> list[ReorderRow]:
        """Customers (active, 3+ purchase days) whose next purchase, last + median interval,
        falls on or before `end` (index sale_stats_due). Marks are not applied here."""
        sql = """SELECT s.contact_id, c.name, s.next_due_on, s.last_on, s.median_gap,
                        s.purchases, c.relationship_type
                 FROM sale_stats s JOIN contacts c ON c.id = s.contact_id
                 WHERE s.next_due_on <= ? AND s.next_due_on IS NOT NULL AND c.archived = 0"""
        params: list[object] = [end.isoformat()]
        if contact_id is not None:
            sql += " AND s.contact_id = ?"
            params.append(contact_id)
        return [ReorderRow(*row) for row in self.db.conn.execute(sql, params)]

    def _details(self, ranked: Sequence[Sequence[Any]]) -> list[DueRow]:
        """Names, titles and clocks for ranked (src, id, due, urgency) rows, in their order."""
        found: dict[tuple[Source, int], DueRow] = {}
        ids = {src: [row[1] for row in ranked if row[0] == src] for src in Source}
        for chunk in _chunks(ids[Source.STORED]):
            for r in self.db.conn.execute(
                f"""SELECT f.id, f.contact_id, c.name, f.kind, f.title, f.rule,
                           c.relationship_type, f.due_on, f.snoozed_until, f.version,
                           f.open_case
                    FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
                    WHERE f.id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                found[(Source.STORED, r["id"])] = DueRow(
                    src=Source.STORED, id=r["id"], contact_id=r["contact_id"],
                    contact_name=r["name"], kind=r["kind"], title=r["title"], due="",
                    rule=r["rule"], relationship_type=r["relationship_type"],
                    occurrence=r["due_on"], snoozed_until=r["snoozed_until"],
                    last_touch_on=None, cadence=None, urgency=0.0, version=r["version"],
                    open_case=bool(r["open_case"]),
                )  # fmt: skip
        for chunk in _chunks(ids[Source.CHECK_IN]):
            for r in self.db.conn.execute(
                f"""SELECT id, name, relationship_type, check_in_due_on, last_touch_on,
                           cadence_in_force
                    FROM contacts WHERE id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                found[(Source.CHECK_IN, r["id"])] = DueRow(
                    src=Source.CHECK_IN, id=r["id"], contact_id=r["id"], contact_name=r["name"],
                    kind="check-in", title="", due="", rule=None,
                    relationship_type=r["relationship_type"], occurrence=r["check_in_due_on"],
                    snoozed_until=None, last_touch_on=r["last_touch_on"],
                    cadence=r["cadence_in_force"], urgency=0.0,
                )  # fmt: skip
        for chunk in _chunks(ids[Source.REORDER]):
            for r in self.db.conn.execute(
                f"""SELECT c.id, c.name, c.relationship_type, s.last_on, s.median_gap,
                           s.purchases
                    FROM contacts c JOIN sale_stats s ON s.contact_id = c.id
                    WHERE c.id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                found[(Source.REORDER, r["id"])] = DueRow(
                    src=Source.REORDER, id=r["id"], contact_id=r["id"], contact_name=r["name"],
                    kind="reorder", title="", due="", rule=None,
                    relationship_type=r["relationship_type"], occurrence="",
                    snoozed_until=None, last_touch_on=r["last_on"], cadence=None, urgency=0.0,
                    median_gap=r["median_gap"], purchases=r["purchases"],
                )  # fmt: skip
        return [
            found[(src, row_id)]._replace(due=due, urgency=score)
            for src, row_id, due, score in ranked
            if (src, row_id) in found
        ]

    # Marks on derived occurrences (a birthday this year, a check-in due on a day).

    def marks_between(self, start: date, end: date, contact_id: int | None = None) -> list[Mark]:
        sql = """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until,
                        marked_on, (SELECT name FROM users WHERE id = marked_by), marked_at
                 FROM occurrence_marks WHERE occurrence_on BETWEEN ? AND ?"""
        params: list[object] = [start.isoformat(), end.isoformat()]
        if contact_id is not None:
            sql += " AND contact_id = ?"
            params.append(contact_id)
        return [Mark(*row) for row in self.db.conn.execute(sql, params)]

    def snoozed_marks(self) -> list[Mark]:
        """Every snoozed derived occurrence (few: snoozing is a manual act)."""
        rows = self.db.conn.execute(
            """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until,
                        marked_on, (SELECT name FROM users WHERE id = marked_by), marked_at
               FROM occurrence_marks WHERE status = 'snoozed'"""
        )
        return [Mark(*row) for row in rows]

    def get_mark(self, contact_id: int, kind: str, subject: str, on: date) -> Mark | None:
        row = self.db.conn.execute(
            """SELECT contact_id, kind, subject, occurrence_on, status, snoozed_until,
                        marked_on, (SELECT name FROM users WHERE id = marked_by), marked_at
               FROM occurrence_marks
               WHERE contact_id = ? AND kind = ? AND subject = ? AND occurrence_on = ?""",
            (contact_id, kind, subject, on.isoformat()),
        ).fetchone()
        return Mark(*row) if row else None

    def put_mark(
        self, contact_id: int, kind: str, subject: str, on: date, status: str,
        snoozed_until: date | None, today: date, by: int | None = None,
    ) -> None:  # fmt: skip
        """Mark a derived occurrence done, skipped or snoozed, by user `by`, now."""
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO occurrence_marks (contact_id, kind, subject, occurrence_on,
                     status, snoozed_until, marked_on, marked_by, marked_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (contact_id, kind, subject, occurrence_on) DO UPDATE SET
                     status = excluded.status, snoozed_until = excluded.snoozed_until,
                     marked_on = excluded.marked_on, marked_by = excluded.marked_by,
                     marked_at = excluded.marked_at""",
                (contact_id, kind, subject, on.isoformat(), status, _iso(snoozed_until),
                 today.isoformat(), by, now_iso()),
            )  # fmt: skip

    def delete_mark(self, contact_id: int, kind: str, subject: str, on: date) -> None:
        with self.db.write() as conn:
            conn.execute(
                """DELETE FROM occurrence_marks
                   WHERE contact_id = ? AND kind = ? AND subject = ? AND occurrence_on = ?""",
                (contact_id, kind, subject, on.isoformat()),
            )

    # Indexed look-ups for the derived rows.

    def birthdays_in(
        self, ranges: Sequence[tuple[str, str]], contact_id: int | None = None
    ) -> list[DatedRow]:
        """Active contacts whose birthday's month-day lies in one of the 'MM-DD' ranges
        (uses the contacts_birthday_md index; one contact by its primary key)."""
        where, params = _in_ranges("birthday_md", ranges)
        one = ""
        if contact_id is not None:
            one = " AND id = ?"
            params.append(contact_id)
        rows = self.db.conn.execute(
            f"""SELECT id, id, name, '', birthday, relationship_type FROM contacts
                WHERE ({where}) AND archived = 0{one}""",
            params,
        )
        return [DatedRow(*row) for row in rows]

    def anniversaries_in(
        self, ranges: Sequence[tuple[str, str]], contact_id: int | None = None
    ) -> list[DatedRow]:
        where, params = _in_ranges("a.date_md", ranges)
        one = ""
        if contact_id is not None:
            one = " AND a.contact_id = ?"
            params.append(contact_id)
        rows = self.db.conn.execute(
            f"""SELECT a.id, a.contact_id, c.name, a.label, a.date, c.relationship_type
                FROM anniversaries a JOIN contacts c ON c.id = a.contact_id
                WHERE ({where}) AND c.archived = 0{one}""",
            params,
        )
        return [DatedRow(*row) for row in rows]

    def check_ins_due_by(self, end: date, contact_id: int | None = None) -> list[CheckInRow]:
        """Active contacts whose keep-in-touch check-in falls due on or before `end`
        (the generated, indexed column contacts.check_in_due_on)."""
        sql = """SELECT id, name, check_in_due_on, last_touch_on, cadence_in_force,
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

    def with_open_case(self, contact_ids: Iterable[int]) -> set[int]:
        """Those of `contact_ids` with an open case."""
        found: set[int] = set()
        for chunk in _chunks(sorted(set(contact_ids))):
            found.update(row[0] for row in self.db.conn.execute(
                f"""SELECT id FROM contacts WHERE open_case = 1
                    AND id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ))  # fmt: skip
        return found

    def has_open_case(self, contact_id: int) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM cases WHERE contact_id = ? AND resolved_on IS NULL LIMIT 1",
            (contact_id,),
        ).fetchone()
        return row is not None

    def cadences(self, contact_ids: Sequence[int]) -> list[tuple[int, int]]:
        """(id, keep-in-touch interval in force) of the given contacts that have one."""
        found: list[tuple[int, int]] = []
        for offset in range(0, len(contact_ids), 500):
            chunk = list(contact_ids[offset : offset + 500])
            rows = self.db.conn.execute(
                f"""SELECT id, cadence_in_force FROM contacts
                    WHERE id IN ({",".join("?" * len(chunk))}) AND cadence_in_force IS NOT NULL""",
                chunk,
            )
            found.extend((r[0], r[1]) for r in rows)
        return found

    def restart_clock(self, anchors: Iterable[tuple[int, date]]) -> None:
        """Restart keep-in-touch clocks without an interaction (contact id, new anchor)."""
        with self.db.write() as conn:
            conn.executemany(
                "UPDATE contacts SET touch_anchor_on = ? WHERE id = ?",
                [(on.isoformat(), contact_id) for contact_id, on in anchors],
            )

    def get_clock(self, contact_id: int) -> tuple[date | None, date | None]:
        """A contact's keep-in-touch clock as stored: (last_touch_on, touch_anchor_on)."""
        row = self.db.conn.execute(
            "SELECT last_touch_on, touch_anchor_on FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        if row is None:
            return None, None
        return _date(row[0]), _date(row[1])

    def set_clock(
        self, contact_id: int, last_touch_on: date | None, touch_anchor_on: date | None
    ) -> None:
        """Put a contact's keep-in-touch clock back as it was (undoing a done or skip)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE contacts SET last_touch_on = ?, touch_anchor_on = ? WHERE id = ?",
                (_iso(last_touch_on), _iso(touch_anchor_on), contact_id),
            )

    def for_contact(self, contact_id: int, open_only: bool = True) -> list[FollowUp]:
        # Without the hint SQLite walks every open follow-up in due order (follow_ups_open_due)
        # to skip a sort of the contact's few rows: 30 ms instead of 0.1 at 200k follow-ups.
        sql = f"""SELECT f.*, {_DONE_BY} FROM follow_ups f INDEXED BY follow_ups_contact
                  WHERE contact_id = ?"""
        if open_only:
            sql += " AND status = 'open'"
        rows = self.db.conn.execute(sql + " ORDER BY due_on, id", (contact_id,))
        return [_follow_up(row) for row in rows]


_ONE_DAY = timedelta(days=1)
# Who closed a follow-up `f`, by name.
_DONE_BY = "(SELECT name FROM users WHERE id = f.done_by) AS done_by_name"


class Source(IntEnum):
    """Where a row of the queue's SQL comes from; the value is the queries' `src` column."""

    STORED = 0  # a stored follow-up; the row's id is the follow-up's
    CHECK_IN = 1  # a keep-in-touch check-in; the id is the contact's
    REORDER = 2  # a customer due to buy again; the id is the contact's


# SQLite refuses a compound SELECT of more than 500 parts and an expression 1,000 deep: a
# long window's days (two kinds each) are read 200 parts a statement.
_PARTS_A_STATEMENT = 200


def _pieces(
    parts: Sequence[tuple[str, dict[str, object]]],
) -> Iterator[Sequence[tuple[str, dict[str, object]]]]:
    """`parts` (queries of a window's days) in pieces small enough for one statement each."""
    for offset in range(0, len(parts), _PARTS_A_STATEMENT):
        yield parts[offset : offset + _PARTS_A_STATEMENT]


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """`ids` in pieces small enough for one `IN (…)` list each."""
    for offset in range(0, len(ids), size):
        yield ids[offset : offset + size]


class _Source(NamedTuple):
    select: str  # src, id, contact_id, due, kind, relationship type, contact name, open case
    tables: str
    open_case_tables: str  # the same, read through the index of the contacts with an open case
    where: str
    due: str
    tie: str  # order among rows due the same day (as the handles sort after the day's)
    contact: str
    kind_col: str | None
    kind_expr: str  # the rows' kind
    tie_text: str  # order among rows due the same day as their handles sort as text
    open_case: str  # 1 when the row's contact has an open case (schema 24), else 0


_REORDER_MARKED = """EXISTS (SELECT 1 FROM occurrence_marks m WHERE m.contact_id = s.contact_id
    AND m.kind = 'reorder' AND m.subject = '' AND m.occurrence_on = s.next_due_on)"""

_SOURCES: dict[Source, _Source] = {
    Source.STORED: _Source(
        "0, f.id, f.contact_id, coalesce(f.snoozed_until, f.due_on), f.kind, c.relationship_type,"
        " c.name, f.open_case",
        "follow_ups f INDEXED BY follow_ups_effective_due JOIN contacts c ON c.id = f.contact_id",
        "follow_ups f INDEXED BY follow_ups_open_case_due JOIN contacts c ON c.id = f.contact_id",
        # Snoozing only postpones, so due_on <= cap (the queue's last day) lets the index
        # narrow the range.
        "f.status = 'open' AND c.archived = 0 AND f.due_on <= :cap",
        "coalesce(f.snoozed_until, f.due_on)",
        "f.id",
        "f.contact_id",
        "f.kind",
        "f.kind",
        "CAST(f.id AS TEXT)",
        "f.open_case",
    ),
    Source.CHECK_IN: _Source(
        "1, c.id, c.id, c.check_in_due_on, 'check-in', c.relationship_type, c.name, c.open_case",
        "contacts c",
        "contacts c INDEXED BY contacts_open_case_check_in",
        "c.check_in_due_on IS NOT NULL",
        "c.check_in_due_on",
        "(c.id || '-')",
        "c.id",
        None,
        "'check-in'",
        "(c.id || '-')",
        "c.open_case",
    ),
    Source.REORDER: _Source(
        "2, s.contact_id, s.contact_id, s.next_due_on, 'reorder', c.relationship_type, c.name,"
        " s.open_case",
        "sale_stats s JOIN contacts c ON c.id = s.contact_id",
        "sale_stats s INDEXED BY sale_stats_open_case_due JOIN contacts c ON c.id = s.contact_id",
        # Summaries that include sales after as_of (a look back in time) are left out; a
        # done or skipped occurrence is marked; a snoozed one comes back through Python.
        f"s.next_due_on IS NOT NULL AND s.last_on <= :as_of AND c.archived = 0"
        f" AND NOT {_REORDER_MARKED}",
        "s.next_due_on",
        "(s.contact_id || '-')",
        "s.contact_id",
        None,
        "'reorder'",
        "(s.contact_id || '-')",
        "s.open_case",
    ),
}


class RankGroup(NamedTuple):
    """Rows of one source, optionally only some kinds (stored follow-ups) and relationship
    types, and only contacts with (True) or without (False) an open case."""

    src: Source
    open_case: bool | None = None
    kinds: Sequence[str] | None = None
    exclude_kinds: Sequence[str] | None = None
    rels: Sequence[str] | None = None
    exclude_rels: Sequence[str] | None = None


def _rank_sql(
    group: RankGroup, lo: str, hi: str, as_of: date, skip: Sequence[int], cap: str | None,
    limit: int | None, *, tag: str = "",
) -> tuple[str, dict[str, object]]:  # fmt: skip
    """`group`'s rows due in (lo, hi], soonest first, at most `limit`; its own parameters
    are named with `tag`."""
    sql, params = _source_sql(group.src, lo, hi, as_of, skip, None, cap=cap)
    sql = _filtered(group, sql, params, tag)
    col = _SOURCES[group.src]
    sql += f" ORDER BY {col.due}, {col.tie}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, params


def _filtered(group: RankGroup, sql: str, params: dict[str, object], tag: str) -> str:
    """`_source_sql`'s query of `group.src` kept to `group`'s rows (parameters named with
    `tag`)."""
    col = _SOURCES[group.src]
    if group.kinds is not None and col.kind_col:
        sql += f" AND {col.kind_col} IN ({_marks(group.kinds, params, tag + 'k')})"
    if group.exclude_kinds and col.kind_col:
        sql += f" AND {col.kind_col} NOT IN ({_marks(group.exclude_kinds, params, tag + 'xk')})"
    if group.rels is not None:
        sql += f" AND c.relationship_type IN ({_marks(group.rels, params, tag + 'r')})"
    if group.exclude_rels is not None:
        sql += " AND (c.relationship_type IS NULL"
        if group.exclude_rels:
            names = _marks(group.exclude_rels, params, tag + "xr")
            sql += f" OR c.relationship_type NOT IN ({names})"
        sql += ")"
    if group.open_case is not None:
        sql = _with_open_case(group.src, sql, group.open_case)
    return sql


def _with_open_case(src: Source, sql: str, open_case: bool) -> str:
    """`_source_sql`'s query kept to the rows of contacts with (without) an open case; the
    former through the index of those rows only."""
    col = _SOURCES[src]
    if open_case:
        sql = sql.replace(f" FROM {col.tables} ", f" FROM {col.open_case_tables} ", 1)
    return f"{sql} AND {col.open_case} = {int(open_case)}"


def _each(parts: Iterable[tuple[str, dict[str, object]]]) -> tuple[str, dict[str, object]]:
    """Queries of the same columns (each may order and limit its own rows) as one giving the
    rows of all (UNION ALL: in no promised order); parameters shared by name must agree."""
    params: dict[str, object] = {}
    selects = []
    for n, (sql, own) in enumerate(parts):
        selects.append(f"SELECT * FROM ({sql}) AS part{n}")
        params.update(own)
    return " UNION ALL ".join(selects), params


def _source_sql(
    src: Source,
    lo: str,
    hi: str,
    as_of: date,
    skip: Sequence[int],
    contact_id: int | None,
    *,
    due_only: bool = False,
    cap: str | None = None,
    also: str | None = None,
) -> tuple[str, dict[str, object]]:
    """The rows of `src` due after `lo` up to `hi`: RankRow's columns (`due_only`: the due
    day alone), then `also`'s value as a last column if given."""
    col = _SOURCES[src]
    what = col.due if due_only else col.select
    if also:
        what += f", {also}"
    sql = (
        f"SELECT {what} FROM {col.tables} WHERE {col.where}"
        f" AND {col.due} > :lo AND {col.due} <= :hi"
    )
    params: dict[str, object] = {"lo": lo, "hi": hi, "as_of": as_of.isoformat(), "cap": cap or hi}
    if skip:
        sql += f" AND {col.contact} NOT IN ({','.join(str(int(i)) for i in skip)})"
    if contact_id is not None:
        sql += f" AND {col.contact} = :contact"
        params["contact"] = contact_id
    return sql, params


class Weights(NamedTuple):
    """How rows due the same day rank: the higher the sum of their kind's, their contact's
    relationship type's and (a contact with an open case) `open_case` weight, the earlier."""

    kinds: Mapping[str, float]
    relationships: Mapping[str, float]
    open_case: float


def _weight_sql(weights: Weights, kind: str, open_case: str) -> str:
    """`weights` of a row as SQL (the values are the queue's constants, written inline)."""

    def case(expression: str, values: Mapping[str, float]) -> str:
        whens = " ".join(f"WHEN '{key}' THEN {float(value)!r}" for key, value in values.items())
        return f"(CASE {expression} {whens} ELSE 0.0 END)" if whens else "0.0"

    return (
        f"({case(kind, weights.kinds)} + {case('c.relationship_type', weights.relationships)}"
        f" + (CASE WHEN {open_case} = 1 THEN {float(weights.open_case)!r} ELSE 0.0 END))"
    )


class _Dated(NamedTuple):
    select: str  # id, contact_id, contact name, label, date as stored, relationship type
    tables: str
    month_day: str
    stored: str  # the date as stored: 'YYYY-MM-DD' or '--MM-DD'
    tie: str  # order among rows of the same day and weight, as their handles sort
    contact: str
    subject: str  # what an occurrence mark of the row refers to


_DATED: dict[str, _Dated] = {
    FollowUpKind.BIRTHDAY: _Dated(
        "c.id AS id, c.id AS contact_id, c.name, '' AS label, c.birthday AS stored,"
        " c.relationship_type",
        "contacts c", "c.birthday_md", "c.birthday", "(c.id || '-')", "c.id", "''",
    ),
    FollowUpKind.ANNIVERSARY: _Dated(
        "a.id AS id, a.contact_id, c.name, a.label, a.date AS stored, c.relationship_type",
        "anniversaries a JOIN contacts c ON c.id = a.contact_id",
        "a.date_md", "a.date", "(a.id || '-')", "a.contact_id", "CAST(a.id AS TEXT)",
    ),
}  # fmt: skip


def _dated_sql(
    kind: str, n: int, day: date, month_days: Sequence[str], skip: Sequence[int], what: str
) -> tuple[str, dict[str, object]]:
    """SELECT `what` of `kind`'s rows on `day` (their month-day one of `month_days`), with
    their parameters, named for the `n`th day of a window (the same for every kind)."""
    dated = _DATED[kind]
    params: dict[str, object] = {f"day{n}": day.isoformat(), f"year{n}": day.year}
    days = _marks(month_days, params, f"md{n}_")
    # A known year after the occurrence's (an age of 0 or less) is no occurrence yet.
    year = (
        f"CASE WHEN {dated.stored} LIKE '-%' THEN 0"
        f" ELSE CAST(substr({dated.stored}, 1, 4) AS INTEGER) END"
    )
    sql = (
        f"SELECT {what} FROM {dated.tables}"
        f" WHERE {dated.month_day} IN ({days}) AND c.archived = 0 AND {year} < :year{n}"
        f" AND NOT EXISTS (SELECT 1 FROM occurrence_marks m WHERE m.contact_id = {dated.contact}"
        f" AND m.kind = '{kind}' AND m.subject = {dated.subject} AND m.occurrence_on = :day{n})"
    )
    if skip:
        sql += f" AND {dated.contact} NOT IN ({','.join(str(int(i)) for i in skip)})"
    return sql, params


def _in_ranges(column: str, ranges: Sequence[tuple[str, str]]) -> tuple[str, list[object]]:
    """A WHERE clause (and its parameters) for `column` in any of the ('MM-DD', 'MM-DD') ranges."""
    clause = " OR ".join(f"{column} BETWEEN ? AND ?" for _ in ranges)
    return clause, [bound for pair in ranges for bound in pair]


def _marks(values: Sequence[str], params: dict[str, object], prefix: str) -> str:
    names = []
    for index, value in enumerate(values):
        params[f"{prefix}{index}"] = value
        names.append(f":{prefix}{index}")
    return ",".join(names) or "NULL"


class StoredRow(NamedTuple):
    follow_up: FollowUp
    contact_name: str
    relationship_type: str | None
    open_case: bool


class RankRow(NamedTuple):
    src: Source
    id: int
    contact_id: int
    due: str
    kind: str
    relationship_type: str | None
    contact_name: str
    open_case: int  # 1: the contact has an open case


class ReorderRow(NamedTuple):
    contact_id: int
    contact_name: str
    due: str
    last_on: str
    median_gap: float
    purchases: int
    relationship_type: str | None


class DueRow(NamedTuple):
    """A stored follow-up, a check-in or a reorder, with what the queue shows of it."""

    src: Source
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
    cadence: int | None  # check-ins: the interval in force
    urgency: float
    median_gap: float | None = None  # reorders: last_touch_on is the last purchase
    purchases: int | None = None
    version: int = 0  # stored follow-ups: the row's version
    open_case: bool = False  # stored follow-ups: whether the contact has an open case


class Mark(NamedTuple):
    contact_id: int
    kind: str
    subject: str
    occurrence_on: str
    status: str
    snoozed_until: str | None
    marked_on: str  # the day it was marked done, skipped or snoozed
    marked_by: str | None = None  # who, by name, when known
    marked_at: str | None = None  # when: a timestamp


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
    cadence: int | None
    relationship_type: str | None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _follow_up(row: Row) -> FollowUp:
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
        version=row["version"],
        assignee_id=row["assignee_id"],
        done_by=row["done_by_name"],
        done_at=row["done_at"],
    )


def _stored_sql(clauses: list[str]) -> str:
    """`FollowUpRepo.query`'s statement for these conditions (on `f` and its contact `c`)."""
    return f"""SELECT f.*, {_DONE_BY}, c.name AS contact_name,
                 c.relationship_type AS contact_type, f.open_case
               FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
               WHERE {" AND ".join(clauses)}
               ORDER BY coalesce(f.snoozed_until, f.due_on), f.id"""


def _stored_row(r: Row) -> StoredRow:
    return StoredRow(_follow_up(r), r["contact_name"], r["contact_type"], bool(r["open_case"]))
