"""REFERENCE IMPLEMENTATION of the at-risk report, written independently of src/: plain
Python over the raw rows, with the rules spelled out here as the docs state them
(docs/follow-ups.md, docs/reports.md). Slow but obviously right;
tests/test_at_risk_equivalence.py checks that the fast SQL returns exactly the same rows and
total. Test-only; do not use from src/."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from tinycrm.store.atrisk import AtRiskRow
from tinycrm.store.backend import Connection

CADENCE = {"dedicated": 30, "personal": 60, "long-term": 90, "community": 180}
LOW = {"csat": 2, "nps": 6}


def check_in_due(contact: sqlite3.Row) -> date | None:
    """One cadence after the clock's start: the later of the last interaction and the last
    restart without one (added, imported, skipped)."""
    override = contact["cadence_days"]
    cadence = (override or None) if override is not None else None
    if override is None:
        cadence = CADENCE.get(contact["relationship_type"])
    starts = [d for d in (contact["last_touch_on"], contact["touch_anchor_on"]) if d]
    if contact["archived"] or not cadence or not starts:
        return None
    return date.fromisoformat(max(starts)) + timedelta(days=cadence)


def at_risk_reference(
    conn: Connection, as_of: date, limit: int | None = None
) -> tuple[int, list[AtRiskRow]]:
    asof = as_of.isoformat()
    snoozed = {
        (r["contact_id"], r["occurrence_on"])
        for r in conn.execute(
            """SELECT contact_id, occurrence_on FROM occurrence_marks WHERE kind = 'check-in'
               AND status = 'snoozed' AND snoozed_until >= ?""",
            (asof,),
        )
    }
    scores: dict[int, list[sqlite3.Row]] = {}
    for r in conn.execute(
        "SELECT * FROM satisfaction WHERE scored_on <= ? ORDER BY scored_on, id", (asof,)
    ):
        scores.setdefault(r["contact_id"], []).append(r)
    cases: dict[int, list[str]] = {}
    for r in conn.execute(
        """SELECT contact_id, target_on FROM cases
           WHERE opened_on <= ? AND (resolved_on IS NULL OR resolved_on > ?)""",
        (asof, asof),
    ):
        cases.setdefault(r["contact_id"], []).append(r["target_on"])
    flagged = []
    for c in conn.execute("SELECT * FROM contacts WHERE archived = 0"):
        due = check_in_due(c)
        if due is not None and (due >= as_of or (c["id"], due.isoformat()) in snoozed):
            due = None
        history = scores.get(c["id"], [])
        latest = history[-1] if history else None
        previous = history[-2] if len(history) > 1 else None
        why = None
        if latest is not None:
            if (
                previous is not None
                and previous["scale"] == latest["scale"]
                and (latest["score"] < previous["score"])
            ):
                why = "falling"
            elif latest["score"] <= LOW[latest["scale"]]:
                why = "low"
        open_cases = sorted(cases.get(c["id"], []))
        reasons = (due is not None) + (why is not None) + bool(open_cases)
        if not reasons:
            continue
        row = AtRiskRow(
            contact_id=c["id"],
            name=c["name"],
            cadence_days=(c["cadence_days"] or None)
            if c["cadence_days"] is not None
            else CADENCE.get(c["relationship_type"]),
            last_contact_on=date.fromisoformat(c["last_touch_on"]) if c["last_touch_on"] else None,
            check_in_due_on=due,
            days_late=(as_of - due).days if due else None,
            score=latest["score"] if latest and why else None,
            previous_score=previous["score"] if why and previous else None,
            scale=latest["scale"] if latest and why else None,
            satisfaction=why,
            open_cases=len(open_cases),
            next_case_target=date.fromisoformat(open_cases[0]) if open_cases else None,
        )
        flagged.append((-reasons, due is None, due or date.min, c["id"], row))
    flagged.sort(key=lambda item: item[:4])
    rows = [item[-1] for item in flagged]
    page = rows[:limit] if limit and limit > 0 else rows
    return (len(rows) if page else 0), page
