"""SQL for the record of digest deliveries (`digest_runs`): one row per attempt to send."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from tinycrm.store.backend import Backend, Row
from tinycrm.store.connection import now_iso

SENT = "sent"
FAILED = "failed"
EMPTY = "empty"  # --quiet-if-empty found nothing due: nothing sent, but the day is covered
SENDING = "sending"  # a run is sending it now, or stopped while sending (see CLAIM_EXPIRY)
# A run still "sending" after this long is taken to have died (SMTP timeouts are seconds).
CLAIM_EXPIRY = timedelta(minutes=15)


class DigestRun(NamedTuple):
    id: int
    digest_on: date
    covered_from: date
    status: str  # sent, failed, empty
    recipients: str | None
    item_count: int
    error: str | None
    attempted_at: str


class DigestRunRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def record(
        self,
        digest_on: date,
        covered_from: date,
        status: str,
        *,
        recipients: str | None,
        item_count: int,
        error: str | None = None,
    ) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO digest_runs (digest_on, covered_from, status, recipients,
                     item_count, error, attempted_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (digest_on.isoformat(), covered_from.isoformat(), status, recipients,
                 item_count, error, now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def claim(
        self,
        digest_on: date,
        covered_from: date,
        *,
        recipients: str,
        item_count: int,
        force: bool = False,
    ) -> int | None:
        """Mark the digest for `digest_on` as being sent by this run and return the mark's id
        (`finish` records the outcome), or None when it was sent already or another run began
        sending it less than CLAIM_EXPIRY ago (`force`: mark it all the same). The check and the
        mark are one write transaction, so of two runs at once only one sends."""
        day = digest_on.isoformat()
        with self.db.write() as conn:
            taken = conn.execute(
                """SELECT status, attempted_at FROM digest_runs
                   WHERE digest_on = ? AND status IN (?, ?)""",
                (day, SENT, SENDING),
            ).fetchall()
            now = datetime.now().astimezone()
            if not force and any(
                status == SENT or now - datetime.fromisoformat(at) < CLAIM_EXPIRY
                for status, at in taken
            ):
                return None
            cursor = conn.execute(
                """INSERT INTO digest_runs (digest_on, covered_from, status, recipients,
                     item_count, attempted_at)
                   VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                (day, covered_from.isoformat(), SENDING, recipients, item_count, now_iso()),
            )
            new_id = int(cursor.fetchone()[0])
        return new_id

    def finish(self, run_id: int, status: str, error: str | None = None) -> None:
        """Record how a claimed send ended (SENT or FAILED)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE digest_runs SET status = ?, error = ?, attempted_at = ? WHERE id = ?",
                (status, error, now_iso(), run_id),
            )

    def sent_on(self, digest_on: date) -> DigestRun | None:
        """The latest successful delivery of the digest for `digest_on`, if any."""
        row = self.db.conn.execute(
            """SELECT * FROM digest_runs WHERE digest_on = ? AND status = ?
               ORDER BY id DESC LIMIT 1""",
            (digest_on.isoformat(), SENT),
        ).fetchone()
        return _run(row) if row else None

    def last_sent_before(self, day: date) -> DigestRun | None:
        """The latest day strictly before `day` whose digest was sent (or had nothing due)."""
        row = self.db.conn.execute(
            """SELECT * FROM digest_runs WHERE digest_on < ? AND status IN (?, ?)
               ORDER BY digest_on DESC, id DESC LIMIT 1""",
            (day.isoformat(), SENT, EMPTY),
        ).fetchone()
        return _run(row) if row else None

    def recent(self, limit: int = 20) -> list[DigestRun]:
        rows = self.db.conn.execute("SELECT * FROM digest_runs ORDER BY id DESC LIMIT ?", (limit,))
        return [_run(row) for row in rows]


def _run(row: Row) -> DigestRun:
    return DigestRun(
        id=row["id"],
        digest_on=date.fromisoformat(row["digest_on"]),
        covered_from=date.fromisoformat(row["covered_from"]),
        status=row["status"],
        recipients=row["recipients"],
        item_count=row["item_count"],
        error=row["error"],
        attempted_at=row["attempted_at"],
    )
