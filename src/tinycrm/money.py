"""Exact money: amounts typed by people become integer minor units of an ISO 4217 currency.

No floats anywhere: text is read with `Decimal`, checked against the currency's number of
decimals (its exponent: EUR 2, JPY 0, KWD 3), and stored as an integer count of minor units.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from tinycrm.errors import UsageError

# ISO 4217 minor-unit exponents of common currencies.
CURRENCIES: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2,
    "CLP": 0, "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2,
    "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0,
    "KES": 2, "KRW": 0, "KWD": 3, "MAD": 2, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2,
    "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2,
    "RON": 2, "RSD": 2, "RUB": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
    "TRY": 2, "TWD": 2, "UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "VND": 0, "XAF": 0,
    "XOF": 0, "ZAR": 2,
}  # fmt: skip

# The currency of sales and costs when the config names none (`[sales] currency`).
DEFAULT_CURRENCY = "EUR"

# Largest amount accepted, in minor units: far below SQLite's 64-bit integer limit.
MAX_MINOR = 10**15

_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")


def currency(code: str) -> str:
    """A known ISO 4217 code, upper-cased; anything else is a usage error."""
    text = code.strip().upper()
    if text not in CURRENCIES:
        raise UsageError(
            f"unknown currency {code!r} (use an ISO 4217 code such as EUR, USD, GBP, JPY)"
        )
    return text


def exponent(code: str) -> int:
    return CURRENCIES[currency(code)]


def parse_amount(text: str, code: str, *, allow_zero: bool = True) -> int:
    """'12.50' EUR → 1250. Rejects negatives, non-numbers, exponents, thousands separators
    and more decimals than the currency has (JPY 1.5), each with a one-line error."""
    code = currency(code)
    value = text.strip().replace("_", "")
    if value.startswith("-"):
        raise UsageError(f"an amount cannot be negative: {text!r}")
    value = value.removeprefix("+")
    if "," in value:
        raise UsageError(
            f"use a dot for decimals and no thousands separators: {text!r} (e.g. 1234.50)"
        )
    if not _AMOUNT.match(value):
        raise UsageError(f"not an amount: {text!r} (e.g. 49.90)")
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise UsageError(f"not an amount: {text!r}") from None
    digits = CURRENCIES[code]
    decimals = len(value.partition(".")[2].rstrip("0"))
    if decimals > digits:
        allowed = "no decimals" if digits == 0 else f"at most {digits} decimals"
        raise UsageError(f"{code} amounts have {allowed}: {text!r}")
    minor = int(amount.scaleb(digits))
    if minor > MAX_MINOR:
        raise UsageError(f"amount too large: {text!r}")
    if minor == 0 and not allow_zero:
        raise UsageError(f"an amount must be more than zero: {text!r}")
    return minor


def format_minor(minor: int, code: str, *, with_code: bool = True) -> str:
    """1250, EUR → '12.50 EUR'; exact, with the currency's number of decimals."""
    digits = CURRENCIES.get(code, 2)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**digits)
    text = f"{sign}{whole:,}" + (f".{part:0{digits}d}" if digits else "")
    return f"{text} {code}" if with_code else text


def plain_minor(minor: int, code: str) -> str:
    """1250, EUR → '12.50' (no grouping, for JSON)."""
    digits = CURRENCIES.get(code, 2)
    return str(Decimal(minor).scaleb(-digits)) if digits else str(minor)
