"""SQL for the customer portal: one-time links, sign-in attempts, sessions, the signing key.

Secrets are stored only as SHA-256 hashes; times are UTC ISO 8601 text, so that text order is
time order on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tinycrm.models.portal import LinkPurpose, PortalLink
from tinycrm.store.backend import Backend, Row


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class PortalRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def signing_key(self, new_secret: str, now: datetime) -> str:
        """The database's key for signing cookies and forms, stored first as `new_secret`."""
        with self.db.write() as conn:
            row = conn.execute("SELECT secret FROM portal_keys ORDER BY id LIMIT 1").fetchone()
            if row:
                return str(row[0])
            conn.execute(
                "INSERT INTO portal_keys (secret, created_at) VALUES (?, ?)",
                (new_secret, utc_text(now)),
            )
        return new_secret

    def attempts_since(self, scope: str, key_hash: str, since: datetime) -> int:
        row = self.db.conn.execute(
            """SELECT count(*) FROM portal_attempts
               WHERE scope = ? AND key_hash = ? AND attempted_at >= ?""",
            (scope, key_hash, utc_text(since)),
        ).fetchone()
        return int(row[0])

    def add_attempt(self, scope: str, key_hash: str, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO portal_attempts (scope, key_hash, attempted_at) VALUES (?, ?, ?)",
                (scope, key_hash, utc_text(now)),
            )

    def forget_attempts(self, before: datetime) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM portal_attempts WHERE attempted_at < ?", (utc_text(before),))

    def add_link(
        self,
        contact_id: int,
        purpose: LinkPurpose,
        address: str,
        token_hash: str,
        now: datetime,
        expires: datetime,
    ) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO portal_links (contact_id, purpose, address, token_hash,
                     created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                (contact_id, purpose.value, address, token_hash, utc_text(now),
                 utc_text(expires)),
            )  # fmt: skip
            return int(cursor.fetchone()[0])

    def link(self, token_hash: str) -> PortalLink | None:
        row = self.db.conn.execute(
            "SELECT * FROM portal_links WHERE token_hash = ?", (token_hash,)
        ).fetchone()
        return _link(row) if row else None

    def use_link(self, link_id: int, now: datetime) -> bool:
        """Mark the link used; false if it already was (another request was first)."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "UPDATE portal_links SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (utc_text(now), link_id),
            )
            return cursor.rowcount == 1

    def add_session(
        self, contact_id: int, token_hash: str, now: datetime, expires: datetime
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO portal_sessions (contact_id, token_hash, created_at, expires_at)
                   VALUES (?, ?, ?, ?)""",
                (contact_id, token_hash, utc_text(now), utc_text(expires)),
            )

    def session_contact(self, token_hash: str, now: datetime) -> int | None:
        """The contact a live session belongs to (not ended, not expired)."""
        row = self.db.conn.execute(
            """SELECT contact_id FROM portal_sessions
               WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?""",
            (token_hash, utc_text(now)),
        ).fetchone()
        return int(row[0]) if row else None

    def end_session(self, token_hash: str, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE portal_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                (utc_text(now), token_hash),
            )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _link(row: Row) -> PortalLink:
    return PortalLink(
        id=int(row["id"]),
        contact_id=int(row["contact_id"]),
        purpose=LinkPurpose(row["purpose"]),
        address=row["address"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        used_at=_moment(row["used_at"]),
    )
