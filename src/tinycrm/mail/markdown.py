"""The digest as Markdown (for a note-taking app, a chat or a web page).

User text is backslash-escaped so a name like `[red]x`, `<script>` or `*bold*` shows literally
in any CommonMark renderer, and control characters are shown via `textsafe.visible`.
"""

from __future__ import annotations

import re

from tinycrm.mail import common
from tinycrm.services.digest import Digest, DigestItem
from tinycrm.textsafe import visible

# No parentheses: with both brackets escaped they cannot become a link's target.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&$])")


def escape(text: str) -> str:
    """User text made inert for Markdown: punctuation escaped, controls made visible."""
    return _SPECIAL.sub(r"\\\1", visible(text, one_line=True))


def _code(text: str) -> str:
    return visible(text, one_line=True).replace("`", "'")


def _item(item: DigestItem, *, overdue: bool = False, prefix: str = "") -> str:
    parts = " · ".join(escape(part) for part in common.facts(item, overdue=overdue))
    handle = f" `{_code(item.handle)}`" if item.handle else ""
    return f"- {prefix}**{escape(item.who)}**: {parts}{handle}"


def render(digest: Digest) -> str:
    out = [f"# {common.heading(digest, escape)}"]
    catch_up = common.catch_up_line(digest)
    if catch_up:
        out += ["", f"> {catch_up}"]
    if digest.is_empty:
        out += ["", common.EMPTY]
        return "\n".join(out) + "\n"
    out += _sections(digest)
    part = digest.unassigned
    if part is not None and not part.is_empty:
        if not digest.own_item_count:
            out += ["", common.NOTHING_OF_YOURS]
        out += ["", f"# {common.unassigned_heading(part)}"]
        out += _sections(part)
    return "\n".join(out) + "\n"


def _sections(digest: Digest) -> list[str]:
    out: list[str] = []
    if digest.overdue_total:
        out += ["", f"## {common.overdue_heading(digest)}", ""]
        out += [_item(item, overdue=True) for item in digest.overdue]
        out += _more(common.overdue_more(digest))
    groups = digest.today_groups()
    if groups:
        out += ["", f"## {common.today_heading(digest)}"]
        for _, title, items in groups:
            out += ["", f"### {title}", ""]
            out += [_item(item) for item in items]
        out += _more(common.today_more(digest))
    if digest.dates:
        out += ["", f"## {common.dates_heading(digest)}", ""]
        out += [_item(item, prefix=f"{common.when(item, digest.as_of)}: ") for item in digest.dates]
        out += _more(common.dates_more(digest))
    if digest.at_risk:
        out += ["", f"## {common.at_risk_heading(digest)}", ""]
        for customer in digest.at_risk:
            why = "; ".join(escape(r) for r in common.reasons(customer))
            out.append(f"- **{escape(customer.who)}**: {why}")
    if digest.bounced:
        out += ["", f"## {common.bounced_heading(digest)}", ""]
        for bounce in digest.bounced:
            facts = " · ".join(escape(part) for part in common.bounce_facts(bounce))
            out.append(f"- **{escape(bounce.who)}**: {facts}")
        out += _more(common.bounced_more(digest))
    if digest.held:
        out += ["", f"## {common.held_heading(digest)}", ""]
        out += [f"- {escape(common.held_line(held))}" for held in digest.held]
    return out


def _more(text: str | None) -> list[str]:
    return ["", f"*{text}*"] if text else []
