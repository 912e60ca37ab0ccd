"""The CRM's vocabularies: the closed sets of values its fields take (relationship types,
lifecycle stages, channels, follow-up kinds, satisfaction scales, case severities) and the
figures tied to them."""

from __future__ import annotations

from enum import StrEnum


class RelationshipType(StrEnum):
    TRANSACTIONAL = "transactional"
    LONG_TERM = "long-term"
    PERSONAL = "personal"
    DEDICATED = "dedicated"
    SELF_SERVICE = "self-service"
    AUTOMATED = "automated"
    COMMUNITY = "community"


# Days between keep-in-touch check-ins, by relationship type (SPEC); others: none.
DEFAULT_CADENCE: dict[RelationshipType, int] = {
    RelationshipType.DEDICATED: 30,
    RelationshipType.PERSONAL: 60,
    RelationshipType.LONG_TERM: 90,
    RelationshipType.COMMUNITY: 180,
}


class Stage(StrEnum):
    EXPLORATION = "exploration"
    AWARENESS = "awareness"
    EXPANSION = "expansion"
    COMMITMENT = "commitment"
    DISSOLUTION = "dissolution"


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    VISIT = "visit"
    MEETING = "meeting"
    LETTER = "letter"
    VIDEO = "video"
    CHAT = "chat"
    OTHER = "other"


# Words people type for a channel (`--channel phone`), read as the channel they mean.
CHANNEL_SYNONYMS: dict[str, Channel] = {
    "phone": Channel.CALL,
    "phone call": Channel.CALL,
    "telephone": Channel.CALL,
    "tel": Channel.CALL,
    "ring": Channel.CALL,
    "e-mail": Channel.EMAIL,
    "mail": Channel.EMAIL,
    "in person": Channel.VISIT,
    "in-person": Channel.VISIT,
    "meet": Channel.MEETING,
    "post": Channel.LETTER,
    "video call": Channel.VIDEO,
    "zoom": Channel.VIDEO,
    "text": Channel.CHAT,
    "sms": Channel.CHAT,
    "message": Channel.CHAT,
    "whatsapp": Channel.CHAT,
    "im": Channel.CHAT,
}


class FollowUpKind(StrEnum):
    THANK_YOU = "thank-you"
    CHECK_IN = "check-in"
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"
    SATISFACTION_CHECK = "satisfaction-check"
    REORDER = "reorder"
    RECOVERY = "recovery"
    CASE = "case"
    PASS_ON = "pass-on"
    CUSTOM = "custom"


class Scale(StrEnum):
    CSAT = "csat"  # 1-5
    NPS = "nps"  # 0-10


SCALE_RANGE: dict[Scale, tuple[int, int]] = {Scale.CSAT: (1, 5), Scale.NPS: (0, 10)}
# A score at or below this asks for a recovery follow-up.
LOW_SCORE: dict[Scale, int] = {Scale.CSAT: 2, Scale.NPS: 6}


class Severity(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


# Days to respond to a case, by severity.
RESPONSE_DAYS: dict[Severity, int] = {Severity.HIGH: 1, Severity.NORMAL: 3, Severity.LOW: 7}
