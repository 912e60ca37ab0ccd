"""Satisfaction surveys by e-mail: who gets one, the reply code, what is recorded when sent.

The message itself is mail/survey.py; answers coming back are services/inbox.py.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tinycrm import validation
from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.models.contacts import Contact
from tinycrm.models.mail import SurveyRequest
from tinycrm.models.notes import Note
from tinycrm.services import history, satisfaction
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.vocabulary import Scale

LANGUAGES = ("en", "de", "fr")
CODE_BYTES = 20  # 160 bits: a reply code nobody can guess


@dataclass(frozen=True)
class SurveySettings:
    """The config file's `[mail]` table (docs/mail.md)."""

    shop_name: str | None = None
    language: str = "en"
    scale: Scale = Scale.CSAT
    quiet_days: int = 90  # no second survey to a contact within this many days
    expires_days: int = 30  # an answer after this many days is held for review
    log_interactions: bool = True  # other mail from or to a contact is logged as a note


def survey_settings(raw: dict[str, Any], source: Path | None = None) -> SurveySettings:
    where = f"config {source}" if source else "config"

    def days(key: str, default: int) -> int:
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3660:
            raise UsageError(f"{where}: mail.{key} must be a whole number of days (0-3660)")
        return value

    shop = raw.get("shop_name")
    if shop is not None and (not isinstance(shop, str) or not shop.strip()):
        raise UsageError(f"{where}: mail.shop_name must be a name")
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        raise UsageError(f"{where}: mail.language must be one of {', '.join(LANGUAGES)}")
    log = raw.get("log_interactions", True)
    if not isinstance(log, bool):
        raise UsageError(f"{where}: mail.log_interactions must be true or false")
    try:
        on_scale = scale(str(raw.get("survey_scale", "csat")))
    except UsageError as exc:
        raise UsageError(f"{where}: mail.survey_scale: {exc}") from exc
    return SurveySettings(
        shop_name=shop.strip() if shop else None,
        language=language,
        scale=on_scale,
        quiet_days=days("survey_quiet_days", 90),
        expires_days=days("survey_expires_days", 30),
        log_interactions=log,
    )


def scale(value: str) -> Scale:
    return validation.choice(Scale, value, "--scale")


