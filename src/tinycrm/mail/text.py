"""The digest as plain text: what cron mails, and the text part of the e-mail.

`lines()` gives (text, style) pairs; the CLI prints the styles with Rich only on a terminal, so a
pipe, a file or cron gets no colour codes. Every piece of user text goes through
`textsafe.visible`: a name like `[red]x` stays literal and ESC shows as ␛.
"""

from __future__ import annotations

from tinycrm.mail import common
from tinycrm.services.digest import Digest, DigestItem
from tinycrm.textsafe import visible

Line = tuple[str, str | None]


def _safe(text: str) -> str:
    return visible(text, one_line=True)


def _item(item: DigestItem, *, overdue: bool = False, prefix: str = "") -> str:
    parts = " · ".join(_safe(part) for part in common.facts(item, overdue=overdue))
    handle = f"  [{_safe(item.handle)}]" if item.handle else ""
    return f"  - {prefix}{_safe(item.who)}: {parts}{handle}"


def lines(digest: Digest) -> list[Line]:
    out: list[Line] = [(common.heading(digest), "bold")]
    catch_up = common.catch_up_line(digest)
    if catch_up:
        out.append((catch_up, "yellow"))
    if digest.is_empty:
        out += [("", None), (common.EMPTY, "dim")]
        return out
    out += _sections(digest)
    part = digest.unassigned
    if part is not None and not part.is_empty:
        if not digest.own_item_count:
            out += [("", None), (common.NOTHING_OF_YOURS, "dim")]
        out += [("", None), (common.unassigned_heading(part), "bold magenta")]
        out += _sections(part)
    return out


def _sections(digest: Digest) -> list[Line]:
    out: list[Line] = []
    if digest.overdue_total:
        out += [("", None), (common.overdue_heading(digest), "bold red")]
        out += [(_item(item, overdue=True), None) for item in digest.overdue]
        out += _more(common.overdue_more(digest))
    groups = digest.today_groups()
    if groups:
        out += [("", None), (common.today_heading(digest), "bold")]
        for _, title, items in groups:
            out.append((f"  {title}", "bold"))
            out += [(_item(item), None) for item in items]
        out += _more(common.today_more(digest))
    if digest.dates:
        out += [("", None), (common.dates_heading(digest), "bold")]
        out += [
            (_item(item, prefix=f"{common.when(item, digest.as_of)}: "), None)
            for item in digest.dates
        ]
        out += _more(common.dates_more(digest))
    if digest.at_risk:
        out += [("", None), (common.at_risk_heading(digest), "bold")]
        for customer in digest.at_risk:
            why = "; ".join(_safe(r) for r in common.reasons(customer))
            out.append((f"  - {_safe(customer.who)}: {why}", None))
    if digest.bounced:
        out += [("", None), (common.bounced_heading(digest), "bold")]
        for bounce in digest.bounced:
            facts = " · ".join(_safe(part) for part in common.bounce_facts(bounce))
            out.append((f"  - {_safe(bounce.who)}: {facts}", None))
        out += _more(common.bounced_more(digest))
    if digest.held:
        out += [("", None), (common.held_heading(digest), "bold")]
        out += [(f"  - {_safe(common.held_line(held))}", None) for held in digest.held]
    return out


def _more(text: str | None) -> list[Line]:
    return [(f"  {text}", "dim")] if text else []


def render(digest: Digest) -> str:
    return "\n".join(text for text, _ in lines(digest)) + "\n"
