"""`crm … | head`: a reader that stops early ends the command quietly, with no traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.store import Store

D = date(2026, 11, 26)
# Enough rows that the output outgrows a pipe's buffer (64 KiB) and several stream batches.
CONTACTS = 2_500


@pytest.fixture
def many_contacts(store: Store) -> None:
    with store.write():
        for n in range(CONTACTS):
            add_contact(
                store,
                ContactFields(name=f"Customer {n:05}", emails=[f"customer{n}@shop.example"]),
                D,
            )


@pytest.mark.parametrize(
    "args",
    [["contacts", "list"], ["contacts", "list", "--json"], ["contacts", "export"]],
)
def test_a_listing_read_by_head_ends_without_a_traceback(
    many_contacts: None, db_location: str, args: list[str]
) -> None:
    crm = subprocess.Popen(
        [sys.executable, "-m", "tinycrm", "--db", db_location, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert crm.stdout is not None and crm.stderr is not None
    first = crm.stdout.readline()
    crm.stdout.close()  # what `head -1` does after its line
    errors = crm.stderr.read().decode()
    crm.wait(timeout=60)
    assert first
    assert errors == ""
    assert crm.returncode == 1
