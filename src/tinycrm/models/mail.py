"""The e-mail channel's records: survey requests sent, and the messages collected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tinycrm.vocabulary import Scale


class Outcome(StrEnum):
    """What became of a collected message."""

    ANSWER = "answer"  # a survey answer, recorded as a score
    STOP = "stop"  # a survey reply asking for no more surveys
    HELD = "held"  # a doubtful answer, waiting for `crm mail review`
    BOUNCED = "bounced"  # a report that a survey could not be delivered
    INTERACTION = "interaction"  # other mail from or to a contact, logged as a note
    CASE = "case"  # a reply about an open case, logged on it
    IGNORED = "ignored"  # not about a contact (left in the mailbox)
    UNREADABLE = "unreadable"  # could not be read (left in the mailbox, reported once)
    ACCEPTED = "accepted"  # a held answer recorded after review
    DISMISSED = "dismissed"  # a held message set aside after review


# Outcomes whose message is filed away in the done folder; the others stay where they are.
FILED = frozenset(
    {Outcome.ANSWER, Outcome.STOP, Outcome.HELD, Outcome.BOUNCED, Outcome.INTERACTION}
    | {Outcome.CASE}
    | {Outcome.ACCEPTED, Outcome.DISMISSED}
)


@dataclass(frozen=True, slots=True)
class SurveyRequest:
    contact_id: int
    address: str
    scale: Scale
    code: str
    message_id: str
    sent_on: date
    expires_on: date
    follow_up_id: int | None = None
    answered_on: date | None = None
    score_id: int | None = None
    bounced_on: date | None = None  # the day a report that it was not delivered came back
    id: int | None = None


@dataclass(frozen=True, slots=True)
class MailRecord:
    """One collected message as tinycrm keeps it (sender, subject and excerpt only for mail
    about a contact or held for review)."""

    fingerprint: str
    message_id: str
    collected_on: date
    outcome: Outcome
    reason: str | None = None
    contact_id: int | None = None
    survey_id: int | None = None
    case_id: int | None = None
    note_id: int | None = None
    score_id: int | None = None
    score: int | None = None
    sender: str | None = None
    subject: str | None = None
    excerpt: str | None = None
    sent_on: date | None = None
    reviewed_on: date | None = None
    id: int | None = None
