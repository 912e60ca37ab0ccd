"""Typed dates: every form the SPEC lists, the numeric-order setting, and bad input."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Invoke
from tinycrm.dates import MAX_YEAR, MIN_YEAR, Prefer, parse_date, parse_partial_date
from tinycrm.errors import UsageError

THU = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("today", THU),
        ("Today", THU),
        ("tomorrow", date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 25)),
        ("friday", date(2026, 11, 27)),
        ("fri", date(2026, 11, 27)),
        ("monday", date(2026, 11, 30)),
        ("thursday", date(2026, 12, 3)),  # the next one, not today
        ("+3d", date(2026, 11, 29)),
        ("+2w", date(2026, 12, 10)),
        ("+1m", date(2026, 12, 26)),
        ("+1y", date(2027, 11, 26)),
        ("-3d", date(2026, 11, 23)),
        ("in 3 days", date(2026, 11, 29)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("3 days ago", date(2026, 11, 23)),
        ("dec 24", date(2026, 12, 24)),
        ("24 dec", date(2026, 12, 24)),
        ("December 24", date(2026, 12, 24)),
        ("jan 5", date(2027, 1, 5)),  # year-less dates look forward by default
        ("24 dec 2030", date(2030, 12, 24)),
    ],
)
def test_spec_forms(text: str, expected: date) -> None:
    assert parse_date(text, THU) == expected


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert parse_date("+1m", date(2027, 1, 31)) == date(2027, 2, 28)
    assert parse_date("+1y", date(2028, 2, 29)) == date(2029, 2, 28)


def test_past_preference_for_year_less_dates() -> None:
    assert parse_date("jan 5", THU, prefer="past") == date(2026, 1, 5)
    assert parse_date("dec 24", THU, prefer="past") == date(2025, 12, 24)


def test_numeric_order_follows_setting() -> None:
    assert parse_date("03/04/2026", THU, day_first=True) == date(2026, 4, 3)
    assert parse_date("03/04/2026", THU, day_first=False) == date(2026, 3, 4)
    assert parse_date("03/04", THU, day_first=True) == date(2027, 4, 3)
    assert parse_date("03/04", THU, day_first=False) == date(2027, 3, 4)
    with pytest.raises(UsageError):
        parse_date("13/25", THU, day_first=True)


@pytest.mark.parametrize(
    "text", ["someday", "2026-02-30", "+3x", "32 dec", "dec 32", "next blursday", "00/00",
             "+99999999999d", "+999999999y", "in 9999999999999 months", "+" + "9" * 5000 + "d"],
    ids=lambda text: text[:20],
)  # fmt: skip
def test_bad_input_is_usage_error_echoing_it(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text, THU)
    assert text[:60] in str(caught.value)


def test_empty_input_is_usage_error() -> None:
    with pytest.raises(UsageError):
        parse_date("  ", THU)


@given(st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_fuzz_returns_a_date_or_usage_error(text: str) -> None:
    try:
        result = parse_date(text, THU)
    except UsageError as exc:
        assert text[:20].strip() == "" or repr(text)[1:-1][:10] in str(exc)
    else:
        assert isinstance(result, date)


@given(
    st.from_regex(r"\A[+-]?\d{1,12} ?(d|w|m|y|days|weeks|months|years)\Z")
    | st.from_regex(r"\A\d{1,4}[/.-]\d{1,4}([/.-]\d{1,5})?\Z")
    | st.from_regex(r"\Ain \d{1,12} (days|months|years)\Z"),
    st.dates(),
)
@settings(max_examples=400, deadline=None)
def test_fuzz_date_like_text_never_crashes(text: str, today: date) -> None:
    with contextlib.suppress(UsageError):
        assert isinstance(parse_date(text, today), date)


def _config(tmp: Path, order: str) -> None:
    (tmp / "config.toml").write_text(f'[dates]\nnumeric_order = "{order}"\n')


@pytest.mark.parametrize(("order", "expected"), [("day-first", "2026-04-03"),
                                                 ("month-first", "2026-03-04")])  # fmt: skip
def test_cli_numeric_order_from_config(
    cli: Invoke, isolated_env: Path, order: str, expected: str
) -> None:
    _config(isolated_env, order)
    assert cli("contacts", "add", "Ann").exit_code == 0
    result = cli("notes", "add", "Ann", "hello", "--at", "03/04/2026", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["date"] == expected


def test_cli_bad_date_echoes_input(cli: Invoke) -> None:
    cli("contacts", "add", "Ann")
    result = cli("notes", "add", "Ann", "hello", "--at", "the 5th of never")
    assert result.exit_code == 2
    assert "the 5th of never" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(cli("notes", "list", "--json").stdout) == []


def test_cli_bad_numeric_order_setting(cli: Invoke, isolated_env: Path) -> None:
    _config(isolated_env, "middle-endian")
    result = cli("contacts", "list")
    assert result.exit_code == 2
    assert "numeric_order" in result.stderr


# Fuzzing (bounded): any text gives a date in range or a UsageError, nothing else.
_FUZZ_TEXT = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[+-]?\s?\d{1,8}\s?[a-z]{0,7}", fullmatch=True),
    st.from_regex(r"\d{1,5}[-/.]\d{1,3}([-/.]\d{1,5})?", fullmatch=True),
    st.from_regex(r"(in )?\d{1,7} ?(days?|weeks?|months?|years?|d|w|m|y)( ago)?", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(text=_FUZZ_TEXT, day_first=st.booleans(), prefer=st.sampled_from(["future", "past"]))
def test_parse_date_fuzz(text: str, day_first: bool, prefer: Prefer) -> None:
    try:
        result = parse_date(text, date(2026, 11, 26), day_first=day_first, prefer=prefer)
    except UsageError:
        return
    assert MIN_YEAR <= result.year <= MAX_YEAR


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=20), st.from_regex(r"(\d{4}|-)?-?\d{2}-?\d{2}", fullmatch=True))
)
def test_parse_partial_date_fuzz(text: str) -> None:
    try:
        partial = parse_partial_date(text)
    except UsageError:
        return
    assert partial.next_occurrence(date(2026, 11, 26)) >= date(2026, 11, 26)
    assert partial.occurrence_in(2027).year == 2027
