"""Digest renderers on hand-built digests: every section, every format, hostile names."""

from __future__ import annotations

import json
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from tinycrm.mail import common, html, markdown, text
from tinycrm.serialize.digest import digest_dict
from tinycrm.services.digest import AtRiskCustomer, BouncedSurvey, Digest, DigestItem
from tinycrm.wording import TOTAL_LIMIT

AS_OF = date(2026, 11, 26)  # a Thursday
HOSTILE = [
    "[red]x",
    "<script>alert(1)</script>",
    "evil\x1b[2Jname",
    "a\x9bb",
    "[/]",
    "*bold* & _it_",
]


def item(name: str, kind: str, due: date, title: str = "Call", **extra: Any) -> DigestItem:
    return DigestItem(
        contact_id=len(name), contact_name=name, kind=kind, title=title, due_on=due,
        handle=extra.pop("handle", f"h{len(name)}"), days_late=max(0, (AS_OF - due).days),
        **extra,
    )  # fmt: skip


def full_digest(name: str = "Ann Lee") -> Digest:
    return Digest(
        as_of=AS_OF,
        days=7,
        covered_from=AS_OF - timedelta(days=2),
        overdue=(item(name, "custom", AS_OF - timedelta(days=3), "Send the quote"),),
        overdue_total=4,
        today=(
            item("Bo Case", "case", AS_OF, "Broken delivery", detail="target today"),
            item("Cy Thanks", "thank-you", AS_OF, "Thank-you call"),
            item("Di Touch", "check-in", AS_OF, "Keep in touch"),
            item("Ed Other", "reorder", AS_OF, "Reorder coffee"),
        ),
        dates=(
            item("Fay Missed", "birthday", AS_OF - timedelta(days=1), "Birthday", years=40),
            item(name, "birthday", AS_OF + timedelta(days=1), "Birthday", years=46),
            item("Gus Wed", "anniversary", AS_OF + timedelta(days=3), "wedding", years=5),
        ),
        at_risk=(AtRiskCustomer(9, "Hal Drift", ("no interaction for 120 days",)),),
    )


def test_item_count_counts_hidden_overdue_items() -> None:
    digest = full_digest()
    assert digest.item_count == 4 + 4 + 3 + 1
    assert common.overdue_more(digest) == (
        "…and 3 more overdue: run `crm follow-ups overdue` to see them all."
    )
    assert common.subject(digest).startswith("tinycrm digest for Thursday 26 November 2026: 12")


def test_text_has_every_section_in_order_and_no_escape_codes() -> None:
    out = text.render(full_digest())
    order = [
        "Overdue (4)", "Send the quote", "3 days late", "and 3 more overdue",
        "Today (4)", "Cases near their target", "Broken delivery", "Thank-you calls",
        "Check-ins", "Follow-ups", "Reorder coffee",
        "Birthdays and anniversaries (3, to Thu 3 Dec)", "Wed 25 Nov (missed): Fay Missed",
        "tomorrow: Ann Lee", "turns 46", "Sun 29 Nov: Gus Wed", "5 years",
        "At-risk customers (1)", "Hal Drift: no interaction for 120 days",
    ]  # fmt: skip
    positions = [out.index(piece) for piece in order]
    assert positions == sorted(positions)
    assert "catches up 2 missed days" in out
    assert "\x1b" not in out


def test_empty_digest_says_so() -> None:
    empty = Digest(as_of=AS_OF, days=7)
    assert empty.is_empty and empty.item_count == 0
    for render in (text.render, markdown.render, html.render):
        assert "Nothing due today" in render(empty)
    assert "Overdue" not in text.render(empty)


@pytest.mark.parametrize("name", HOSTILE)
def test_text_and_markdown_show_names_literally_without_control_characters(name: str) -> None:
    digest = full_digest(name)
    plain = text.render(digest)
    md = markdown.render(digest)
    for out in (plain, md):
        assert "\x1b" not in out and "\x9b" not in out
    if "\x1b" in name:
        assert "evil␛[2Jname" in plain
    elif "\x9b" in name:
        assert "a\\x9bb" in plain
    else:
        assert name in plain


