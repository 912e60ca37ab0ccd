"""Contacts that survive the trip (issue 18): encodings per card, UTF-16, lines that are not
properties, and nothing changed or left out without a word in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.store import Store


def card(*lines: bytes) -> bytes:
    body = b"".join(line + b"\r\n" for line in lines)
    return b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + body + b"END:VCARD\r\n"


def run_import(cli: Invoke, path: Path, *options: str) -> dict[str, Any]:
    result = cli("contacts", "import", str(path), "--json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def names(cli: Invoke) -> list[str]:
    return sorted(c["name"] for c in json.loads(cli("contacts", "list", "--json").stdout))


def test_each_card_is_decoded_by_itself(cli: Invoke, tmp_path: Path) -> None:
    folded = "FN:Zoë Müller-Lüdenscheidt Ærøskøbing".encode()
    split_at = folded.index("Æ".encode()) + 1  # inside the two bytes of Æ
    path = tmp_path / "mixed.vcf"
    path.write_bytes(
        card("FN:Zoë Müller".encode())
        + card("FN;CHARSET=windows-1252:José Ñúñez".encode("cp1252"))
        + card(folded[:split_at] + b"\r\n " + folded[split_at:])
        + card("FN:Renée Stray".encode("cp1252"))
    )
    report = run_import(cli, path)
    assert names(cli) == [
        "José Ñúñez",
        "Renée Stray",
        "Zoë Müller",
        "Zoë Müller-Lüdenscheidt Ærøskøbing",
    ]
    (guess,) = report["adjusted"]
    assert guess["where"].startswith("card 4") and guess["name"] == "Renée Stray"
    assert "Windows-1252" in guess["reason"] and "--encoding" in guess["reason"]


def test_shift_jis_cards_declared_and_by_encoding(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "android-jp.vcf"
    quoted = "".join(f"={b:02X}" for b in "佐藤花子".encode("shift_jis")).encode()
    path.write_bytes(
        card("FN;CHARSET=SHIFT_JIS:山田ソ太郎".encode("shift_jis"))  # ソ ends in byte 0x5C
        + card(b"FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:" + quoted)
    )
    report = run_import(cli, path)
    assert report["adjusted"] == []
    assert names(cli) == sorted(["山田ソ太郎", "佐藤花子"])
    undeclared = tmp_path / "undeclared.vcf"
    undeclared.write_bytes(card("FN:鈴木一郎".encode("shift_jis")))
    guessed = run_import(cli, undeclared, "--dry-run")
    assert "--encoding" in guessed["adjusted"][0]["reason"]
    run_import(cli, undeclared, "--encoding", "shift_jis")
    assert "鈴木一郎" in names(cli)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_with_or_without_bom(cli: Invoke, tmp_path: Path, codec: str) -> None:
    vcf = tmp_path / "contacts.vcf"
    vcf.write_bytes(card("FN:Zoë Müller".encode()).decode().encode(codec))
    report = run_import(cli, vcf)
    assert report["created_count"] == 1 and "UTF-16" in report["kind"]
    csv = tmp_path / "contacts.csv"
    csv.write_bytes("name,email\r\nJürgen Groß,j@example.com\r\n".encode(codec))
    assert run_import(cli, csv)["created_count"] == 1
    assert names(cli) == ["Jürgen Groß", "Zoë Müller"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.vcf", b"FN:No card here\r\n"), ("header.csv", b"name,email\r\n")],
)
def test_nothing_recognised_is_an_error(
    cli: Invoke, store: Store, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("contacts", "import", str(path))
    assert result.exit_code != 0
    assert "nothing imported" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_bad_line_is_left_out_and_the_card_kept(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lines.vcf"
    path.write_bytes(
        card(
            b"# exported by a phone",
            b"FN:Ann Comment",
            b"X-messaging/twitter-All:@ann",
            b"NOTE;ENCODING=8BIT:first line\\",
            b"second line",
            b"EMAIL:ann@example.com",
        )
    )
    report = run_import(cli, path)
    assert names(cli) == ["Ann Comment"]
    reasons = [r["reason"] for r in report["adjusted"]]
    assert reasons[0].startswith("line 3 left out: a comment")
    assert reasons[1].startswith("line 5 left out: a property with a bad name")
    assert len(reasons) == 2
    notes = json.loads(cli("notes", "list", "Ann", "--json").stdout)
    assert [n["text"] for n in notes] == ["first line\nsecond line"]
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert shown["emails"] == ["ann@example.com"]


def test_the_report_lists_adjustments_on_screen(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "lines.vcf"
    path.write_bytes(card(b"FN:Ann", b"# a comment"))
    result = cli("contacts", "import", str(path))
    assert result.exit_code == 0
    assert "1 changes noted" in result.stdout
    assert "adjusted" in result.stdout and "a comment" in result.stdout


def test_phones_as_written_tel_uris_vanity_and_pauses(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "phones.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Phil Phones\r\n"
        b"TEL;VALUE=uri;PREF=1;TYPE=work:tel:+1-418-656-9254;ext=102\r\n"
        b"TEL;TYPE=fax:+1-800-MYFAX\r\n"
        b"TEL;TYPE=cell:+49 30 1234,,5678;9\r\n"
        b"TEL;TYPE=pager:555 0199w12#\r\n"
        b"TEL:call me\r\nEND:VCARD\r\n"
    )
    report = run_import(cli, path)
    shown = json.loads(cli("contacts", "show", "Phil", "--json").stdout)
    assert shown["phones"] == [
        "+1-418-656-9254 ext. 102",
        "+1-800-MYFAX",
        "+49 30 1234,,5678;9",
        "555 0199w12#",
    ]
    assert [r["reason"] for r in report["adjusted"]] == [
        "phone 'call me' is not a phone number: left out"
    ]


def test_thunderbird_and_outlook_columns(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "thunderbird.csv"
    path.write_text(
        "First Name,Last Name,Display Name,Primary Email,Secondary Email,Work Phone,"
        "Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home City,"
        "Home ZipCode,Home Country,Birth Year,Birth Month,Birth Day\r\n"
        "Tom,Bird,Tom Bird,tom@example.org,t.bird@example.net,+1 555 0101,+1 555 0102,"
        "+1 555 0103,+1 555 0104,+1 555 0105,1 Nest Rd,Mozilla,94043,USA,,7,14,extra\r\n"
    )
    report = run_import(cli, path)
    assert [r["reason"] for r in report["adjusted"]] == ["1 cells past the last column left out"]
    assert report["ignored_columns"] == []
    tom = json.loads(cli("contacts", "show", "Tom Bird", "--json").stdout)
    assert tom["emails"] == ["tom@example.org", "t.bird@example.net"]
    assert tom["phones"] == [f"+1 555 010{i}" for i in range(1, 6)]
    assert tom["address"] == "1 Nest Rd, Mozilla, 94043, USA"
    assert tom["birthday"] == "--07-14"
    outlook = tmp_path / "outlook.csv"
    outlook.write_text(
        "First Name,Last Name,E-mail Address,Business Phone,Business Phone 2,Home Phone 2,"
        "Business Fax,Pager\r\nOlga,Look,olga@example.com,111 111,222 222,333 333,444 444,"
        "555 555\r\n"
    )
    run_import(cli, outlook)
    olga = json.loads(cli("contacts", "show", "Olga Look", "--json").stdout)
    assert olga["phones"] == ["111 111", "222 222", "333 333", "444 444", "555 555"]


def test_nickname_only_card_and_google_system_label(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "nick.vcf"
    path.write_bytes(card(b"NICKNAME:Smithy", b"CATEGORIES:* My Contacts,friends"))
    run_import(cli, path)
    shown = json.loads(cli("contacts", "show", "Smithy", "--json").stdout)
    assert shown["tags"] == ["friends"]


def test_a_json_file_gets_a_json_message(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "contacts.json"
    path.write_text('[{"name": "Ann", "email": "ann@example.com"}]')
    result = cli("contacts", "import", str(path))
    assert result.exit_code == 2 and "is JSON but not a tinycrm JSON export" in result.stderr


def test_a_shared_office_phone_is_not_a_duplicate(cli: Invoke, tmp_path: Path) -> None:
    assert cli("contacts", "add", "Heiko Mustermann", "--phone", "+49 30 1234567").exit_code == 0
    path = tmp_path / "office.vcf"
    path.write_bytes(
        card(b"FN:Erika Musterfrau", b"TEL:+49 (30) 123 4567")
        + card(b"FN:Mustermann\\, Heiko", b"TEL:+49 30 1234567", b"ORG:Office")
    )
    report = run_import(cli, path)
    assert [r["name"] for r in report["created"]] == ["Erika Musterfrau"]
    (skipped,) = report["skipped"]
    assert skipped["reason"].startswith("same phone +49 30 1234567 and the same name")
    (remark,) = report["adjusted"]
    assert "another name" in remark["reason"] and remark["name"] == "Erika Musterfrau"


def test_day_first_for_outlook_and_a_warning_when_dates_are_ambiguous(
    cli: Invoke, tmp_path: Path
) -> None:
    outlook = tmp_path / "outlook.csv"
    outlook.write_text(
        "First Name,Last Name,E-mail Address,Birthday\r\nOla,Nordmann,ola@example.no,3/4/1984\r\n"
    )
    report = run_import(cli, outlook, "--day-first")
    assert json.loads(cli("contacts", "show", "Ola", "--json").stdout)["birthday"] == "1984-04-03"
    assert any("--month-first" in notice for notice in report["notices"])
    generic = tmp_path / "people.csv"
    generic.write_text("name,birthday\r\nAnn,3/4/1984\r\nBob,25/12/1980\r\n")
    assert run_import(cli, generic)["notices"] == []
    shown = json.loads(cli("contacts", "show", "Bob", "--json").stdout)
    assert shown["birthday"] == "1980-12-25"
    ambiguous = tmp_path / "ambiguous.csv"
    ambiguous.write_text("name,birthday\r\nCy,3/4/1984\r\nDee,5/6/1990\r\n")
    result = cli("contacts", "import", str(ambiguous))
    assert result.exit_code == 0
    assert "all 2 numeric dates could be day-first or month-first" in result.stderr


def test_quoted_printable_without_charset_is_a_reported_guess(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "qp.vcf"
    path.write_bytes(card(b"FN;ENCODING=QUOTED-PRINTABLE:Ren=E9e Dubois"))
    report = run_import(cli, path)
    assert names(cli) == ["Renée Dubois"]
    (remark,) = report["adjusted"]
    assert "quoted-printable FN" in remark["reason"] and "cp1252" in remark["reason"]