def new_code() -> str:
    """A reply code: 160 random bits in lower-case base32 (32 letters and digits)."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=").lower()


@dataclass(frozen=True)
class Target:
    contact: Contact
    address: str
    follow_up_id: int | None  # the satisfaction check the survey stands for


@dataclass(frozen=True)
class Skipped:
    contact: Contact
    reason: str


@dataclass(frozen=True)
class Plan:
    targets: list[Target]
    skipped: list[Skipped]


def plan(
    store: Store, today: date, *, due: bool, refs: list[str], settings: SurveySettings
) -> Plan:
    """Who gets a survey: contacts whose satisfaction check is due (`due`) and the named
    ones, less those who opted out, have no e-mail address or were surveyed lately."""
    if not due and not refs:
        raise UsageError("name the contacts to survey, or give --due for those whose check is due")
    with store.read():
        chosen: dict[int, tuple[Contact, int | None]] = {}
        for ref in refs:
            contact = resolve_ref(store, ref)
            assert contact.id is not None
            chosen[contact.id] = (contact, store.surveys.open_check(contact.id, today))
        if due:
            for check in store.surveys.due_checks(today):
                found = store.contacts.get(check.contact_id)
                if found is not None and check.contact_id not in chosen:
                    chosen[check.contact_id] = (found, check.follow_up_id)
        targets: list[Target] = []
        skipped: list[Skipped] = []
        for contact, check_id in chosen.values():
            reason = _why_not(store, contact, today, settings)
            if reason:
                skipped.append(Skipped(contact, reason))
            else:
                targets.append(Target(contact, contact.emails[0], check_id))
    return Plan(targets, skipped)


def _why_not(store: Store, contact: Contact, today: date, settings: SurveySettings) -> str | None:
    assert contact.id is not None
    opted_out = store.survey_opt_outs.opted_out(contact.id)
    if opted_out is not None:
        return f"asked for no surveys on {opted_out}"
    if contact.archived:
        return "archived"
    if not contact.emails:
        return "no e-mail address"
    bounced = store.surveys.bounced_on(contact.id, contact.emails[0])
    if bounced is not None:
        return f"a survey to {contact.emails[0]} bounced on {bounced}: call instead"
    last = store.surveys.last_sent_on(contact.id)
    if last is not None and today < last + timedelta(days=settings.quiet_days):
        quiet_until = last + timedelta(days=settings.quiet_days)
        return f"surveyed on {last}; not again before {quiet_until}"
    return None


def record_sent(
    store: Store,
    target: Target,
    *,
    code: str,
    message_id: str,
    on_scale: Scale,
    today: date,
    settings: SurveySettings,
) -> SurveyRequest:
    """The server took the survey: store the request; it stands for the due check."""
    assert target.contact.id is not None
    request = SurveyRequest(
        contact_id=target.contact.id,
        address=target.address,
        scale=on_scale,
        code=code,
        message_id=message_id,
        sent_on=today,
        expires_on=today + timedelta(days=settings.expires_days),
        follow_up_id=target.follow_up_id,
    )
    with store.write():
        request = replace(request, id=store.surveys.insert(request))
        if target.follow_up_id is not None:
            store.surveys.close_check(target.follow_up_id, today)
    return request


def record_bounce(store: Store, survey: SurveyRequest, reason: str | None, today: date) -> int:
    """The survey never reached the customer: its check is back in the queue, for a phone
    call, and the contact's history says why (a note, not an interaction). The note's id."""
    with store.write():
        if survey.follow_up_id is not None:
            store.surveys.reopen_check(survey.follow_up_id, survey.sent_on)
        because = f" ({reason})" if reason else ""
        body = (
            f"The survey e-mailed to {survey.address} on {survey.sent_on} bounced{because}:"
            " call instead"
        )
        note = Note(survey.contact_id, body, today)
        note_id = store.notes.insert(note)
        history.record(store, [history.note_added(note_id, note)])
    return note_id


def set_opt_out(store: Store, contact_id: int, today: date, *, opted_out: bool, how: str) -> None:
    with store.write():
        if opted_out:
            store.survey_opt_outs.opt_out(contact_id, today, how)
        else:
            store.survey_opt_outs.opt_in(contact_id)


def record_answer(
    store: Store,
    survey: SurveyRequest,
    score: int,
    comment: str | None,
    on: date,
    today: date,
    open_days: frozenset[int] | None = None,
) -> satisfaction.ScoreResult:
    """Record an answer to a survey (by e-mail or on the portal): a score with source
    "survey", and the request marked answered; a low score starts a recovery follow-up."""
    with store.write():
        result = satisfaction.add_score(
            store,
            str(survey.contact_id),
            str(score),
            on=on,
            today=today,
            scale_name=survey.scale.value,
            comment=comment,
            source="survey",
            open_days=open_days,
        )
        assert survey.id is not None and result.score.id is not None
        store.surveys.mark_answered(survey.id, on, result.score.id)
    return result


class SurveyClosed(Conflict):
    """A survey already answered or past its last day: the answer is not recorded."""


MAX_COMMENT = 2000


def open_request(store: Store, contact_id: int, request_id: int, today: date) -> SurveyRequest:
    """One of the contact's surveys that can still be answered; another contact's is NotFound."""
    request = store.surveys.get(request_id)
    if request is None or request.contact_id != contact_id:
        raise NotFound(f"no survey with id {request_id}")
    if request.answered_on is not None:
        raise SurveyClosed(f"this survey was already answered on {request.answered_on}")
    if today > request.expires_on:
        raise SurveyClosed(f"this survey closed on {request.expires_on}")
    return request


def answer(
    store: Store,
    contact_id: int,
    request_id: int,
    score: str,
    comment: str,
    today: date,
    open_days: frozenset[int] | None = None,
) -> satisfaction.ScoreResult:
    """A customer's answer given on the portal, under the mail channel's rules: the survey's
    scale, one answer per survey, none after it closed."""
    text = comment.strip()
    if len(text) > MAX_COMMENT:
        raise UsageError(f"a comment can be at most {MAX_COMMENT} characters")
    with store.write():
        request = open_request(store, contact_id, request_id, today)
        value = satisfaction.read_score(score, request.scale)
        return record_answer(store, request, value, text or None, today, today, open_days)