def test_markdown_escapes_markup_in_names() -> None:
    md = markdown.render(full_digest("<script>alert(1)</script>"))
    assert "<script>" not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    md = markdown.render(full_digest("[red]x"))
    assert "**\\[red\\]x**" in md
    assert md.startswith("# tinycrm digest for Thursday 26 November 2026")
    assert "## Overdue (4)" in md and "### Thank-you calls" in md


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("name", HOSTILE)
def test_html_escapes_every_user_string(name: str) -> None:
    digest = full_digest(name)
    body = html.render(digest)
    parser = _Collect()
    parser.feed(body)
    assert "script" not in parser.tags
    shown = "".join(parser.text)
    if "\x1b" in name:
        assert "evil␛[2Jname" in shown
    elif "\x9b" not in name:
        assert name in shown  # the parser unescapes: the reader sees the name as typed
    assert "\x1b" not in body


@pytest.mark.parametrize("name", HOSTILE)
def test_a_bounced_survey_stays_literal_in_every_format(name: str) -> None:
    bounce = BouncedSurvey(3, name, f"{name}@example.com", AS_OF, reason=name, phone=name)
    digest = Digest(as_of=AS_OF, days=7, bounced=(bounce,))
    plain, md, body = text.render(digest), markdown.render(digest), html.render(digest)
    parser = _Collect()
    parser.feed(body)

    assert digest.item_count == 1
    assert "Surveys that bounced (1; call instead)" in plain
    assert "script" not in parser.tags and "<script>" not in md
    for out in (plain, md, body):
        assert "\x1b" not in out and "\x9b" not in out
    if "\x1b" in name:
        assert plain.count("evil␛[2Jname") == 4  # name, address, reason, phone
    elif "\x9b" not in name:
        assert plain.count(name) == 4 and "".join(parser.text).count(name) == 4


def test_html_is_a_self_contained_email_body() -> None:
    body = html.render(full_digest())
    assert body.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in body
    for remote in ("<script", "<link", "src=", "http://", "https://", "<style"):
        assert remote not in body
    assert "Cases near their target" in body and "turns 46" in body and "Hal Drift" in body


def test_json_has_stable_keys_and_all_sections() -> None:
    data = digest_dict(full_digest("[red]x"))
    assert list(data) == [
        "as_of", "covered_from", "until", "days", "item_count", "overdue", "today",
        "today_total", "today_total_exact", "birthdays_and_anniversaries",
        "birthdays_and_anniversaries_total", "at_risk", "at_risk_total", "at_risk_total_exact",
        "bounced_surveys", "bounced_surveys_total", "bounced_since", "held_for_review",
        "held_for_review_total",
    ]  # fmt: skip
    assert data["bounced_since"] == "2026-11-23"  # the day before the days it covers
    assert data["today_total_exact"] is True and data["overdue"]["total_exact"] is True
    assert data["today_total"] == 4 and data["birthdays_and_anniversaries_total"] == 3
    assert data["covered_from"] == "2026-11-24" and data["until"] == "2026-12-03"
    assert data["overdue"]["total"] == 4 and data["overdue"]["shown"] == 1
    assert list(data["today"]) == [
        "cases", "thank_you", "check_ins", "birthdays_and_anniversaries", "follow_ups"
    ]  # fmt: skip
    assert data["today"]["follow_ups"][0]["title"] == "Reorder coffee"
    birthday = data["birthdays_and_anniversaries"][1]
    assert birthday["contact"] == "[red]x" and birthday["years"] == 46
    assert data["at_risk"] == [
        {"contact_id": 9, "contact": "Hal Drift", "company": None,
         "reasons": ["no interaction for 120 days"]}
    ]  # fmt: skip
    assert json.loads(json.dumps(data)) == data
    empty = digest_dict(Digest(as_of=AS_OF, days=7))
    assert empty["today"] == {"cases": [], "thank_you": [], "check_ins": [],
                              "birthdays_and_anniversaries": [], "follow_ups": []}  # fmt: skip


def test_at_risk_list_is_capped_and_says_how_many_more() -> None:
    from dataclasses import replace

    digest = replace(full_digest(), at_risk_total=250)
    shown = len(digest.at_risk)
    for render in (text.render, markdown.render, html.render):
        assert f"{shown} most urgent of 250" in render(digest)
    assert digest_dict(digest)["at_risk_total"] == 250
    assert digest_dict(digest)["at_risk_total_exact"] is True
    # A total counted up to the limit only (wording.py) is said as such.
    digest = replace(full_digest(), at_risk_total=TOTAL_LIMIT + 11)
    for render in (text.render, markdown.render, html.render):
        assert f"{shown} most urgent of more than 1,000" in render(digest)
    assert digest_dict(digest)["at_risk_total_exact"] is False
