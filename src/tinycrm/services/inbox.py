"""Mail coming back: survey answers recorded, doubtful ones held for review, surveys that
bounced put back in the queue, other mail from or to a contact logged as an interaction, case
replies attached to the case.

Each message is handled in one transaction keyed by its fingerprint, so a message is handled
once however often it is read (a re-run, two collectors at once). Reading the mailbox is
mail/imap.py; the message's fields are io/mailmessage.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.io.mailmessage import (
    FailedDelivery,
    IncomingMail,
    Unreadable,
    fingerprint,
    read_message,
)
from tinycrm.models.mail import MailRecord, Outcome, SurveyRequest
from tinycrm.models.notes import Note
from tinycrm.services import history, satisfaction, surveys
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.mail import HeldRow
from tinycrm.vocabulary import SCALE_RANGE, Channel

# The reply code in an answer's subject (mail/survey.py writes it): "… 4 [survey <code>]".
CODE = re.compile(r"\[\s*survey\s+([a-z2-7]{32})\s*\]", re.IGNORECASE)
ANY_CODE = re.compile(r"\[\s*survey\s+([^\]\s]*)\s*\]", re.IGNORECASE)
SCORE_IN_SUBJECT = re.compile(r"(?<!\d)(\d{1,2})\s*\[\s*survey\s", re.IGNORECASE)
CASE_CODE = re.compile(r"\bcase\s*#\s*(\d{1,9})\b", re.IGNORECASE)
STOP_WORDS = frozenset({"stop", "unsubscribe", "stopp", "arrêt", "arret"})


@dataclass(frozen=True)
class Handled:
    record: MailRecord
    new: bool  # False: this message was handled before (by an earlier run or another one)
    recovery_id: int | None = None
    bounced_to: str | None = None  # a bounced survey's addressee, "Ann Lee <ann@example.com>"


@dataclass(frozen=True)
class Context:
    today: date
    shop_addresses: frozenset[str]  # [smtp] from and [imap] reply_to, lower case
    log_interactions: bool
    open_days: frozenset[int] | None = None


def handle(store: Store, raw: bytes, ctx: Context) -> Handled:
    """Read one message and act on it, once."""
    try:
        mail = read_message(raw)
    except Unreadable as exc:
        return _unreadable(store, raw, str(exc), ctx.today)
    with store.write():
        known = store.mail.by_fingerprint(mail.fingerprint)
        if known is not None:
            return Handled(known, new=False)
        record, recovery = _decide(store, mail, ctx)
        record = replace(record, id=store.mail.insert(record))
        bounced_to = _addressee(store, record) if record.outcome == Outcome.BOUNCED else None
    return Handled(record, new=True, recovery_id=recovery, bounced_to=bounced_to)


def _unreadable(store: Store, raw: bytes, reason: str, today: date) -> Handled:
    print_ = fingerprint(raw)
    with store.write():
        known = store.mail.by_fingerprint(print_)
        if known is not None:
            return Handled(known, new=False)
        record = MailRecord(
            print_, f"<{print_}@fingerprint>", today, Outcome.UNREADABLE, reason=reason
        )
        return Handled(replace(record, id=store.mail.insert(record)), new=True)


def _base(mail: IncomingMail, today: date, outcome: Outcome, **fields: object) -> MailRecord:
    return MailRecord(
        fingerprint=mail.fingerprint,
        message_id=mail.message_id,
        collected_on=today,
        outcome=outcome,
        sender=mail.sender,
        subject=mail.subject,
        excerpt=mail.excerpt,
        sent_on=mail.sent_on,
        **fields,  # type: ignore[arg-type]
    )


def _held(mail: IncomingMail, today: date, reason: str, **fields: object) -> MailRecord:
    return _base(mail, today, Outcome.HELD, reason=reason, **fields)


def _decide(store: Store, mail: IncomingMail, ctx: Context) -> tuple[MailRecord, int | None]:
    if mail.failed is not None:
        bounce = _survey_bounce(store, mail, mail.failed, ctx.today)
        if bounce is not None:
            return bounce, None
    if store.mail.message_id_known(mail.message_id):
        return _held(mail, ctx.today, "its Message-ID is an earlier message's"), None
    code = CODE.search(mail.subject)
    survey = store.surveys.by_code(code.group(1)) if code else None
    if code and survey is None:
        return _held(mail, ctx.today, "an unknown reply code"), None
    if code is None and ANY_CODE.search(mail.subject):
        return _held(mail, ctx.today, "a malformed reply code"), None
    if survey is None and not mail.automatic:
        survey = store.surveys.by_message_ids(mail.refers_to)
    if survey is not None:
        answer = _survey_reply(store, mail, survey, by_code=code is not None, ctx=ctx)
        if answer is not None:
            return answer
    return _other_mail(store, mail, ctx), None


def _survey_reply(
    store: Store, mail: IncomingMail, survey: SurveyRequest, *, by_code: bool, ctx: Context
) -> tuple[MailRecord, int | None] | None:
    """An answer, a "stop", or a doubtful one held; None for a reply in the survey's thread
    that answers nothing (it is other mail)."""
    low, high = SCALE_RANGE[survey.scale]
    first = mail.first_line.strip().rstrip(".!").strip().lower()
    typed = int(first) if first.isascii() and first.isdigit() and len(first) <= 2 else None
    in_subject = SCORE_IN_SUBJECT.search(mail.subject) if by_code else None
    subject_score = int(in_subject.group(1)) if in_subject else None
    stop = first in STOP_WORDS or (by_code and mail.subject.strip().lower().startswith("stop"))
    if not by_code and typed is None and not stop:
        return None
    score = typed if typed is not None else subject_score
    fields: dict[str, object] = {
        "contact_id": survey.contact_id, "survey_id": survey.id, "score": score
    }  # fmt: skip
    owner = store.contacts.get(survey.contact_id)
    addresses = {a.lower() for a in (owner.emails if owner else [])} | {survey.address.lower()}
    if mail.sender not in addresses:
        return _held(mail, ctx.today, "from an address that is not the contact's", **fields), None
    if stop and typed is None:
        store.survey_opt_outs.opt_out(survey.contact_id, ctx.today, "reply")
        return _base(mail, ctx.today, Outcome.STOP, **fields), None
    if typed is not None and subject_score is not None and typed != subject_score:
        reason = f"two scores: {subject_score} in the subject, {typed} in the text"
        return _held(mail, ctx.today, reason, **fields), None
    if score is None:
        return _held(mail, ctx.today, "no score in the answer", **fields), None
    if not low <= score <= high:
        reason = f"{score} is not a {survey.scale.value.upper()} score ({low}-{high})"
        return _held(mail, ctx.today, reason, **fields), None
    if survey.answered_on is not None:
        reason = f"the survey was already answered on {survey.answered_on}"
        return _held(mail, ctx.today, reason, **fields), None
    if ctx.today > survey.expires_on:
        return _held(mail, ctx.today, f"the survey expired on {survey.expires_on}", **fields), None
    result = _record_score(store, survey, score, mail.comment, mail.sent_on, ctx)
    fields["score_id"] = result.score.id
    recovery = result.recovery.id if result.recovery else None
    return _base(mail, ctx.today, Outcome.ANSWER, **fields), recovery


def _survey_bounce(
    store: Store, mail: IncomingMail, failed: FailedDelivery, today: date
) -> MailRecord | None:
    """A report that one of our surveys was not delivered; None when it is about other mail."""
    survey = store.surveys.by_message_ids(failed.message_ids)
    code = CODE.search(failed.returned)
    if survey is None and code is not None:
        survey = store.surveys.by_code(code.group(1))
    if survey is None or survey.id is None:
        return None
    fields: dict[str, object] = {"contact_id": survey.contact_id, "survey_id": survey.id}
    if survey.bounced_on is not None:
        return _base(mail, today, Outcome.BOUNCED, reason="reported before", **fields)
    if survey.answered_on is not None:
        reason = f"the survey was answered on {survey.answered_on}"
        return _base(mail, today, Outcome.BOUNCED, reason=reason, **fields)
    note_id = surveys.record_bounce(store, survey, failed.diagnostic, today)
    return _base(mail, today, Outcome.BOUNCED, reason=failed.diagnostic, note_id=note_id, **fields)


def _addressee(store: Store, record: MailRecord) -> str | None:
    """Whom the bounced survey was for, when this report put its check back (else None)."""
    survey = store.surveys.get(record.survey_id) if record.survey_id else None
    if survey is None or record.note_id is None:
        return None
    owner = store.contacts.get(survey.contact_id)
    return f"{owner.name if owner else 'a deleted contact'} <{survey.address}>"


def _record_score(
    store: Store,
    survey: SurveyRequest,
    score: int,
    comment: str | None,
    sent_on: date | None,
    ctx: Context,
) -> satisfaction.ScoreResult:
    # The day the customer answered, if the message says a believable one.
    on = sent_on if sent_on is not None and survey.sent_on <= sent_on <= ctx.today else ctx.today
    return surveys.record_answer(store, survey, score, comment, on, ctx.today, ctx.open_days)


def _other_mail(store: Store, mail: IncomingMail, ctx: Context) -> MailRecord:
    """Mail from a contact (or from the shop to one) is an interaction; the rest is ignored."""
    ignored = MailRecord(mail.fingerprint, mail.message_id, ctx.today, Outcome.IGNORED)
    if mail.automatic or not ctx.log_interactions:
        return ignored
    from_shop = mail.sender in ctx.shop_addresses
    candidates = [a for a in mail.recipients if a not in ctx.shop_addresses] if from_shop else []
    owners = store.mail.contacts_by_address([mail.sender, *candidates])
    contact_id = owners.get(mail.sender) or next(
        (owners[a] for a in candidates if a in owners), None
    )
    if contact_id is None:
        return ignored
    on = mail.sent_on if mail.sent_on is not None and mail.sent_on <= ctx.today else ctx.today
    what = "E-mail to the customer" if from_shop else "E-mail"
    case_id = _open_case(store, mail.subject, contact_id)
    if case_id is not None:
        what = f"Case #{case_id}: {'reply sent' if from_shop else 'reply'} by e-mail"
    body = f"{what}: {mail.subject or '(no subject)'}"
    if mail.excerpt:
        body += f" — {mail.excerpt}"
    note = Note(contact_id, body, on, channel=Channel.EMAIL)
    note_id = store.notes.insert(note)
    history.record(store, [history.note_added(note_id, note)])
    outcome = Outcome.CASE if case_id is not None else Outcome.INTERACTION
    return _base(mail, ctx.today, outcome, contact_id=contact_id, case_id=case_id, note_id=note_id)


def _open_case(store: Store, subject: str, contact_id: int) -> int | None:
    """The open case of this contact the subject names ("Case #12"), if any."""
    for found in CASE_CODE.finditer(subject):
        case = store.cases.get(int(found.group(1)))
        if case is not None and case.is_open and case.contact_id == contact_id:
            return case.id
    return None


# Review -------------------------------------------------------------------------------------


def held(store: Store) -> list[HeldRow]:
    return store.mail.held()


def held_count(store: Store) -> int:
    return store.mail.held_count()


@dataclass(frozen=True)
class Reviewed:
    record: MailRecord
    result: satisfaction.ScoreResult | None


def accept(
    store: Store,
    record_id: int,
    today: date,
    *,
    contact_ref: str | None = None,
    score: str | None = None,
    open_days: frozenset[int] | None = None,
) -> Reviewed:
    """Record a held answer's score (for the survey's contact, or `contact_ref`)."""
    with store.write():
        record = _held_record(store, record_id)
        survey = store.surveys.get(record.survey_id) if record.survey_id else None
        if contact_ref:
            contact_id = resolve_ref(store, contact_ref).id
        else:
            contact_id = survey.contact_id if survey else record.contact_id
        value = (
            score
            if score is not None
            else (str(record.score) if record.score is not None else None)
        )
        if contact_id is None or value is None or survey is None:
            raise UsageError(
                f"message {record_id} gives no score for a survey: give --score and --contact,"
                " or dismiss it"
            )
        on = min(record.sent_on or today, today)
        result = satisfaction.add_score(
            store,
            str(contact_id),
            value,
            on=max(on, survey.sent_on),
            today=today,
            scale_name=survey.scale.value,
            comment=None,
            source="survey",
            open_days=open_days,
        )
        assert result.score.id is not None and survey.id is not None
        if survey.answered_on is None and contact_id == survey.contact_id:
            store.surveys.mark_answered(survey.id, today, result.score.id)
        store.mail.review(record_id, Outcome.ACCEPTED, today, result.score.id)
    return Reviewed(replace(record, outcome=Outcome.ACCEPTED), result)


def dismiss(store: Store, record_id: int, today: date) -> Reviewed:
    with store.write():
        record = _held_record(store, record_id)
        store.mail.review(record_id, Outcome.DISMISSED, today, None)
    return Reviewed(replace(record, outcome=Outcome.DISMISSED), None)


def _held_record(store: Store, record_id: int) -> MailRecord:
    record = store.mail.get(record_id)
    if record is None:
        raise NotFound(f"no collected message with id {record_id}")
    if record.outcome != Outcome.HELD:
        raise Conflict(f"message {record_id} is not held for review (it is {record.outcome})")
    return record
