"""SQL for cases: complaints and problems, from opening to resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.models.cases import Case
from tinycrm.store.backend import Backend, Row
from tinycrm.store.stamps import now_iso
from tinycrm.store.versions import update_versioned
from tinycrm.vocabulary import Severity


@dataclass(frozen=True)
class CaseRow:
    case: Case
    contact_name: str


class CaseRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, case: Case) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO cases (contact_id, title, severity, opened_on, target_on,
                     created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                (case.contact_id, case.title, case.severity.value, case.opened_on.isoformat(),
                 case.target_on.isoformat(), now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def get(self, case_id: int) -> Case | None:
        row = self.db.conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return _case(row) if row else None

    def escalate(self, case: Case, to: str, on: date) -> None:
        """Escalate `case`, if it is still at `case.version` (else Stale)."""
        with self.db.write() as conn:
            update_versioned(
                conn, "cases", "case", case.id or 0, case.version,
                "escalated_to = ?, escalated_on = ?", (to, on.isoformat()),
            )  # fmt: skip

    def resolve(self, case: Case, on: date, how: str, *, internal: bool, mail: bool) -> None:
        """Resolve `case`, if it is still at `case.version` (else Stale); `mail`: its reply is
        to be e-mailed to the customer (pending until `reply_mailed`)."""
        with self.db.write() as conn:
            update_versioned(
                conn, "cases", "case", case.id or 0, case.version,
                "resolved_on = ?, resolution = ?, resolution_internal = ?, reply_mail = ?",
                (on.isoformat(), how, int(internal), "pending" if mail else None),
            )  # fmt: skip

    def pending_replies(self, case_id: int | None = None) -> list[Case]:
        """Resolved cases whose reply is still to be e-mailed (all, or the one), oldest first."""
        sql = "SELECT * FROM cases WHERE reply_mail = 'pending'"
        params: tuple[int, ...] = ()
        if case_id is not None:
            sql, params = sql + " AND id = ?", (case_id,)
        return [_case(row) for row in self.db.conn.execute(sql + " ORDER BY id", params)]

    def set_reply_mail(self, case_id: int, state: str, detail: str) -> None:
        """Record what became of the reply's e-mail: sent (to whom, when) or still pending
        (why the attempt failed). Not an edit of the case: its version stays."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE cases SET reply_mail = ?, reply_mail_detail = ? WHERE id = ?",
                (state, detail, case_id),
            )

    def close_follow_ups(self, source: str, on: date) -> None:
        """Mark the open follow-ups a case created as done (the case is resolved)."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE follow_ups SET status = 'done', completed_on = ?, version = version + 1
                   WHERE source = ? AND status = 'open'""",
                (on.isoformat(), source),
            )

    def query(
        self,
        contact_id: int | None = None,
        open_only: bool = False,
        *,
        company_id: int | None = None,
    ) -> list[CaseRow]:
        """Cases (of one contact, or of anyone at one company now) with their contact's name:
        open ones first, by target date."""
        clauses: list[str] = []
        params: list[object] = []
        if company_id is not None:
            clauses.append("c.company_id = ?")
            params.append(company_id)
        if contact_id is not None:
            clauses.append("k.contact_id = ?")
            params.append(contact_id)
        if open_only:
            clauses.append("k.resolved_on IS NULL")
        sql = (
            "SELECT k.*, c.name AS contact_name FROM cases k JOIN contacts c ON c.id = k.contact_id"
        )
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY k.resolved_on IS NOT NULL, k.target_on, k.id"
        return [
            CaseRow(_case(row), row["contact_name"]) for row in self.db.conn.execute(sql, params)
        ]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _case(row: Row) -> Case:
    return Case(
        id=row["id"],
        contact_id=row["contact_id"],
        title=row["title"],
        severity=Severity(row["severity"]),
        opened_on=date.fromisoformat(row["opened_on"]),
        target_on=date.fromisoformat(row["target_on"]),
        escalated_to=row["escalated_to"],
        escalated_on=_date(row["escalated_on"]),
        resolved_on=_date(row["resolved_on"]),
        resolution=row["resolution"],
        resolution_internal=bool(row["resolution_internal"]),
        reply_mail=row["reply_mail"],
        reply_mail_detail=row["reply_mail_detail"],
        version=row["version"],
    )
