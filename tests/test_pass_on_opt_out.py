"""Leaving a contact out of pass-on (news, offers): `contacts edit --no-news`, the card, `crm
pass-on` skipping them, and the choice kept by merge, export and restore, removed by forget."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from dbquery import query_db

TODAY = date.today().isoformat()


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def text(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def club(cli: Invoke) -> Invoke:
    for name in ("Gil", "Hal", "Ivy"):
        ok(cli, "contacts", "add", name, "--tag", "club", "--email", f"{name.lower()}@example.com")
    return cli


def pass_on_names(cli: Invoke) -> list[str]:
    rows = ok(cli, "follow-ups", "today")["today"]
    return sorted(str(row["contact"]) for row in rows if row["kind"] == "pass-on")


def test_no_news_is_on_the_card_and_pass_on_skips_them(club: Invoke) -> None:
    text(club, "contacts", "edit", "Hal", "--no-news")
    assert f"no news on {TODAY}" in text(club, "contacts", "show", "Hal")
    assert ok(club, "contacts", "show", "Hal")["no_news_since"] == TODAY
    assert ok(club, "contacts", "show", "Gil")["no_news_since"] is None
    said = text(club, "pass-on", "Club ride on Sunday", "--tag", "club")
    assert f"2 pass-on follow-ups due {TODAY}; 1 skipped (asked for no news)" in said
    assert pass_on_names(club) == ["Gil", "Ivy"]
    as_json = club("pass-on", "Spring sale", "--tag", "club", "--json")
    assert len(json.loads(as_json.stdout)) == 2
    assert "1 skipped (asked for no news)" in as_json.stderr


def test_news_takes_it_back(club: Invoke) -> None:
    text(club, "contacts", "edit", "Hal", "--no-news")
    text(club, "contacts", "edit", "Hal", "--news")
    assert "no news" not in text(club, "contacts", "show", "Hal")
    said = text(club, "pass-on", "Club ride on Sunday", "--tag", "club")
    assert "3 pass-on follow-ups" in said and "skipped" not in said


def test_everyone_opted_out_creates_nothing_and_says_so(club: Invoke) -> None:
    for name in ("Gil", "Hal", "Ivy"):
        text(club, "contacts", "edit", name, "--no-news")
    said = text(club, "pass-on", "Club ride on Sunday", "--tag", "club")
    assert "0 pass-on follow-ups" in said and "3 skipped (asked for no news)" in said
    assert pass_on_names(club) == []


def test_a_merge_keeps_either_contacts_opt_out(club: Invoke) -> None:
    text(club, "contacts", "edit", "Hal", "--no-news")
    text(club, "contacts", "merge", "Gil", "Hal", "--keep", "first")
    assert ok(club, "contacts", "show", "Gil")["no_news_since"] == TODAY
    text(club, "contacts", "edit", "Ivy", "--no-news")
    text(club, "contacts", "merge", "Gil", "Ivy", "--keep", "first")  # both had one
    assert ok(club, "contacts", "show", "Gil")["no_news_since"] == TODAY


def test_export_and_restore_carry_it_and_forget_removes_it(club: Invoke, tmp_path: Path) -> None:
    text(club, "contacts", "edit", "Hal", "--no-news", "--no-surveys")
    exported = tmp_path / "export.json"
    text(club, "contacts", "export", "--format", "json", "-o", str(exported))
    [hal] = [p for p in json.loads(exported.read_text())["contacts"] if p["name"] == "Hal"]
    assert [row["how"] for row in hal["pass_on_opt_outs"]] == ["edit"]
    restored = ("--db", str(tmp_path / "restored.db"))
    text(club, *restored, "contacts", "import", str(exported))
    shown = ok(club, *restored, "contacts", "show", "Hal")
    assert (shown["no_news_since"], shown["no_surveys_since"]) == (TODAY, TODAY)
    text(club, "contacts", "forget", "Hal", "--yes")
    assert query_db("SELECT count(*) FROM pass_on_opt_outs") == [(0,)]
