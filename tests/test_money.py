"""Exact money parsing and formatting."""

from __future__ import annotations

import pytest

from tinycrm import money
from tinycrm.errors import UsageError


@pytest.mark.parametrize(
    ("text", "code", "minor"),
    [
        ("49.90", "EUR", 4990),
        ("0.1", "EUR", 10),
        ("1234", "USD", 123400),
        ("1_000.5", "GBP", 100050),
        ("+7", "EUR", 700),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),  # trailing zeros are not extra decimals
        ("0.125", "KWD", 125),
        (".5", "EUR", 50),
        ("0.29", "eur", 29),  # float 0.29 * 100 is 28.999…; Decimal is exact
    ],
)
def test_parse_amount_is_exact(text: str, code: str, minor: int) -> None:
    assert money.parse_amount(text, code) == minor


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("-5", "EUR", "negative"),
        ("abc", "EUR", "not an amount"),
        ("1e3", "EUR", "not an amount"),
        ("NaN", "EUR", "not an amount"),
        ("", "EUR", "not an amount"),
        ("1.5", "JPY", "JPY amounts have no decimals"),
        ("1.234", "EUR", "at most 2 decimals"),
        ("1,50", "EUR", "use a dot"),
        ("1", "XYZ", "unknown currency"),
        ("10000000000000000", "EUR", "too large"),
    ],
)
def test_bad_amounts_are_usage_errors(text: str, code: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        money.parse_amount(text, code)


def test_format_and_plain() -> None:
    assert money.format_minor(123456, "EUR") == "1,234.56 EUR"
    assert money.format_minor(1500, "JPY") == "1,500 JPY"
    assert money.format_minor(-5, "EUR") == "-0.05 EUR"
    assert money.plain_minor(1250, "EUR") == "12.50"
    assert money.plain_minor(125, "KWD") == "0.125"
    assert money.plain_minor(1500, "JPY") == "1500"
