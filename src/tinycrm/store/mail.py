"""SQL for the e-mail channel: survey requests, survey opt-outs, collected messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tinycrm.models.mail import MailRecord, Outcome, SurveyRequest
from tinycrm.store.backend import Backend, Row
from tinycrm.store.owners import Owner, owner_params, owner_sql
from tinycrm.store.stamps import now_iso
from tinycrm.vocabulary import Scale

# A survey request `s` a delivery failure report came back for.
BOUNCED = (
    "EXISTS (SELECT 1 FROM mail_messages b WHERE b.survey_id = s.id AND b.outcome = 'bounced')"
)

# Survey requests `s` with the day their bounce was collected, if one was.
REQUESTS = """SELECT s.*, (SELECT min(b.collected_on) FROM mail_messages b
                 WHERE b.survey_id = s.id AND b.outcome = 'bounced') AS bounced_on
              FROM survey_requests s"""


@dataclass(frozen=True)
class DueCheck:
    """An open satisfaction-check follow-up due by the day asked about."""

    contact_id: int
    follow_up_id: int


@dataclass(frozen=True)
class BouncedRow:
    """A survey that came back undelivered and was not answered, with whom to call instead."""

    contact_id: int
    contact_name: str
    address: str
    sent_on: date
    bounced_on: date  # the day its first failure report was collected
    reason: str | None  # the remote server's
    phone: str | None  # the contact's first


@dataclass(frozen=True)
class HeldRow:
    record: MailRecord
    contact_name: str | None
    scale: Scale | None


class SurveyRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, request: SurveyRequest) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO survey_requests (contact_id, address, scale, code, message_id,
                     follow_up_id, sent_on, expires_on, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (request.contact_id, request.address, request.scale.value, request.code,
                 request.message_id, request.follow_up_id, request.sent_on.isoformat(),
                 request.expires_on.isoformat(), now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def get(self, request_id: int) -> SurveyRequest | None:
        row = self.db.conn.execute(f"{REQUESTS} WHERE s.id = ?", (request_id,)).fetchone()
        return _request(row) if row else None

    def by_code(self, code: str) -> SurveyRequest | None:
        row = self.db.conn.execute(f"{REQUESTS} WHERE s.code = ?", (code.lower(),)).fetchone()
        return _request(row) if row else None

    def by_message_ids(self, message_ids: Iterable[str]) -> SurveyRequest | None:
        """The request one of these Message-IDs names (a reply's In-Reply-To, References)."""
        for message_id in message_ids:
            row = self.db.conn.execute(
                f"{REQUESTS} WHERE s.message_id = ?", (message_id,)
            ).fetchone()
            if row:
                return _request(row)
        return None

    def mark_answered(self, request_id: int, on: date, score_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE survey_requests SET answered_on = ?, score_id = ? WHERE id = ?",
                (on.isoformat(), score_id, request_id),
            )

    def last_sent_on(self, contact_id: int) -> date | None:
        """The day of the contact's last survey that did not bounce."""
        row = self.db.conn.execute(
            f"SELECT max(sent_on) FROM survey_requests s WHERE contact_id = ? AND NOT {BOUNCED}",
            (contact_id,),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def bounced_on(self, contact_id: int, address: str) -> date | None:
        """When a survey to this address of the contact last bounced."""
        row = self.db.conn.execute(
            """SELECT max(m.collected_on) FROM survey_requests s
               JOIN mail_messages m ON m.survey_id = s.id AND m.outcome = 'bounced'
               WHERE s.contact_id = ? AND lower(s.address) = ?""",
            (contact_id, address.lower()),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def for_contact(self, contact_id: int) -> list[SurveyRequest]:
        rows = self.db.conn.execute(
            f"{REQUESTS} WHERE s.contact_id = ? ORDER BY s.sent_on, s.id",
            (contact_id,),
        )
        return [_request(row) for row in rows]

    def due_checks(self, day: date) -> list[DueCheck]:
        """Each active contact's earliest open satisfaction check due by `day`."""
        rows = self.db.conn.execute(
            """SELECT f.contact_id, min(f.id) FROM follow_ups f
               JOIN contacts c ON c.id = f.contact_id AND c.archived = 0
               WHERE f.status = 'open' AND f.kind = 'satisfaction-check'
                 AND coalesce(f.snoozed_until, f.due_on) <= ?
               GROUP BY f.contact_id ORDER BY f.contact_id""",
            (day.isoformat(),),
        )
        return [DueCheck(row[0], row[1]) for row in rows]

    def open_check(self, contact_id: int, day: date) -> int | None:
        row = self.db.conn.execute(
            """SELECT min(id) FROM follow_ups WHERE contact_id = ? AND status = 'open'
                 AND kind = 'satisfaction-check' AND coalesce(snoozed_until, due_on) <= ?""",
            (contact_id, day.isoformat()),
        ).fetchone()
        return row[0] if row else None

    def close_check(self, follow_up_id: int, on: date) -> None:
        """The survey stands for the check: done, without restarting the keep-in-touch clock
        (an automatic message is no contact with the customer)."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE follow_ups SET status = 'done', completed_on = ?, version = version + 1
                   WHERE id = ? AND status = 'open'""",
                (on.isoformat(), follow_up_id),
            )

    def reopen_check(self, follow_up_id: int, closed_on: date) -> bool:
        """Undo `close_check` when the survey did not reach the customer: the check is open
        again, as for a contact who cannot be surveyed; False if it was closed otherwise."""
        with self.db.write() as conn:
            row = conn.execute(
                """UPDATE follow_ups SET status = 'open', completed_on = NULL,
                     version = version + 1
                   WHERE id = ? AND status = 'done' AND completed_on = ? RETURNING id""",
                (follow_up_id, closed_on.isoformat()),
            ).fetchone()
        return row is not None

    def bounced_between(self, start: date, end: date, owner: Owner | None) -> list[BouncedRow]:
        """The unanswered surveys whose first failure report was collected between two days
        (both included), of active contacts `owner` owns (None: everyone's), in the order the
        reports came."""
        params = {"start": start.isoformat(), "end": end.isoformat(), **owner_params(owner)}
        rows = self.db.conn.execute(
            f"""SELECT c.id, c.name, s.address, s.sent_on, b.collected_on, b.reason,
                  (SELECT p.phone FROM contact_phones p WHERE p.contact_id = c.id
                   ORDER BY p.position LIMIT 1) AS phone
               FROM mail_messages b
               JOIN survey_requests s ON s.id = b.survey_id AND s.answered_on IS NULL
               JOIN contacts c ON c.id = s.contact_id AND c.archived = 0
               WHERE b.outcome = 'bounced' AND b.collected_on BETWEEN :start AND :end
                 AND {owner_sql(owner)}
                 AND b.id = (SELECT min(f.id) FROM mail_messages f
                             WHERE f.survey_id = s.id AND f.outcome = 'bounced')
               ORDER BY b.collected_on, b.id""",
            params,
        )
        return [
            BouncedRow(row[0], row[1], row[2], date.fromisoformat(row[3]),
                       date.fromisoformat(row[4]), row[5], row[6])
            for row in rows
        ]  # fmt: skip

    def counts(self, start: date, end: date) -> tuple[int, int]:
        """(requests sent, of them answered) between two days, both included."""
        row = self.db.conn.execute(
            """SELECT count(*), count(answered_on) FROM survey_requests
               WHERE sent_on BETWEEN ? AND ?""",
            (start.isoformat(), end.isoformat()),
        ).fetchone()
        return int(row[0]), int(row[1])


class MailRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, record: MailRecord) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO mail_messages (fingerprint, message_id, collected_on, outcome,
                     reason, contact_id, survey_id, case_id, note_id, score_id, score, sender,
                     subject, excerpt, sent_on, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (record.fingerprint, record.message_id, record.collected_on.isoformat(),
                 record.outcome.value, record.reason, record.contact_id, record.survey_id,
                 record.case_id, record.note_id, record.score_id, record.score, record.sender,
                 record.subject, record.excerpt, _iso(record.sent_on), now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def by_fingerprint(self, fingerprint: str) -> MailRecord | None:
        row = self.db.conn.execute(
            "SELECT * FROM mail_messages WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return _record(row) if row else None

    def get(self, record_id: int) -> MailRecord | None:
        row = self.db.conn.execute(
            "SELECT * FROM mail_messages WHERE id = ?", (record_id,)
        ).fetchone()
        return _record(row) if row else None

    def outcomes_by_message_id(self, message_ids: Iterable[str]) -> dict[str, set[Outcome]]:
        """For each Message-ID already collected, what became of the messages bearing it."""
        found: dict[str, set[Outcome]] = {}
        wanted = list(dict.fromkeys(message_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.conn.execute(
                f"SELECT message_id, outcome FROM mail_messages WHERE message_id IN ({marks})",
                chunk,
            )
            for message_id, outcome in rows:
                found.setdefault(message_id, set()).add(Outcome(outcome))
        return found

    def message_id_known(self, message_id: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM mail_messages WHERE message_id = ? LIMIT 1", (message_id,)
        ).fetchone()
        return row is not None

    def held(self, contact_id: int | None = None) -> list[HeldRow]:
        """Messages held for review, oldest first, with the contact and survey scale."""
        sql = """SELECT m.*, c.name AS contact_name, s.scale AS survey_scale
                 FROM mail_messages m
                 LEFT JOIN contacts c ON c.id = m.contact_id
                 LEFT JOIN survey_requests s ON s.id = m.survey_id
                 WHERE m.outcome = 'held'"""
        params: list[object] = []
        if contact_id is not None:
            sql += " AND m.contact_id = ?"
            params.append(contact_id)
        rows = self.db.conn.execute(sql + " ORDER BY m.collected_on, m.id", params)
        return [
            HeldRow(
                _record(row),
                row["contact_name"],
                Scale(row["survey_scale"]) if row["survey_scale"] else None,
            )
            for row in rows
        ]

    def held_count(self) -> int:
        row = self.db.conn.execute(
            "SELECT count(*) FROM mail_messages WHERE outcome = 'held'"
        ).fetchone()
        return int(row[0])

    def review(self, record_id: int, outcome: Outcome, on: date, score_id: int | None) -> None:
        with self.db.write() as conn:
            conn.execute(
                """UPDATE mail_messages SET outcome = ?, reviewed_on = ?,
                     score_id = coalesce(?, score_id) WHERE id = ?""",
                (outcome.value, on.isoformat(), score_id, record_id),
            )

    def contacts_by_address(self, addresses: Iterable[str]) -> dict[str, int]:
        """The contact each address belongs to (lower case; an active contact first, then the
        lowest id)."""
        found: dict[str, int] = {}
        for address in dict.fromkeys(a.lower() for a in addresses):
            row = self.db.conn.execute(
                """SELECT e.contact_id FROM contact_emails e
                   JOIN contacts c ON c.id = e.contact_id
                   WHERE lower(e.email) = ? ORDER BY c.archived, c.id LIMIT 1""",
                (address,),
            ).fetchone()
            if row:
                found[address] = int(row[0])
        return found


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _request(row: Row) -> SurveyRequest:
    return SurveyRequest(
        id=row["id"],
        contact_id=row["contact_id"],
        address=row["address"],
        scale=Scale(row["scale"]),
        code=row["code"],
        message_id=row["message_id"],
        sent_on=date.fromisoformat(row["sent_on"]),
        expires_on=date.fromisoformat(row["expires_on"]),
        follow_up_id=row["follow_up_id"],
        answered_on=_date(row["answered_on"]),
        score_id=row["score_id"],
        bounced_on=_date(row["bounced_on"]),
    )


def _record(row: Row) -> MailRecord:
    return MailRecord(
        id=row["id"],
        fingerprint=row["fingerprint"],
        message_id=row["message_id"],
        collected_on=date.fromisoformat(row["collected_on"]),
        outcome=Outcome(row["outcome"]),
        reason=row["reason"],
        contact_id=row["contact_id"],
        survey_id=row["survey_id"],
        case_id=row["case_id"],
        note_id=row["note_id"],
        score_id=row["score_id"],
        score=row["score"],
        sender=row["sender"],
        subject=row["subject"],
        excerpt=row["excerpt"],
        sent_on=_date(row["sent_on"]),
        reviewed_on=_date(row["reviewed_on"]),
    )
