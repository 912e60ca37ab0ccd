"""When two spellings name one company: the key of a company's name, one rule in Python for
both backends (schema 17; docs/decisions.md, "Company keys"). Its own module, as the schema's
upgrade and every look-up by name need it without the company records."""

from __future__ import annotations


def company_key(name: str) -> str:
    """What makes two spellings one company: the name without whitespace, case-folded in every
    alphabet ("ÜBER  GmbH" and "über gmbh" are one company, on both backends)."""
    return "".join(name.split()).casefold()
