"""Wording shared by every digest format, so text, Markdown and HTML say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tinycrm.services.digest import AtRiskCustomer, BouncedSurvey, Digest, DigestItem, HeldMail
from tinycrm.textsafe import visible
from tinycrm.wording import TOTAL_LIMIT, due_text, more_text, plural, total_text


def _visible(text: str) -> str:
    return visible(text, one_line=True)


def day(value: date) -> str:
    """'Fri 27 Nov' (English, fixed: the digest does not depend on the machine's locale)."""
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]}"


def long_day(value: date) -> str:
    return f"{_LONG_DAYS[value.weekday()]} {value.day} {_LONG_MONTHS[value.month - 1]} {value.year}"


def subject(digest: Digest) -> str:
    """The e-mail subject: the day and the number of items."""
    text = f"tinycrm digest for {long_day(digest.as_of)}: {_items(digest.item_count)}"
    if digest.caught_up_days:
        text += f" (catching up since {day(digest.covered_from)})"
    return text


def heading(digest: Digest, escape: Callable[[str], str] = _visible) -> str:
    """The first line; `escape` makes the person's name safe for the format."""
    whose = f"{escape(digest.owner)}, " if digest.owner else ""
    return f"tinycrm digest for {whose}{long_day(digest.as_of)} — {_items(digest.item_count)}"


def unassigned_heading(part: Digest) -> str:
    """The heading of the coordinator's second part: the rows nobody owns."""
    return f"Unassigned: {_items(part.item_count)} nobody owns yet (crm contacts assign)"


NOTHING_OF_YOURS = "Nothing of yours is due today."


def _items(count: int) -> str:
    return plural(count, "item") if count <= TOTAL_LIMIT else f"{total_text(count)} items"


def catch_up_line(digest: Digest) -> str | None:
    if not digest.caught_up_days:
        return None
    missed = plural(digest.caught_up_days, "missed day")
    return (
        f"This digest catches up {missed}: birthdays and anniversaries since"
        f" {day(digest.covered_from)} are included."
    )


def overdue_heading(digest: Digest) -> str:
    return f"Overdue ({total_text(digest.overdue_total)})"


def overdue_more(digest: Digest) -> str | None:
    command = _command("crm follow-ups overdue", digest)
    return _more(digest.overdue_total, len(digest.overdue), "overdue", command)


def today_heading(digest: Digest) -> str:
    return f"Today ({total_text(digest.today_total)})"


def today_more(digest: Digest) -> str | None:
    command = _command("crm follow-ups today --limit 0", digest)
    return _more(digest.today_total, len(digest.today), "today", command)


def dates_heading(digest: Digest) -> str:
    total = total_text(digest.dates_total)
    return f"Birthdays and anniversaries ({total}, to {day(digest.until)})"


def dates_more(digest: Digest) -> str | None:
    command = "crm digest --each-owner --limit 0" if digest.scope else "crm digest --limit 0"
    return _more(digest.dates_total, len(digest.dates), "birthdays and anniversaries", command)


def _command(command: str, digest: Digest) -> str:
    """`command` for the digest's rows: everyone's, the reader's (--mine) or nobody's."""
    return f"{command} {digest.queue_option}".rstrip()


def _more(total: int, shown: int, what: str, command: str) -> str | None:
    """The last line of a section the page cut short."""
    if total <= shown:
        return None
    return f"…and {more_text(total, shown)} {what}: run `{command}` to see them all."


def when(item: DigestItem, as_of: date) -> str:
    """'today', 'tomorrow', 'Fri 27 Nov', or 'Tue 24 Nov (missed)' for a day gone by."""
    if item.due_on == as_of:
        return "today"
    if item.due_on == date.fromordinal(as_of.toordinal() + 1):
        return "tomorrow"
    if item.due_on < as_of:
        return f"{day(item.due_on)} (missed)"
    return day(item.due_on)


def years_text(item: DigestItem) -> str | None:
    if item.years is None:
        return None
    if item.kind == "birthday":
        return f"turns {item.years}"
    return plural(item.years, "year")


def facts(item: DigestItem, *, overdue: bool = False) -> list[str]:
    """The parts after the name: title, detail, age/years, lateness (user text unescaped)."""
    parts = [item.title]
    if item.detail:
        parts.append(item.detail)
    years = years_text(item)
    if years and str(item.years) not in f"{item.title} {item.detail or ''}":
        parts.append(years)
    if overdue and item.days_late:
        parts.append(due_text(item.days_late))
    return parts


def at_risk_heading(digest: Digest) -> str:
    shown, total = len(digest.at_risk), digest.at_risk_total
    if total > shown:
        return (
            f"At-risk customers ({shown} most urgent of {total_text(total)};"
            " see crm report at-risk)"
        )
    return f"At-risk customers ({total})"


def bounced_heading(digest: Digest) -> str:
    return f"Surveys that bounced ({total_text(digest.bounced_total)}; call instead)"


def bounce_facts(bounce: BouncedSurvey) -> list[str]:
    """The parts after the name: the address and day, the server's reason, the phone to call
    (user text unescaped)."""
    parts = [f"the survey to {bounce.address} bounced on {day(bounce.bounced_on)}"]
    if bounce.reason:
        parts.append(bounce.reason)
    parts.append(f"call {bounce.phone}" if bounce.phone else "no phone number")
    return parts


def bounced_more(digest: Digest) -> str | None:
    command = "crm digest --each-owner --limit 0" if digest.scope else "crm digest --limit 0"
    return _more(digest.bounced_total, len(digest.bounced), "bounced", command)


def held_heading(digest: Digest) -> str:
    return f"E-mails held for review ({digest.held_total}; see crm mail review)"


def held_line(held: HeldMail) -> str:
    """'ann@example.com (Ann Archer): "Answer: 5 […]" — the survey expired on …'."""
    who = f"{held.sender} ({held.contact_name})" if held.contact_name else held.sender
    return f'{who}: "{held.subject}" — {held.reason}'


def reasons(customer: AtRiskCustomer) -> list[str]:
    return list(customer.reasons) or ["at risk"]


EMPTY = "Nothing due today. Enjoy your day."

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
