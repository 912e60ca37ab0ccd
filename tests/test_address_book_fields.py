"""What address books hold beyond the CRM's fields (issue 18): type labels on emails, phones
and addresses, every postal address, the structured name as given, organisations, nickname,
job title, web pages, messaging handles, related people and gender, kept on import and given
back by `contacts show`, the vCard, CSV and JSON exports, and khard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import vobject

from conftest import Invoke

# An Apple/Google-style 3.0 card: TYPE labels, a custom X-ABLabel, two addresses, IM as
# X-JABBER and IMPP, a related name with Apple's built-in label.
PERSON = """BEGIN:VCARD\r
VERSION:3.0\r
FN:Heiko Mustermann\r
N:Mustermann;Heiko;Karl;Dr.;\r
NICKNAME:Hei\r
TITLE:Head of Purchasing\r
EMAIL;TYPE=INTERNET;TYPE=WORK;TYPE=pref:heiko@firma.example\r
EMAIL;TYPE=INTERNET;TYPE=HOME:heiko@privat.example\r
TEL;TYPE=CELL:+49 170 1111111\r
TEL;TYPE=WORK;TYPE=FAX:+49 30 2222222\r
item1.TEL:+49 30 3333333\r
item1.X-ABLabel:Sommerhaus\r
ADR;TYPE=WORK:;Haus B;Firmenweg 1;Berlin;;10115;Germany\r
ADR;TYPE=HOME:;;Privatstraße 2;Potsdam;Brandenburg;14467;Germany\r
URL;TYPE=WORK:https://firma.example/heiko\r
X-JABBER;TYPE=HOME:heiko@jabber.example\r
IMPP;X-SERVICE-TYPE=Skype:skype:heiko.m\r
item2.X-ABRELATEDNAMES:Erika Mustermann\r
item2.X-ABLabel:_$!<Spouse>!$_\r
END:VCARD\r
"""
# Organisations: vCard 4's KIND and Apple's X-ABShowAs; a 4.0 GENDER; a full name with no N.
OTHERS = """BEGIN:VCARD\r
VERSION:4.0\r
KIND:org\r
FN:Bike Shop\r
ORG:Bike Shop GmbH\r
TEL;VALUE=uri;TYPE="work,voice":tel:+49-30-1234567\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Florist Rosa\r
N:;;;;\r
ORG:Florist Rosa\r
X-ABShowAs:COMPANY\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Mustermann, Erika\r
GENDER:F\r
RELATED;TYPE=spouse;VALUE=text:Heiko Mustermann\r
END:VCARD\r
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def imported(cli: Invoke, path: Path, *options: str) -> dict[str, Any]:
    result = cli("contacts", "import", str(path), "--json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def shown(cli: Invoke, ref: str, *db: str) -> dict[str, Any]:
    result = cli(*db, "contacts", "show", ref, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def exported(cli: Invoke, *options: str) -> str:
    result = cli("contacts", "export", *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def book(cli: Invoke, tmp_path: Path) -> None:
    imported(cli, write(tmp_path, "person.vcf", PERSON))
    imported(cli, write(tmp_path, "others.vcf", OTHERS))


def test_labels_addresses_and_person_fields_are_kept(cli: Invoke, book: None) -> None:
    heiko = shown(cli, "Heiko Mustermann")
    assert heiko["email_labels"] == {"heiko@firma.example": "work", "heiko@privat.example": "home"}
    assert heiko["phone_labels"] == {
        "+49 170 1111111": "cell", "+49 30 2222222": "work,fax", "+49 30 3333333": "Sommerhaus"
    }  # fmt: skip
    assert [(a["label"], a["street"], a["locality"]) for a in heiko["addresses"]] == [
        ("work", "Firmenweg 1", "Berlin"), ("home", "Privatstraße 2", "Potsdam")
    ]  # fmt: skip
    assert heiko["addresses"][0]["extended"] == "Haus B"
    assert heiko["address"] == "Haus B, Firmenweg 1, Berlin, 10115, Germany"
    assert heiko["name_parts"] == {
        "family": "Mustermann", "given": "Heiko", "additional": "Karl", "prefix": "Dr.",
        "suffix": "",
    }  # fmt: skip
    assert (heiko["nickname"], heiko["job_title"], heiko["kind"]) == (
        "Hei", "Head of Purchasing", None
    )  # fmt: skip
    assert heiko["urls"] == [{"url": "https://firma.example/heiko", "label": "work"}]
    assert heiko["ims"] == [
        {"uri": "skype:heiko.m", "label": ""}, {"uri": "xmpp:heiko@jabber.example", "label": "home"}
    ]  # fmt: skip
    assert heiko["related"] == [{"name": "Erika Mustermann", "label": "spouse"}]
    text = cli("contacts", "show", "Heiko Mustermann").stdout
    assert "+49 30 2222222 (work,fax)" in text and "home: Privatstraße 2, Potsdam" in text
    assert "Job title: Head of Purchasing" in text and "Erika Mustermann (spouse)" in text


def test_organisations_and_names_are_not_invented(cli: Invoke, book: None) -> None:
    assert shown(cli, "Bike Shop")["kind"] == "org"
    assert shown(cli, "Florist Rosa")["kind"] == "org"
    assert shown(cli, "Florist Rosa")["name_parts"] is None
    erika = shown(cli, "Mustermann, Erika")
    assert erika["name_parts"] is None and erika["gender"] == "F"
    cards = {c.fn.value: c for c in vobject.readComponents(exported(cli), validate=True)}
    assert cards["Bike Shop"].kind.value == "org" and "n" not in cards["Bike Shop"].contents
    assert "n" not in cards["Mustermann, Erika"].contents  # no family name "Erika"
    assert cards["Mustermann, Erika"].gender.value == "F"
    heiko = cards["Heiko Mustermann"]
    assert heiko.n.value.family == "Mustermann" and heiko.n.value.given == "Heiko"


def test_vcard_export_writes_types_and_every_address(cli: Invoke, book: None) -> None:
    text = exported(cli, "Heiko Mustermann")
    assert "EMAIL;TYPE=work;PREF=1:heiko@firma.example" in text
    assert "TEL;TYPE=work,fax;PREF=2;VALUE=text:+49 30 2222222" in text
    assert "item1.TEL;PREF=3;VALUE=text:+49 30 3333333\nitem1.X-ABLabel:Sommerhaus" in text
    assert "ADR;TYPE=work;PREF=1:;Haus B;Firmenweg 1;Berlin;;10115;Germany" in text
    assert "ADR;TYPE=home;PREF=2:;;Privatstraße 2;Potsdam;Brandenburg;14467;Germany" in text
    assert "RELATED;TYPE=spouse;VALUE=text:Erika Mustermann" in text
    assert "IMPP;TYPE=home;PREF=2:xmpp:heiko@jabber.example" in text


def comparable(cli: Invoke, *db: str) -> list[dict[str, Any]]:
    listed = json.loads(cli(*db, "contacts", "list", "--json").stdout)
    return sorted(({k: v for k, v in c.items() if k != "id"} for c in listed),
                  key=lambda c: c["name"])  # fmt: skip


def test_vcard_round_trip_keeps_every_field(cli: Invoke, book: None, tmp_path: Path) -> None:
    out = tmp_path / "all.vcf"
    assert cli("contacts", "export", "-o", str(out)).exit_code == 0
    second = ("--db", str(tmp_path / "second.db"))
    report = json.loads(cli(*second, "contacts", "import", str(out), "--json").stdout)
    assert report["created_count"] == 4 and report["adjusted"] == []
    assert comparable(cli, *second) == comparable(cli)


def test_csv_round_trip_keeps_labels_and_fields(cli: Invoke, book: None, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    assert cli("contacts", "export", "--format", "csv", "-o", str(out)).exit_code == 0
    second = ("--db", str(tmp_path / "second.db"))
    report = json.loads(cli(*second, "contacts", "import", str(out), "--json").stdout)
    assert report["created_count"] == 4 and report["adjusted"] == []

    def flat(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # CSV holds an address as one line of text: its parts are not kept apart.
        for contact in listed:
            contact["addresses"] = [
                (a["label"], ", ".join(v for k, v in a.items() if k != "label" and v))
                for a in contact["addresses"]
            ]
        return listed

    assert flat(comparable(cli, *second)) == flat(comparable(cli))


def test_outlook_and_google_columns_give_labels_and_addresses(cli: Invoke, tmp_path: Path) -> None:
    outlook = write(tmp_path, "outlook.csv", (
        "First Name,Last Name,E-mail Address,Business Phone,Home Fax,Pager,Job Title,"
        "Business Street,Business City,Business Postal Code,Home Street,Home City,Web Page,"
        "Gender\n"
        "Anna,Kowalska,anna@biuro.example,+48 22 555 01 01,+48 22 555 01 02,+48 601 555 010,"
        "Office manager,ul. Prosta 5,Warszawa,00-850,ul. Długa 1,Kraków,https://biuro.example,"
        "Female\n"
    ))  # fmt: skip
    assert imported(cli, outlook)["ignored_columns"] == []
    anna = shown(cli, "Anna Kowalska")
    assert anna["phone_labels"] == {
        "+48 22 555 01 01": "work", "+48 22 555 01 02": "home,fax", "+48 601 555 010": "pager"
    }  # fmt: skip
    assert [(a["label"], a["street"], a["locality"]) for a in anna["addresses"]] == [
        ("work", "ul. Prosta 5", "Warszawa"), ("home", "ul. Długa 1", "Kraków")
    ]  # fmt: skip
    assert anna["name_parts"]["family"] == "Kowalska" and anna["job_title"] == "Office manager"
    assert anna["urls"] == [{"url": "https://biuro.example", "label": ""}]
    assert anna["gender"] == "F"
    google = write(tmp_path, "google.csv", (
        "Given Name,Family Name,Organization 1 - Title,E-mail 1 - Type,E-mail 1 - Value,"
        "Phone 1 - Type,Phone 1 - Value,Address 1 - Type,Address 1 - Street,"
        "Address 1 - City,Website 1 - Type,Website 1 - Value\n"
        "Maria,Santos,Owner,* Work,maria@florals.example,Mobile ::: Work Fax,"
        "+351 912 345 678 ::: +351 21 000 0000,Home,Rua Nova 3,Lisboa,Blog,"
        "https://florals.example\n"
    ))  # fmt: skip
    imported(cli, google)
    maria = shown(cli, "Maria Santos")
    assert maria["email_labels"] == {"maria@florals.example": "work"}
    assert maria["phone_labels"] == {"+351 912 345 678": "cell", "+351 21 000 0000": "work,fax"}
    assert [(a["label"], a["street"]) for a in maria["addresses"]] == [("home", "Rua Nova 3")]
    assert maria["urls"] == [{"url": "https://florals.example", "label": "Blog"}]
    assert maria["job_title"] == "Owner"


def test_editing_the_main_address_keeps_the_others(cli: Invoke, book: None) -> None:
    result = cli("contacts", "edit", "Heiko Mustermann", "--address", "Neue Allee 9, Berlin")
    assert result.exit_code == 0, result.stderr
    heiko = shown(cli, "Heiko Mustermann")
    assert [(a["label"], a["street"]) for a in heiko["addresses"]] == [
        ("work", "Neue Allee 9, Berlin"), ("home", "Privatstraße 2")
    ]  # fmt: skip
    text = exported(cli, "Heiko Mustermann")
    assert "ADR;TYPE=work;PREF=1:;;Neue Allee 9\\, Berlin;;;;" in text
    assert "Firmenweg" not in text


def test_merging_unites_addresses_and_links(cli: Invoke, book: None) -> None:
    result = cli("contacts", "merge", "Mustermann, Erika", "Heiko Mustermann", "--keep", "first")
    assert result.exit_code == 0, result.stderr
    merged = shown(cli, "Mustermann, Erika")
    assert len(merged["addresses"]) == 2 and merged["urls"] != []
    assert [r["name"] for r in merged["related"]] == ["Heiko Mustermann", "Erika Mustermann"]
    assert merged["phone_labels"]["+49 170 1111111"] == "cell"


def khard(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "khard", "-c", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_khard_shows_labels_title_and_addresses(cli: Invoke, book: None, tmp_path: Path) -> None:
    vdir = tmp_path / "book"
    assert cli("contacts", "sync", str(vdir)).exit_code == 0
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[crm]]\npath = {vdir}\n[general]\ndefault_action = list\n")
    listed = khard(config, "list", "--parsable")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    assert len(listed.stdout.strip().splitlines()) == 4
    heiko = khard(config, "show", "Heiko")
    assert heiko.returncode == 0 and heiko.stderr == "", heiko.stderr
    for expected in ("Nickname: Hei", "Title: Head of Purchasing", "Sommerhaus", "work, fax",
                     "Privatstraße 2", "https://firma.example/heiko"):  # fmt: skip
        assert expected in heiko.stdout
    shop = khard(config, "show", "Bike Shop")
    assert "Kind: org" in shop.stdout and shop.stderr == ""


def test_properties_without_a_field_are_named_in_the_report(cli: Invoke, tmp_path: Path) -> None:
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Phone//EN\r\nFN:P{n}\r\n{extra}END:VCARD\r\n"
        for n, extra in enumerate(["PHOTO;ENCODING=b:AAAA\r\nGEO:48.1;11.5\r\n", "PHOTO:x\r\n"])
    )
    report = imported(cli, write(tmp_path, "phone.vcf", cards))
    assert report["notices"] == ["not imported (tinycrm has no field for them): GEO (1 card),"
                                 " PHOTO (2 cards)"]  # fmt: skip
    text = cli("contacts", "import", str(write(tmp_path, "again.vcf", cards)), "--dry-run")
    assert "PHOTO (2 cards)" in text.stderr + text.stdout


def test_a_vdir_edit_of_labels_and_links_comes_back(
    cli: Invoke, book: None, tmp_path: Path
) -> None:
    vdir = tmp_path / "book"
    assert cli("contacts", "sync", str(vdir)).exit_code == 0
    card = next(p for p in vdir.glob("*.vcf") if "FN:Heiko Mustermann" in p.read_text())
    text = card.read_text().replace("TEL;TYPE=cell;", "TEL;TYPE=work,cell;")
    card.write_text(text.replace("END:VCARD", "URL;TYPE=home:https://heiko.example\r\nEND:VCARD"))
    result = cli("contacts", "sync", str(vdir), "--json")
    assert json.loads(result.stdout)["updated"] == ["Heiko Mustermann"]
    heiko = shown(cli, "Heiko Mustermann")
    assert heiko["phone_labels"]["+49 170 1111111"] == "work,cell"
    assert {"url": "https://heiko.example", "label": "home"} in heiko["urls"]
    again = json.loads(cli("contacts", "sync", str(vdir), "--json").stdout)
    assert again["updated"] == [] and again["conflicts"] == []


def test_org_role_and_title_are_three_things(cli: Invoke, tmp_path: Path) -> None:
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Buyer\r\nORG:Acme GmbH;Purchasing\r\n"
            "ROLE:decision maker\r\nTITLE:Head of Purchasing\r\nEND:VCARD\r\n")  # fmt: skip
    imported(cli, write(tmp_path, "ann.vcf", card))
    ann = shown(cli, "Ann Buyer")
    assert (ann["company"], ann["role"], ann["job_title"]) == (
        "Acme GmbH", "decision maker", "Head of Purchasing"
    )  # fmt: skip
    text = exported(cli)
    assert "ORG:Acme GmbH\nROLE:decision maker\nTITLE:Head of Purchasing\n" in text
    out = tmp_path / "all.csv"
    assert cli("contacts", "export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("name,company,role,")
    second = ("--db", str(tmp_path / "second.db"))
    assert cli(*second, "contacts", "import", str(out)).exit_code == 0
    again = shown(cli, "Ann Buyer", *second)
    assert (again["company"], again["role"], again["job_title"]) == (
        "Acme GmbH", "decision maker", "Head of Purchasing"
    )  # fmt: skip
