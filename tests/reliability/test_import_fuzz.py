"""Fuzzing the vCard and CSV importers for a bounded time: random bytes, vCard-like text built
from real property names and parameters, and CSV files with Google/Outlook headers.

Whatever the file, `crm contacts import` either succeeds (rejected cards or rows each carry a
reason) or fails with a one-line `crm: …` error and changes nothing: never a traceback, never a
hang, never part of a file written. Raise the example count with CRM_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import faulthandler
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from dbquery import query_db
from tinycrm.config import database_location
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.notes import add_note
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "30"))
HANG_LIMIT = 120  # seconds: a hung import dumps its stack and ends the run instead of waiting
TABLES = (
    "contacts",
    "contact_emails",
    "contact_phones",
    "contact_tags",
    "anniversaries",
    "notes",
    "follow_ups",
    "stage_history",
    "search_index",
)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def db(db_location: str) -> Path | str:
    path = database_location(db_location)
    store = Store.open(path, create=True)
    ann = add_contact(
        store,
        ContactFields(name="Ann Lee", emails=["ann@example.com"], phones=["+44 20 7946 0001"]),
        TODAY,
    )
    add_note(store, str(ann.id), "first call", TODAY, "call")
    store.close()
    return path


def counts(db: Path | str) -> dict[str, int]:
    return {t: query_db(f"SELECT count(*) FROM {t}", location=db)[0][0] for t in TABLES}


def check_import(cli: Invoke, db: Path | str, data: bytes, suffix: str, *options: str) -> None:
    source = Path.cwd() / f"fuzz{suffix}"  # the test's own directory (isolated_env)
    source.write_bytes(data)
    before = counts(db)
    result = cli("contacts", "import", str(source), "--json", *options)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    after = counts(db)
    event(f"exit {result.exit_code}")  # --hypothesis-show-statistics shows the mix
    if result.exit_code != 0:
        assert result.stderr.startswith("crm: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr  # one line
        assert after == before, "a failed import wrote something"
        return
    report = json.loads(result.stdout)
    for line in report["rejected"] + report["skipped"]:
        assert line["reason"].strip(), line
        assert line["where"].strip(), line
    event("some created" if report["created"] else "none created")
    event("some rejected" if report["rejected"] else "none rejected")
    if "--dry-run" in options:
        assert after == before, "a dry run wrote something"
        return
    assert after["contacts"] == before["contacts"] + report["created_count"]
    assert after["search_index"] == after["contacts"] + after["notes"]


modes = st.sampled_from(
    [(), ("--on-duplicate", "update"), ("--on-duplicate", "create"), ("--dry-run",)]
)


# --- random bytes ---------------------------------------------------------------------------


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=200).map(lambda b: b"BEGIN:VCARD\r\n" + b + b"\r\nEND:VCARD\r\n"),
        st.binary(max_size=200).map(lambda b: b"name,email,phone\n" + b),
    ),
    suffix=st.sampled_from([".vcf", ".csv", ".txt"]),
)
def test_random_bytes(cli: Invoke, db: Path | str, data: bytes, suffix: str) -> None:
    check_import(cli, db, data, suffix)


# --- vCard-like text ------------------------------------------------------------------------

NAMES = [
    "FN",
    "N",
    "ORG",
    "EMAIL",
    "TEL",
    "ADR",
    "BDAY",
    "ANNIVERSARY",
    "X-ANNIVERSARY",
    "NOTE",
    "CATEGORIES",
    "PHOTO",
    "LOGO",
    "KEY",
    "UID",
    "REV",
    "TITLE",
    "URL",
    "NICKNAME",
    "VERSION",
    "X-TINYCRM-TYPE",
    "X-TINYCRM-STAGE",
    "X-TINYCRM-CADENCE",
    "X-TINYCRM-OWNER",
    "X-TINYCRM-ARCHIVED",
    "X-TINYCRM-LAST-INTERACTION",
    "X-ABDATE",
    "X-ABLabel",
    "X-SOCIALPROFILE",
    "begin",
    "end",
    "tel",
    "Bday",
]
PARAMS = [
    "TYPE=HOME",
    "TYPE=WORK,VOICE",
    "TYPE=pref",
    "PREF=1",
    "PREF=99",
    "PREF=x",
    "CELL",
    "WORK",
    "HOME",
    "PREF",
    "INTERNET",
    "ENCODING=QUOTED-PRINTABLE",
    "QUOTED-PRINTABLE",
    "ENCODING=b",
    "BASE64",
    "CHARSET=UTF-8",
    "CHARSET=ISO-8859-1",
    "CHARSET=bogus",
    "CHARSET=windows-1252",
    "VALUE=text",
    "VALUE=date",
    "VALUE=uri",
    "X-APPLE-OMIT-YEAR=1604",
    "X-TINYCRM-DATE=2026-02-30",
    "X-TINYCRM-DATE=2025-01-01",
    "X-TINYCRM-CHANNEL=call",
    "X-TINYCRM-CHANNEL=pigeon",
    'LABEL="a;b:c"',
]
BAD_PARAMS = ["TYPE=", "=", 'X-Q="unterminated', "TYPE=a:b", "x y", ""]
BDAYS = [
    "1980-03-14",
    "19800314",
    "--0314",
    "--03-14",
    "0000-03-14",
    "1604-02-29",
    "--0229",
    "2026-02-29",
    "2024-02-29",
    "1900-02-29",
    "19800314T120000Z",
    "1980-03-14T12:00:00",
    "--13-40",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "1980-W10",
    "1980",
    "--12",
    "---14",
    "T1200",
    "March 14",
    "3/14/1984",
    "14.03.1984",
    "0/0/00",
    "",
    " ",
    "1e9",
    "\u0661\u0669\u0668\u0660-03-14",
]
HOSTILE = [
    "[/]",
    "[red]x",
    "\x1b[2J",
    "\x1b]52;c;aGk=\x07",
    "\x9b31m",
    "<script>",
    "=1+1",
    "\\n",
    "\\,",
    "\\;",
    "\\",
    ";;;",
    ",,,",
    ":",
    '"',
    "\u202e",
    "\u2028",
    "\x00",
    "\x7f",
    "é",
    "𝔘",
]

text_value = st.one_of(
    # Lone surrogates cannot be written to a file as UTF-8, so no importer can ever see one.
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=30),
    st.sampled_from(HOSTILE),
    st.sampled_from(BDAYS),
    st.sampled_from(
        [
            "ann@example.com",
            "ANN@EXAMPLE.COM",
            "a@b",
            "tel:+44207946000 1",
            "+44 (20) 7946-0001",
            "12",
            "mailto:x@y.z",
        ]
    ),
    st.integers(1_000, 120_000).map(lambda n: "x" * n),  # huge lines
)


def quoted_printable(text: str) -> str:
    import quopri

    encoded = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    return encoded.replace("\n", "\r\n")  # soft line breaks as "=\r\n"


@st.composite
def vcard_line(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    if draw(st.integers(0, 3)) == 0:
        name = f"{draw(st.sampled_from(['item1', 'item2', 'x', 'item1', 'a b', '']))}.{name}"
    many = draw(st.integers(0, 9)) == 0
    params = draw(st.lists(st.sampled_from(PARAMS), max_size=14 if many else 3))
    if draw(st.integers(0, 9)) == 0:
        params.append(draw(st.sampled_from(BAD_PARAMS)))
    value = draw(st.one_of(text_value, st.sampled_from(BDAYS)))
    if draw(st.integers(0, 4)) == 0:
        value = quoted_printable(value)
        params.append("ENCODING=QUOTED-PRINTABLE")
    if draw(st.integers(0, 4)) == 0:
        value = ";".join(draw(st.lists(text_value, max_size=6)))
    line = ";".join([name, *params]) + (":" if draw(st.integers(0, 40)) else "") + value
    # Fold at random points: CRLF plus a space or tab, as RFC 6350 allows anywhere.
    cuts = sorted(draw(st.lists(st.integers(1, max(len(line) - 1, 1)), max_size=4)))
    folded, last = [], 0
    for cut in cuts:
        folded.append(line[last:cut])
        last = cut
    folded.append(line[last:])
    return draw(st.sampled_from(["\r\n ", "\r\n\t", "\n "])).join(folded)


@st.composite
def vcard_file(draw: st.DrawFn) -> bytes:
    cards = []
    for _ in range(draw(st.integers(1, 4))):
        version = draw(st.sampled_from(["2.1", "3.0", "4.0", "5", ""]))
        lines = draw(st.lists(vcard_line(), max_size=8))
        begin = draw(st.sampled_from(["BEGIN:VCARD", "BEGIN:VCARD", "begin:vcard", "BEGIN:VCAL"]))
        end = draw(st.sampled_from(["END:VCARD", "END:VCARD", "end:VCARD", ""]))
        cards.append("\r\n".join([begin, f"VERSION:{version}", *lines, end]))
    text = draw(st.sampled_from(["\r\n", "\n"])).join(cards) + "\r\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=vcard_file(), options=modes)
def test_vcard_like_files(
    cli: Invoke, db: Path | str, data: bytes, options: tuple[str, ...]
) -> None:
    check_import(cli, db, data, ".vcf", *options)


# --- CSV ------------------------------------------------------------------------------------

GOOGLE = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization 1 - Name",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "Group Membership",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Value",
    "Event 1 - Label",
    "Event 1 - Value",
    "Event 2 - Value",
    "Address 1 - Formatted",
]
OUTLOOK = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Title",
    "Suffix",
    "Nickname",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Home Phone",
    "Business Phone",
    "Mobile Phone",
    "Job Title",
    "Company",
    "Business Street",
    "Business City",
    "Business State",
    "Business Postal Code",
    "Business Country/Region",
    "Home Street",
    "Birthday",
    "Anniversary",
    "Notes",
    "Categories",
]
OURS = [
    "name",
    "company",
    "emails",
    "phones",
    "address",
    "birthday",
    "anniversaries",
    "tags",
    "relationship_type",
    "stage",
    "cadence",
    "owner",
    "archived",
    "last_interaction_on",
    "type",
    "note",
    "Unknown Column",
    "",
    "\ufeffname",
    "NAME ",
]
CELLS = [
    "",
    "Ann Lee",
    "ann@example.com",
    "a@b.c ::: d@e.f",
    "x@y.z; q@r.s",
    "+44 20 7946 0001",
    "* myContacts ::: VIP",
    "Customers;Office",
    "wedding=2015-06-21 ::: =x",
    "dedicated",
    "prospect",
    "customer",
    "none",
    "30",
    "-5",
    "99999999999999999999",
    "yes",
    "2026-02-30",
    "'=1+1",
    "'",
    "'@",
    "0/0/00",
    "13/13/2020",
    "2/29/2023",
    "02/29/2024",
]

cell = st.one_of(
    st.sampled_from(CELLS), st.sampled_from(BDAYS), st.sampled_from(HOSTILE), st.text(max_size=20)
)


@st.composite
def csv_file(draw: st.DrawFn) -> bytes:
    import csv
    import io

    pool = draw(st.sampled_from([GOOGLE, OUTLOOK, OURS]))
    header = draw(st.lists(st.sampled_from(pool + OURS[:4]), min_size=1, max_size=10))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        width = draw(st.sampled_from([len(header), len(header), 0, 1, len(header) + 3]))
        writer.writerow(draw(st.lists(cell, min_size=width, max_size=width)))
    text = buffer.getvalue()
    if draw(st.integers(0, 5)) == 0:  # broken quoting, stray NUL, cut short
        text = text[: draw(st.integers(0, len(text)))] + draw(st.sampled_from(['"', "\x00", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=csv_file(), options=modes)
def test_csv_files(cli: Invoke, db: Path | str, data: bytes, options: tuple[str, ...]) -> None:
    check_import(cli, db, data, ".csv", *options)
