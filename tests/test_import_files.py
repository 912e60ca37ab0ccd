"""Importing real-world-shaped exports: Apple, Google, Outlook, Android, generic vCard and CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke

DATA = Path(__file__).parent / "data" / "import"


def imported(cli: Invoke, name: str, *options: str) -> dict[str, dict[str, Any]]:
    result = cli("contacts", "import", str(DATA / name), *options)
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    return {c["name"]: c for c in listed}


def notes_of(cli: Invoke, ref: str) -> list[str]:
    return [n["text"] for n in json.loads(cli("notes", "list", ref, "--json").stdout)]


def test_apple_icloud_labels_omitted_year_and_custom_dates(cli: Invoke) -> None:
    found = imported(cli, "apple-icloud-3.0.vcf")
    lucia = found["Lucía Ferrer"]
    assert lucia["company"] == "Panadería Ferrer"
    assert lucia["emails"] == ["lucia@panaderia-ferrer.example"]
    assert lucia["phones"] == ["+34 612 345 678"]
    assert lucia["address"] == "Calle Mayor 12, Zaragoza, 50001, España"
    assert lucia["birthday"] == "--03-14"  # X-APPLE-OMIT-YEAR=1604
    assert lucia["anniversaries"] == [
        {"label": "anniversary", "date": "2019-05-02"},
        {"label": "customer since", "date": "2021-09-15"},
    ]
    assert lucia["tags"] == ["bakery", "wholesale"]
    assert notes_of(cli, "Lucía") == ["Prefers calls after 4pm.\nAsks about gluten-free options."]
    chidi = found["Chidi Okafor"]
    assert chidi["emails"] == ["chidi.okafor@mail.example", "c.okafor@okafor-design.example"]
    assert chidi["birthday"] == "1988-02-29"


def test_android_quoted_printable_with_soft_line_breaks(cli: Invoke) -> None:
    found = imported(cli, "android-2.1.vcf")
    jurgen = found["Jürgen Müller"]
    assert jurgen["company"] == "Müller Fahrräder"
    assert jurgen["phones"] == ["+49 151 23456789", "+49 30 1234567"]
    assert jurgen["emails"] == ["juergen.mueller@example.de"]
    assert jurgen["birthday"] == "1975-06-21"
    assert notes_of(cli, "Jürgen") == [
        "Kauft jedes Frühjahr neue Reifen. Ruft lieber an als zu mailen."
    ]
    assert found["Linh Nguyen"]["phones"] == ["0412 555 019"]


def test_vcard_4_year_less_and_text_birthdays(cli: Invoke) -> None:
    found = imported(cli, "generic-4.0.vcf")
    aiko = found["Aiko Tanaka"]
    assert aiko["birthday"] == "--11-03"
    assert aiko["phones"] == ["+81-90-1234-5678"]
    assert aiko["anniversaries"] == [{"label": "anniversary", "date": "2015-04-20"}]
    assert aiko["tags"] == ["retail", "tea"]
    assert aiko["company"] == "Tanaka Tea House"
    assert found["Pat Quinn"]["birthday"] is None
    assert notes_of(cli, "Pat Quinn") == ["Birthday: sometime in the 1970s"]


def test_google_csv_labels_events_and_multiline_notes(cli: Invoke) -> None:
    result = cli("contacts", "import", str(DATA / "google-contacts.csv"))
    assert "Google Contacts CSV: 2 created" in result.stdout
    found = {c["name"]: c for c in json.loads(cli("contacts", "list", "--json").stdout)}
    maria = found["Maria Santos"]
    assert maria["company"] == "Santos Florals"
    assert maria["phones"] == ["+1 415-555-0134", "+1 415-555-0100"]
    assert maria["birthday"] == "1979-08-30"
    assert maria["anniversaries"] == [{"label": "anniversary", "date": "2012-06-09"}]
    assert maria["tags"] == ["Customers", "VIP"]  # "* myContacts" is Google's, not a tag
    assert notes_of(cli, "Maria") == ["Orders roses every Friday.\nWants invoices by email."]
    assert found["Tom Becker"]["birthday"] == "--12-24"


def test_outlook_csv_month_first_dates_and_empty_placeholders(cli: Invoke) -> None:
    found = imported(cli, "outlook-contacts.csv")
    anna = found["Anna Kowalska"]
    assert anna["birthday"] == "1984-03-14"
    assert anna["anniversaries"] == []  # 0/0/00
    assert anna["address"] == "ul. Prosta 5, Warszawa, 00-850, Poland"
    assert anna["tags"] == ["Customers", "Office"]
    assert anna["phones"] == ["+48 22 555 01 01", "+48 601 555 010"]
    robert = found["Robert Dubois"]
    assert robert["birthday"] is None
    assert robert["anniversaries"] == [{"label": "anniversary", "date": "2010-09-01"}]
    assert robert["company"] == "Dubois & Fils"


def test_outlook_cp1252_file(cli: Invoke) -> None:
    found = imported(cli, "outlook-cp1252.csv")
    jose = found["José Muñoz"]
    assert jose["company"] == "Café Muñoz"
    assert jose["birthday"] == "1990-05-07"


def test_explicit_encoding_and_bom(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffName,Email\nÅsa Berg,asa@berg.example\n".encode())
    assert "Åsa Berg" in imported(cli, str(path))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Name,Email\nÉmile Zola,emile@zola.example\n".encode("cp1252"))
    assert "Émile Zola" in imported(cli, str(latin), "--encoding", "cp1252")


def test_more_exports_google_apple_outlook_vcards(cli: Invoke) -> None:
    found = imported(cli, "google-contacts-3.0.vcf")
    sofia = found["Sofia Rossi"]
    assert sofia["birthday"] == "--02-29"
    assert sofia["anniversaries"] == [{"label": "First order", "date": "--06-12"}]
    assert sofia["tags"] == ["Wine club"]
    assert notes_of(cli, "Sofia") == ["Likes Barolo, dislikes sweet wines."]
    assert "info@noname.example" in found  # no name: the email stands in
    found = imported(cli, "apple-macos-3.0.vcf")
    erik = found["Erik Lindqvist"]
    assert erik["company"] == "Lindqvist Bygg AB"
    assert erik["birthday"] == "--08-15"  # 0000-08-15
    assert erik["anniversaries"] == [{"label": "anniversary", "date": "--10-02"}]
    found = imported(cli, "outlook-2.1.vcf")
    siobhan = found["Siobhan Brennan"]
    assert siobhan["birthday"] == "1982-07-04"
    assert siobhan["emails"] == ["siobhan@brennan-acc.example"]
    assert notes_of(cli, "Siobhan") == ["Prefers a call on Mondays.\nInvoices quarterly."]


def test_legacy_google_csv_and_mapped_generic_csv(cli: Invoke) -> None:
    kwame = imported(cli, "google-contacts-legacy.csv")["Kwame Mensah"]
    assert kwame["emails"] == ["kwame@mensah-textiles.example", "k.mensah@mail.example"]
    assert kwame["address"] == "12 Ring Road, Accra"
    assert kwame["tags"] == ["Suppliers"]
    found = imported(
        cli, "generic-semicolon.csv", "--map", "Vorname=first_name", "--map",
        "Nachname=last_name", "--map", "Mail=email", "--map", "Firma=company",
        "--map", "Geburtstag=birthday", "--map", "Mobil=phone",
    )  # fmt: skip
    greta = found["Greta Vogel"]
    assert greta["company"] == "Vogel GmbH"
    assert greta["birthday"] == "1985-03-14"  # day first, the default setting
    assert greta["phones"] == ["+49 170 5550123"]
    assert notes_of(cli, "Hans Weber") == ["Birthday: kein Datum"]


def test_unknown_map_field_or_column_is_a_usage_error(cli: Invoke) -> None:
    result = cli("contacts", "import", str(DATA / "generic-semicolon.csv"), "--map", "Mail=fax")
    assert result.exit_code == 2 and "unknown field" in result.stderr
    result = cli("contacts", "import", str(DATA / "generic-semicolon.csv"), "--map", "X=email")
    assert result.exit_code == 2 and "does not have" in result.stderr


@pytest.mark.parametrize(
    ("bday", "expected"),
    [
        ("1980-03-14", "1980-03-14"),
        ("19800314", "1980-03-14"),
        ("--0314", "--03-14"),
        ("--03-14", "--03-14"),
        ("0000-03-14", "--03-14"),
        ("1980-03-14T00:00:00Z", "1980-03-14"),
    ],
)
def test_bday_forms(cli: Invoke, tmp_path: Path, bday: str, expected: str) -> None:
    path = tmp_path / "one.vcf"
    path.write_text(f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nBDAY:{bday}\nEND:VCARD\n")
    assert imported(cli, str(path))["Ann"]["birthday"] == expected


def test_companies_a_file_names_get_ids_in_the_files_order(cli: Invoke, tmp_path: Path) -> None:
    names = ["Zeta Works", "Alpha Ltd", "Mid Co", "Kappa Farm", "Beta Bikes", "Omega Inn"]
    rows = [f"Person {n},{company},p{n}@example.com" for n, company in enumerate(names)]
    file = tmp_path / "people.csv"
    file.write_text("Name,Organization Name,E-mail 1 - Value\n" + "\n".join(rows) + "\n")
    assert cli("contacts", "import", str(file)).exit_code == 0
    listed = json.loads(cli("companies", "list", "--json").stdout)
    assert sorted(listed, key=lambda c: c["id"]) == sorted(
        listed, key=lambda c: names.index(c["name"])
    )


@pytest.mark.parametrize("name", ["google-contacts.csv", "apple-icloud-3.0.vcf"])
def test_a_dry_run_before_the_crm_exists_reports_the_import_and_creates_nothing(
    cli: Invoke, tmp_path: Path, name: str
) -> None:
    new = tmp_path / "shop" / "crm.db"
    tried = cli("--db", str(new), "contacts", "import", str(DATA / name), "--dry-run", "--json")
    assert tried.exit_code == 0, tried.stderr
    assert "no CRM there yet" in tried.stderr
    assert not new.parent.exists()
    done = cli("--db", str(new), "contacts", "import", str(DATA / name), "--json")
    assert done.exit_code == 0, done.stderr
    would, did = json.loads(tried.stdout), json.loads(done.stdout)
    assert would.pop("dry_run") is True and did.pop("dry_run") is False
    for row in did["created"]:
        row["contact_id"] = None  # a dry run names the rows it would create, without ids
    assert would == did
    assert would["created_count"] > 0
