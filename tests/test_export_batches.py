"""A whole export is written a batch of contacts at a time (issue 20): a CRM with more
contacts than one batch still comes out as one document with every contact and note once."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.services.exporting import BATCH

PEOPLE = BATCH + 150


@pytest.fixture
def many(cli: Invoke, tmp_path: Path) -> Path:
    """More people than one batch, each with a note, imported from a CSV file."""
    path = tmp_path / "many.csv"
    rows = [f"Person {n:05d},p{n}@mail.example,about person {n}" for n in range(PEOPLE)]
    path.write_text("name,email,notes\n" + "\n".join(rows) + "\n")
    result = cli("contacts", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created_count"] == PEOPLE
    return tmp_path


def test_a_json_export_of_more_than_one_batch_has_everyone_once(cli: Invoke, many: Path) -> None:
    out = many / "all.json"
    result = cli("contacts", "export", "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert f"{out.stat().st_size:,} bytes" in result.stderr
    document = json.loads(out.read_text())
    names = [person["name"] for person in document["contacts"]]
    assert names == [f"Person {n:05d}" for n in range(PEOPLE)]  # by name, each once
    notes = [(p["name"], note["body"]) for p in document["contacts"] for note in p["notes"]]
    assert sorted(notes) == [(f"Person {n:05d}", f"about person {n}") for n in range(PEOPLE)]
    assert list(document)[-1] == "digest_runs"


def test_csv_and_vcard_exports_of_more_than_one_batch_have_everyone_once(
    cli: Invoke, many: Path
) -> None:
    result = cli("contacts", "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [row["emails"] for row in rows] == [f"p{n}@mail.example" for n in range(PEOPLE)]
    result = cli("contacts", "export", "--format", "vcard")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("BEGIN:VCARD") == PEOPLE
    lines = result.stdout.splitlines()
    notes = sorted(line.split(":", 1)[1] for line in lines if line.startswith("NOTE;"))
    assert notes == sorted(f"about person {n}" for n in range(PEOPLE))
