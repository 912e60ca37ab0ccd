"""SQL for the team report: what each person did (from the history) and what their customers
are like now (owned contacts: open cases, latest satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass

from tinycrm.store.backend import Backend

# The owner of a case: its own, else its customer's (schema 10).
_CASE_OWNER = "coalesce(k.owner_id, c.owner_id)"


@dataclass(frozen=True)
class Activity:
    interactions: int  # notes with a channel logged
    done_on_time: int  # follow-ups marked done on or before the day they were due
    done_late: int


@dataclass(frozen=True)
class Satisfaction:
    scale: str
    customers: int  # owned customers whose latest score is on this scale
    average: float


class TeamRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def activity(self, since: str, until: str) -> dict[int | None, Activity]:
        """Per user (None: nobody known) from day `since` to `until` (ISO): interactions logged and
        follow-ups done on time or late, the day they were done being the day it was recorded
        (the history's own clock, not a back-dated --as-of)."""
        rows = self.db.conn.execute(
            """SELECT user_id,
                 sum(CASE WHEN entity = 'note' AND action = 'logged' THEN 1 ELSE 0 END),
                 sum(CASE WHEN action = 'done' AND substr(at, 1, 10) <= old THEN 1 ELSE 0 END),
                 sum(CASE WHEN action = 'done' AND substr(at, 1, 10) > old THEN 1 ELSE 0 END)
               FROM history WHERE substr(at, 1, 10) BETWEEN ? AND ? GROUP BY user_id""",
            (since, until),
        )
        return {row[0]: Activity(int(row[1]), int(row[2]), int(row[3])) for row in rows}

    def open_cases(self) -> dict[int | None, int]:
        """Open cases per owner (the case's own, else its customer's; None: unowned)."""
        rows = self.db.conn.execute(
            f"""SELECT {_CASE_OWNER}, count(*) FROM cases k
                JOIN contacts c ON c.id = k.contact_id
                WHERE k.resolved_on IS NULL GROUP BY {_CASE_OWNER}"""
        )
        return {row[0]: int(row[1]) for row in rows}

    def satisfaction(self) -> dict[int | None, list[Satisfaction]]:
        """Per owner, per scale: how many of their active customers' latest score is on it, and
        the average of those scores."""
        rows = self.db.conn.execute(
            """SELECT c.owner_id, s.scale, count(*), avg(s.score) FROM score_stats s
               JOIN contacts c ON c.id = s.contact_id WHERE c.archived = 0
               GROUP BY c.owner_id, s.scale ORDER BY s.scale"""
        )
        found: dict[int | None, list[Satisfaction]] = {}
        for owner, scale, count, average in rows:
            found.setdefault(owner, []).append(Satisfaction(scale, int(count), float(average)))
        return found
