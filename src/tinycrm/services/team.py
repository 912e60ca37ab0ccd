"""The team report (`crm report team`): per person, what they did in a period (interactions
logged, follow-ups done on time or late, from the history) and how their customers are now
(open cases, at risk by the one at-risk rule, satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tinycrm.services import atrisk
from tinycrm.services.followups import OwnerScope
from tinycrm.store import Store
from tinycrm.store.team import Activity, Satisfaction

NOBODY = "(nobody)"  # unowned customers, and what was done by no known user
NO_ACTIVITY = Activity(0, 0, 0)


@dataclass(frozen=True)
class TeamRow:
    user_id: int | None
    name: str
    active: bool
    activity: Activity
    open_cases: int
    at_risk: int
    satisfaction: list[Satisfaction]

    @property
    def is_empty(self) -> bool:
        counts = (self.activity.interactions, self.activity.done_on_time, self.activity.done_late)
        return not any((*counts, self.open_cases, self.at_risk, self.satisfaction))


@dataclass(frozen=True)
class TeamReport:
    since: date
    as_of: date
    rows: list[TeamRow]


def team_report(store: Store, as_of: date, days: int = 30) -> TeamReport:
    """Every active user, a deactivated one with something to show, and a NOBODY row when
    there are unowned customers or unattributed work; activity over the `days` up to `as_of`."""
    since = as_of - timedelta(days=days - 1)
    with store.read():
        users = store.users.all()
        activity = store.team.activity(since.isoformat(), as_of.isoformat())
        cases = store.team.open_cases()
        scores = store.team.satisfaction()
        # How many each person owns, counted up to TOTAL_LIMIT (wording.py), not listed.
        at_risk = {
            user_id: atrisk.at_risk(store, as_of, 1, OwnerScope(user_id)).total
            for user_id in [*(u.id for u in users), None]
        }

    def row(user_id: int | None, name: str, active: bool) -> TeamRow:
        return TeamRow(
            user_id, name, active, activity.get(user_id, NO_ACTIVITY), cases.get(user_id, 0),
            at_risk.get(user_id, 0), scores.get(user_id, []),
        )  # fmt: skip

    rows = [row(u.id, u.name, u.active) for u in users]
    rows = [r for r in rows if r.active or not r.is_empty]
    nobody = row(None, NOBODY, True)
    if not nobody.is_empty:
        rows.append(nobody)
    return TeamReport(since, as_of, rows)


def satisfaction_text(scores: list[Satisfaction]) -> str:
    """'CSAT 4.3 (3) · NPS 8.0 (1)': the average latest score per scale, and of how many."""
    return " · ".join(f"{s.scale.upper()} {s.average:.1f} ({s.customers})" for s in scores)
