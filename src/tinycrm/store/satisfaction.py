"""SQL for satisfaction scores (CSAT 1-5, NPS 0-10)."""

from __future__ import annotations

from datetime import date

from tinycrm.models.satisfaction import Score
from tinycrm.store.backend import Backend, Row
from tinycrm.store.stamps import now_iso
from tinycrm.vocabulary import Scale


class ScoreRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, score: Score) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO satisfaction (contact_id, scored_on, scale, score, source, comment,
                     created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (score.contact_id, score.scored_on.isoformat(), score.scale.value, score.score,
                 score.source, score.comment, now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def for_contact(self, contact_id: int, until: date | None = None) -> list[Score]:
        """The contact's scores, oldest first."""
        sql = "SELECT * FROM satisfaction WHERE contact_id = ?"
        params: list[object] = [contact_id]
        if until is not None:
            sql += " AND scored_on <= ?"
            params.append(until.isoformat())
        rows = self.db.conn.execute(sql + " ORDER BY scored_on, id", params)
        return [_score(row) for row in rows]


def _score(row: Row) -> Score:
    return Score(
        id=row["id"],
        contact_id=row["contact_id"],
        scored_on=date.fromisoformat(row["scored_on"]),
        scale=Scale(row["scale"]),
        score=row["score"],
        source=row["source"],
        comment=row["comment"],
    )
