"""The digest as a self-contained HTML e-mail body: inline styles, no scripts, no remote images.

Every piece of user text is HTML-escaped (after control characters are made visible), so a
customer named `<script>` or `[red]x` shows exactly as typed.
"""

from __future__ import annotations

from html import escape as _html_escape

from tinycrm.mail import common
from tinycrm.services.digest import Digest, DigestItem
from tinycrm.textsafe import visible

_BODY = (
    "font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 15px;"
    " color: #1f2328; background: #ffffff; margin: 0; padding: 16px; line-height: 1.45"
)
_H1 = "font-size: 20px; margin: 0 0 12px 0"
_H1_PART = "font-size: 20px; margin: 32px 0 12px 0; color: #8250df"
_H2 = "font-size: 17px; margin: 20px 0 6px 0; border-bottom: 1px solid #d0d7de"
_H2_OVERDUE = _H2 + "; color: #b42318"
_H3 = "font-size: 15px; margin: 12px 0 4px 0; color: #57606a"
_UL = "margin: 0; padding-left: 20px"
_NOTE = "color: #57606a; font-style: italic"
_HANDLE = "color: #57606a; font-family: monospace; font-size: 13px"
_CATCH_UP = "background: #fff8c5; padding: 6px 10px; border-radius: 4px"


def escape(text: str) -> str:
    return _html_escape(visible(text, one_line=True), quote=True)


def _item(item: DigestItem, *, overdue: bool = False, prefix: str = "") -> str:
    parts = " · ".join(escape(part) for part in common.facts(item, overdue=overdue))
    handle = f' <span style="{_HANDLE}">{escape(item.handle)}</span>' if item.handle else ""
    lead = f"{escape(prefix)}" if prefix else ""
    return f"<li>{lead}<strong>{escape(item.who)}</strong>: {parts}{handle}</li>"


def _list(items: list[str]) -> list[str]:
    return [f'<ul style="{_UL}">', *items, "</ul>"]


def render(digest: Digest) -> str:
    title = escape(common.subject(digest))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        "</head>",
        f'<body style="{_BODY}">',
        f'<h1 style="{_H1}">{escape(common.heading(digest))}</h1>',
    ]
    catch_up = common.catch_up_line(digest)
    if catch_up:
        out.append(f'<p style="{_CATCH_UP}">{escape(catch_up)}</p>')
    if digest.is_empty:
        out.append(f'<p style="{_NOTE}">{escape(common.EMPTY)}</p>')
    out += _sections(digest)
    part = digest.unassigned
    if part is not None and not part.is_empty:
        if not digest.own_item_count:
            out.append(f'<p style="{_NOTE}">{escape(common.NOTHING_OF_YOURS)}</p>')
        out.append(f'<h1 style="{_H1_PART}">{escape(common.unassigned_heading(part))}</h1>')
        out += _sections(part)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _sections(digest: Digest) -> list[str]:
    out: list[str] = []
    if digest.overdue_total:
        out.append(f'<h2 style="{_H2_OVERDUE}">{escape(common.overdue_heading(digest))}</h2>')
        out += _list([_item(item, overdue=True) for item in digest.overdue])
        out += _more(common.overdue_more(digest))
    groups = digest.today_groups()
    if groups:
        out.append(f'<h2 style="{_H2}">{escape(common.today_heading(digest))}</h2>')
        for _, heading, items in groups:
            out.append(f'<h3 style="{_H3}">{escape(heading)}</h3>')
            out += _list([_item(item) for item in items])
        out += _more(common.today_more(digest))
    if digest.dates:
        out.append(f'<h2 style="{_H2}">{escape(common.dates_heading(digest))}</h2>')
        out += _list(
            [_item(item, prefix=f"{common.when(item, digest.as_of)}: ") for item in digest.dates]
        )
        out += _more(common.dates_more(digest))
    if digest.at_risk:
        out.append(f'<h2 style="{_H2}">{escape(common.at_risk_heading(digest))}</h2>')
        out += _list(
            [
                f"<li><strong>{escape(c.who)}</strong>: "
                + "; ".join(escape(r) for r in common.reasons(c))
                + "</li>"
                for c in digest.at_risk
            ]
        )
    if digest.bounced:
        out.append(f'<h2 style="{_H2}">{escape(common.bounced_heading(digest))}</h2>')
        out += _list(
            [
                f"<li><strong>{escape(b.who)}</strong>: "
                + " · ".join(escape(part) for part in common.bounce_facts(b))
                + "</li>"
                for b in digest.bounced
            ]
        )
        out += _more(common.bounced_more(digest))
    if digest.held:
        out.append(f'<h2 style="{_H2}">{escape(common.held_heading(digest))}</h2>')
        out += _list([f"<li>{escape(common.held_line(held))}</li>" for held in digest.held])
    return out


def _more(text: str | None) -> list[str]:
    return [f'<p style="{_NOTE}">{escape(text)}</p>'] if text else []
