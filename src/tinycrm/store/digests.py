"""SQL for the record of digest deliveries (`digest_runs`): one row per attempt to send.

Each recipient has their own record: `user_id` is the person whose digest it is (`crm digest
--send --each-owner`), None the shop's one digest to `[smtp] to`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from tinycrm.store.backend import Backend, Row
from tinycrm.store.stamps import now_iso

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
    user_id: int | None = None


def _whose(user_id: int | None) -> tuple[str, tuple[int, ...]]:
    """The condition and parameters for one recipient's rows (None: the shop's digest)."""
    return ("user_id IS NULL", ()) if user_id is None else ("user_id = ?", (user_id,))


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
        user_id: int | None = None,
    ) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO digest_runs (digest_on, covered_from, status, recipients,
                     item_count, error, attempted_at, user_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (digest_on.isoformat(), covered_from.isoformat(), status, recipients,
                 item_count, error, now_iso(), user_id),
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
        user_id: int | None = None,
    ) -> int | None:
        """Mark `user_id`'s digest (None: the shop's) for `digest_on` as being sent by this run
        and return the mark's id (`finish` records the outcome), or None when it was sent
        already or another run began sending it less than CLAIM_EXPIRY ago (`force`: mark it
        all the same). The check and the mark are one write transaction, so of two runs at
        once only one sends."""
        day = digest_on.isoformat()
        whose, who = _whose(user_id)
        with self.db.write() as conn:
            taken = conn.execute(
                f"""SELECT status, attempted_at FROM digest_runs
                   WHERE digest_on = ? AND status IN (?, ?) AND {whose}""",
                (day, SENT, SENDING, *who),
            ).fetchall()
            now = datetime.now().astimezone()
            if not force and any(
                status == SENT or now - datetime.fromisoformat(at) < CLAIM_EXPIRY
                for status, at in taken
            ):
                return None
            cursor = conn.execute(
                """INSERT INTO digest_runs (digest_on, covered_from, status, recipients,
                     item_count, attempted_at, user_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (day, covered_from.isoformat(), SENDING, recipients, item_count, now_iso(),
                 user_id),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def finish(self, run_id: int, status: str, error: str | None = None) -> None:
        """Record how a claimed send ended (SENT or FAILED)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE digest_runs SET status = ?, error = ?, attempted_at = ? WHERE id = ?",
                (status, error, now_iso(), run_id),
            )

    def sent_on(self, digest_on: date, user_id: int | None = None) -> DigestRun | None:
        """The latest successful delivery of `user_id`'s digest (None: the shop's) for
        `digest_on`, if any."""
        whose, who = _whose(user_id)
        row = self.db.conn.execute(
            f"""SELECT * FROM digest_runs WHERE digest_on = ? AND status = ? AND {whose}
               ORDER BY id DESC LIMIT 1""",
            (digest_on.isoformat(), SENT, *who),
        ).fetchone()
        return _run(row) if row else None

    def last_sent_before(self, day: date, user_id: int | None = None) -> DigestRun | None:
        """The latest day strictly before `day` whose digest for `user_id` (None: the shop's)
        was sent (or had nothing due)."""
        whose, who = _whose(user_id)
        row = self.db.conn.execute(
            f"""SELECT * FROM digest_runs WHERE digest_on < ? AND status IN (?, ?) AND {whose}
               ORDER BY digest_on DESC, id DESC LIMIT 1""",
            (day.isoformat(), SENT, EMPTY, *who),
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
        user_id=row["user_id"],
    )
