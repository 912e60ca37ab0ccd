"""Import behaviour (duplicates, dry run, atomicity, hostile files), export, merge and forget."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import Invoke, in_a_terminal
from pgcluster import Cluster
from tinycrm.errors import StorageError
from tinycrm.models.followups import FollowUp
from tinycrm.store import Store
from tinycrm.vocabulary import FollowUpKind


def add(cli: Invoke, *args: str) -> dict[str, Any]:
    result = cli("contacts", "add", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def contacts(cli: Invoke) -> list[dict[str, Any]]:
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    archived = json.loads(cli("contacts", "list", "--archived", "--json").stdout)
    by_id = {c["id"]: c for c in [*listed, *archived]}
    return sorted(by_id.values(), key=lambda c: c["name"])


def vcf(tmp_path: Path, *cards: str, name: str = "in.vcf") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\n{card}\r\nEND:VCARD\r\n" for card in cards)
    )
    return path


def import_json(cli: Invoke, path: Path, *options: str) -> dict[str, Any]:
    result = cli("contacts", "import", str(path), "--json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --- round trip ---------------------------------------------------------------------------


def full_export(cli: Invoke) -> list[dict[str, Any]]:
    """Every contact with its notes, without ids and timestamps (which a new database changes)."""
    data = json.loads(cli("contacts", "export", "--format", "json").stdout)
    people = []
    for person in data["contacts"]:
        # A new database gives new ids, UIDs and timestamps (the raw `record` and the rows
        # with ids); a vCard or CSV address becomes an address row.
        ignored = ("id", "stage_history", "uid", "record", "anniversaries_detail",
                   "addresses_detail")  # fmt: skip
        person = {k: v for k, v in person.items() if k not in ignored}
        person["notes"] = [(n["body"], n["channel"], n["noted_on"]) for n in person["notes"]]
        for key in ("emails_detail", "phones_detail"):
            for row in person[key]:
                row.pop("label", None)
        people.append(person)
    return sorted(people, key=lambda p: p["name"])


def test_vcard_export_reimports_losslessly(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("users", "add", "Sam Ødegaard", "--email", "sam@example.com").exit_code == 0
    ann = add(
        cli, "Ann; O'Neil, Jr.", "--email", "ann@example.com", "--email", "a.oneil@work.example",
        "--phone", "+44 20 7946 0001", "--company", "Lee, Sons & Co; Ltd", "--address",
        "1 Long Road, Flat 2\\B, Leeds", "--birthday", "--02-29", "--anniversary",
        "customer since, first=2019-05-01", "--anniversary", "wedding=21 jun", "--tag", "vip, gold",
        "--tag", "région", "--type", "dedicated", "--stage", "commitment", "--cadence", "45",
        "--owner", "Sam Ødegaard",
    )  # fmt: skip
    add(cli, "Bo", "--birthday", "1980-03-14", "--cadence", "none")
    add(cli, "Ça Va Ltd", "--email", "hello@cava.example")
    assert cli("contacts", "archive", "Ça Va Ltd").exit_code == 0
    note = 'Called about the order.\nSaid: "yes; maybe, later" \\ ok ☕ ' + "long " * 40
    assert cli("notes", "add", str(ann["id"]), note, "--channel", "call").exit_code == 0
    assert cli("notes", "add", "Bo", "plain note").exit_code == 0
    before = full_export(cli)

    out = tmp_path / "all.vcf"
    result = cli("contacts", "export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_bytes().decode()
    assert text.count("VERSION:4.0") == 3 and "X-TINYCRM-TYPE:dedicated" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    monkeypatch.setenv("CRM_DB", str(tmp_path / "second.db"))
    report = import_json(cli, out)
    assert len(report["created"]) == 3 and not report["rejected"]
    assert full_export(cli) == before


# --- duplicates ---------------------------------------------------------------------------


def test_duplicate_skip_matches_email_case_insensitively(cli: Invoke, tmp_path: Path) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com")
    path = vcf(tmp_path, "FN:Annie Lee\r\nEMAIL:ANN@Example.com", "FN:Bob\r\nEMAIL:bob@x.example")
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["Bob"]
    assert report["skipped"][0]["name"] == "Annie Lee"
    assert "Ann Lee" in report["skipped"][0]["reason"]
    assert [c["name"] for c in contacts(cli)] == ["Ann Lee", "Bob"]


def test_duplicate_update_matches_normalised_phone(cli: Invoke, tmp_path: Path) -> None:
    add(cli, "Ann Lee", "--phone", "+44 20 7946 0001", "--tag", "vip")
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nTEL:+44 (20) 7946-0001\r\nEMAIL:ann@new.example\r\nORG:Lee Ltd\r\n"
        "CATEGORIES:road\r\nNOTE:from the phone",
    )
    report = import_json(cli, path, "--on-duplicate", "update")
    assert len(report["updated"]) == 1 and not report["created"]
    (ann,) = contacts(cli)
    assert ann["company"] == "Lee Ltd"
    assert ann["emails"] == ["ann@new.example"]
    assert ann["phones"] == ["+44 20 7946 0001"]
    assert ann["tags"] == ["road", "vip"]
    # Importing the same file again adds nothing twice.
    import_json(cli, path, "--on-duplicate", "update")
    notes = json.loads(cli("notes", "list", "--json").stdout)
    assert [n["text"] for n in notes] == ["from the phone"]


def test_duplicate_create_adds_a_second_contact(cli: Invoke, tmp_path: Path) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com")
    path = vcf(tmp_path, "FN:Ann Lee\r\nEMAIL:ann@example.com")
    report = import_json(cli, path, "--on-duplicate", "create")
    assert len(report["created"]) == 1
    assert [c["name"] for c in contacts(cli)] == ["Ann Lee", "Ann Lee"]


def test_duplicates_within_one_file_are_merged_in_update_mode(cli: Invoke, tmp_path: Path) -> None:
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nEMAIL:ann@example.com",
        "FN:Ann Lee\r\nEMAIL:ann@example.com\r\nTEL:+1 555 0100 200",
    )
    report = import_json(cli, path, "--on-duplicate", "update")
    assert len(report["created"]) == 1
    (ann,) = contacts(cli)
    assert ann["phones"] == ["+1 555 0100 200"]


@pytest.mark.parametrize("mode", ["update", "skip"])
def test_duplicates_far_apart_in_a_large_file_are_still_found(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "FLUSH_EVERY", 2)  # as if the file were thousands long
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nEMAIL:ann@example.com",
        "FN:Bob",
        "FN:Cy",
        "FN:Dee",
        "FN:Ann Lee\r\nEMAIL:ANN@example.com\r\nTEL:+1 555 0100 200",
    )
    report = import_json(cli, path, "--on-duplicate", mode)
    assert [r["name"] for r in report["created"]] == ["Ann Lee", "Bob", "Cy", "Dee"]
    (ann,) = [c for c in contacts(cli) if c["name"] == "Ann Lee"]
    if mode == "update":
        assert ann["phones"] == ["+1 555 0100 200"]
    else:
        (skipped,) = report["skipped"]
        assert "same email ANN@example.com as Ann Lee" in skipped["reason"]
        assert ann["phones"] == []


def test_an_email_merged_into_a_new_contact_is_found_rows_later(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row that adds an e-mail to a contact this file created and wrote already: a row many
    rows further down with only that e-mail is the same person, whichever batch it falls in."""
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "FLUSH_EVERY", 2)  # as if the file were thousands long
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nEMAIL:ann@example.com",
        "FN:Ann Lee\r\nEMAIL:ann@example.com",
        "FN:Bob",
        "FN:Ann Lee\r\nEMAIL:ann@example.com\r\nEMAIL:lee@example.com",
        "FN:Cy",
        "FN:Ann Lee\r\nEMAIL:lee@example.com\r\nTEL:+1 555 0100 200",
    )
    report = import_json(cli, path, "--on-duplicate", "update")
    assert [r["name"] for r in report["created"]] == ["Ann Lee", "Bob", "Cy"]
    (ann,) = [c for c in contacts(cli) if c["name"] == "Ann Lee"]
    assert ann["emails"] == ["ann@example.com", "lee@example.com"]
    assert ann["phones"] == ["+1 555 0100 200"]


def test_a_phone_far_apart_in_a_large_file_is_found_with_the_same_name(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "FLUSH_EVERY", 2)  # the first card is written, then read back
    add(cli, "Cy Old", "--phone", "+1 555 0100 300")
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nTEL:+1 555 0100 200",
        "FN:Bob",
        "FN:Dee",
        "FN:Lee Ann\r\nTEL:+1 555 0100 200\r\nTEL:+1 555 0100 300",
        "FN:Eve\r\nTEL:+1 555 0100 300",
    )
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["Ann Lee", "Bob", "Dee", "Eve"]
    (skipped,) = report["skipped"]
    assert "same phone +1 555 0100 200 and the same name as Ann Lee" in skipped["reason"]


def test_a_first_import_keeps_every_index_and_still_finds_duplicates(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file larger than the CRM has the contacts' indexes made after its rows; the e-mail and
    phone look-ups across batches work as before, and the database ends with every index."""
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "FLUSH_EVERY", 2)  # earlier batches are read back
    path = vcf(
        tmp_path,
        "FN:Ann Lee\r\nEMAIL:ann@example.com\r\nBDAY:1980-03-04",
        "FN:Bob Stone\r\nTEL:+1 555 0100 200",
        "FN:Cy\r\nORG:Cy Ltd",
        "FN:Dee",
        "FN:Annie Lee\r\nEMAIL:ANN@Example.com",
        "FN:Stone Bob\r\nTEL:+1 (555) 0100-200",
    )
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["Ann Lee", "Bob Stone", "Cy", "Dee"]
    assert [r["reason"] for r in report["skipped"]] == [
        "same email ANN@Example.com as Ann Lee (id 1)",
        "same phone +1 (555) 0100-200 and the same name as Bob Stone (id 2)",
    ]
    # A dry run of a larger file puts back what it dropped.
    more = vcf(tmp_path, *(f"FN:New {n}" for n in range(6)), name="more.vcf")
    assert import_json(cli, more, "--dry-run")["created_count"] == 6
    check = cli("db", "check", "--json")
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["problems"] == []
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Ann Lee", "Bob Stone", "Cy", "Dee"]
    # A smaller file into the CRM (indexes kept as they are) finds the same duplicates.
    again = import_json(cli, vcf(tmp_path, "FN:A. Lee\r\nEMAIL:ann@EXAMPLE.com", name="2.vcf"))
    assert again["created_count"] == 0 and len(again["skipped"]) == 1


@pytest.mark.postgresql_only
def test_a_role_that_does_not_own_the_tables_imports_with_the_indexes_as_they_are(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_cluster: Cluster
) -> None:
    """Only the table's owner may drop its indexes: a role with write rights only imports a
    file larger than the CRM with them in place."""
    name = urlsplit(os.environ["CRM_DB"]).path.lstrip("/")
    owner = os.environ["CRM_DB"]
    monkeypatch.setenv("CRM_DB", pg_cluster.writer(name, "crm_importer"))
    path = vcf(tmp_path, "FN:Ann Lee\r\nEMAIL:ann@example.com", "FN:Annie\r\nEMAIL:ANN@example.com")
    report = import_json(cli, path)
    assert report["created_count"] == 1 and len(report["skipped"]) == 1
    monkeypatch.setenv("CRM_DB", owner)
    assert json.loads(cli("db", "check", "--json").stdout)["problems"] == []


def test_a_failure_after_a_written_batch_still_changes_nothing(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "FLUSH_EVERY", 2)
    add(cli, "Ann Lee", "--email", "ann@example.com")
    before = full_export(cli)
    path = vcf(tmp_path, "FN:One", "FN:Two", "FN:Three", "FN:Ann\r\nEMAIL:ann@example.com")

    def broken(*args: object) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(importing, "_update", broken)
    result = cli("contacts", "import", str(path), "--on-duplicate", "update")
    assert result.exit_code == 1 and "disk full" in result.stderr
    assert full_export(cli) == before


def test_the_report_names_the_first_created_and_counts_them_all(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm.services import importing

    monkeypatch.setattr(importing, "CREATED_LINES", 2)
    path = vcf(tmp_path, "FN:One", "FN:Two", "FN:Three", "N:;;;;")
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["One", "Two"]
    assert report["created_count"] == 3 and len(report["rejected"]) == 1
    assert len(contacts(cli)) == 3
    assert "3 would be created" in cli("contacts", "import", str(path), "--dry-run").stdout


# --- dry run and atomicity ----------------------------------------------------------------


def test_dry_run_reports_and_changes_nothing(cli: Invoke, tmp_path: Path) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com")
    path = vcf(tmp_path, "FN:Ann\r\nEMAIL:ann@example.com\r\nORG:X", "FN:Bob\r\nNOTE:hi")
    before = full_export(cli)
    result = cli("contacts", "import", str(path), "--dry-run", "--on-duplicate", "update")
    assert result.exit_code == 0
    assert "dry run" in result.stdout and "1 would be created, 1 would be updated" in result.stdout
    assert full_export(cli) == before


def test_failure_mid_import_leaves_database_unchanged(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm.services import importing

    add(cli, "Ann Lee", "--email", "ann@example.com")
    before = full_export(cli)
    path = vcf(tmp_path, "FN:New One", "FN:New Two", "FN:Ann\r\nEMAIL:ann@example.com\r\nORG:X")

    def broken(*args: object) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(importing, "_update", broken)
    result = cli("contacts", "import", str(path), "--on-duplicate", "update")
    assert result.exit_code == 1 and "disk full" in result.stderr
    assert full_export(cli) == before


# --- hostile files ------------------------------------------------------------------------


def test_many_parameter_line_is_left_out_of_its_card_and_reported(
    cli: Invoke, tmp_path: Path
) -> None:
    hostile = "NOTE" + ";TYPE=WORK,HOME" * 14 + '"'
    path = vcf(tmp_path, "FN:Before", f"FN:Evil\r\n{hostile}", "FN:After")
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["Before", "Evil", "After"]
    (adjusted,) = report["adjusted"]
    assert adjusted["where"].startswith("card 2") and "line 8 left out" in adjusted["reason"]
    assert [c["name"] for c in contacts(cli)] == ["After", "Before", "Evil"]


def test_slow_card_is_cut_off_by_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinycrm.io import vcard
    from tinycrm.io.records import ContactRecord, Rejection

    monkeypatch.setattr(vcard, "MAX_PARAMS", 100)  # get past the screen to vobject
    slow = "NOTE" + ";TYPE=WORK,HOME" * 16 + ";A/B=1:x"
    text = f"BEGIN:VCARD\nVERSION:3.0\nFN:Evil\n{slow}\nEND:VCARD\n"
    text += "BEGIN:VCARD\nVERSION:3.0\nFN:Fine\nEND:VCARD\n"
    first, second = vcard.read_vcards(text.encode(), time_limit=0.2)
    assert isinstance(first, Rejection) and "longer than" in first.reason
    assert isinstance(second, ContactRecord) and second.name == "Fine"


def test_oversize_file_is_refused_before_reading(cli: Invoke, tmp_path: Path) -> None:
    path = vcf(tmp_path, *[f"FN:Person {i}\r\nNOTE:{'x' * 100}" for i in range(20)])
    result = cli("contacts", "import", str(path), "--max-size", "0.001")
    assert result.exit_code == 2 and "over the import limit" in result.stderr
    assert contacts(cli) == []


def test_broken_cards_are_rejected_with_their_number(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "broken.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:One\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Three\nthis is not a property\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Four\n"
    )
    report = import_json(cli, path)
    assert [r["name"] for r in report["created"]] == ["One", "Three"]
    assert [r["where"].split(" (")[0] for r in report["rejected"]] == ["card 2", "card 4"]
    assert "no name" in report["rejected"][0]["reason"]
    assert [(r["name"], r["reason"]) for r in report["adjusted"]] == [
        ("Three", "line 12 left out: a line without ':' (not a vCard property): this is not a"
                  " property")
    ]  # fmt: skip


# --- CSV ----------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas_and_reimport_restores_them(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(cli, '=HYPERLINK("http://evil.example","click")', "--company", "@SUM(A1)",
        "--phone", "+1 555 0100", "--tag", "-minus", "--birthday", "--12-24")  # fmt: skip
    out = tmp_path / "out.csv"
    assert cli("contacts", "export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["company"] == "'@SUM(A1)"
    assert rows[0]["phones"] == "+1 555 0100"  # a plain number: nothing a formula could do
    assert rows[0]["birthday"] == "--12-24"
    assert rows[0]["tags"] == "'-minus"
    before = full_export(cli)
    monkeypatch.setenv("CRM_DB", str(tmp_path / "second.db"))
    import_json(cli, out)
    assert full_export(cli) == before


# --- JSON, privacy, calendar --------------------------------------------------------------


def seed_records(store: Store, contact_id: int, word: str) -> None:
    """Rows in the tables other features fill, written straight to the schema."""
    conn = store.db.conn
    with store.write():
        store.follow_ups.insert(
            FollowUp(contact_id, f"{word} follow-up", FollowUpKind.CUSTOM, date(2026, 12, 1))
        )
        sale = conn.execute(
            "INSERT INTO sales (contact_id, sold_on, amount_minor, currency, created_at)"
            " VALUES (?, '2026-01-02', 12345, 'EUR', 'now') RETURNING id",
            (contact_id,),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO sale_items (sale_id, position, product) VALUES (?, 0, ?)",
            (sale, f"{word} product"),
        )
        conn.execute(
            "INSERT INTO satisfaction (contact_id, scored_on, scale, score, comment, created_at)"
            " VALUES (?, '2026-01-03', 'csat', 4, ?, 'now')",
            (contact_id, f"{word} comment"),
        )
        conn.execute(
            "INSERT INTO cases (contact_id, title, severity, opened_on, target_on, created_at)"
            " VALUES (?, ?, 'high', '2026-01-04', '2026-01-05', 'now')",
            (contact_id, f"{word} case"),
        )
        conn.execute(
            "INSERT INTO costs (contact_id, spent_on, kind, amount_minor, currency, note,"
            " created_at) VALUES (?, '2026-01-06', 'gift', 500, 'EUR', ?, 'now')",
            (contact_id, f"{word} cost"),
        )
        conn.execute(
            "INSERT INTO occurrence_marks (contact_id, kind, occurrence_on, status, marked_on)"
            " VALUES (?, 'birthday', '2026-03-14', 'done', '2026-03-14')",
            (contact_id,),
        )


def test_person_json_has_everything_about_them_and_nothing_else(cli: Invoke, store: Store) -> None:
    ann = add(cli, "Ann Lee", "--email", "ann@example.com", "--stage", "awareness")
    bob = add(cli, "Bob Stone", "--email", "bob@example.com")
    cli("notes", "add", "Ann", "ann note walnut")
    cli("notes", "add", "Bob", "bob note hazelnut")
    seed_records(store, ann["id"], "annword")
    seed_records(store, bob["id"], "bobword")
    result = cli("contacts", "export", "Ann", "--format", "json")
    person = json.loads(result.stdout)["contact"]
    assert person["name"] == "Ann Lee"
    assert [n["body"] for n in person["notes"]] == ["ann note walnut"]
    assert person["follow_ups"][0]["title"] == "annword follow-up"
    assert person["sales"][0]["amount_minor"] == 12345
    assert person["sales"][0]["items"][0]["product"] == "annword product"
    assert person["satisfaction"][0]["comment"] == "annword comment"
    assert person["cases"][0]["title"] == "annword case"
    assert person["occurrence_marks"][0]["occurrence_on"] == "2026-03-14"
    assert person["stage_history"][0]["stage"] == "awareness"
    assert person["costs"][0]["note"] == "annword cost"
    assert person["sale_stats"][0]["purchases"] == 1
    for other in ("Bob", "bob@", "hazelnut", "bobword"):
        assert other not in result.stdout


@pytest.mark.sqlite_only(
    reason="the bytes of the SQLite file and WAL; PostgreSQL: test_postgres.py"
)
def test_forget_leaves_no_trace_in_the_database_files(
    cli: Invoke, store: Store, isolated_env: Path
) -> None:
    zeb = add(
        cli, "Zebediah Quackenbush", "--email", "zeb@quackenbush.example",
        "--phone", "+1 555 0199 876", "--company", "Quackworks", "--tag", "quacktag",
    )  # fmt: skip
    add(cli, "Keep Me", "--email", "keep@example.com")
    cli("notes", "add", "Zebediah", "walrusplan confidential")
    cli("notes", "add", "Keep Me", "kept note otterfact")
    seed_records(store, zeb["id"], "quackword")
    store.close()
    db = isolated_env / "crm.db"
    secrets = [b"Quackenbush", b"quackenbush", b"walrusplan", b"Quackworks", b"quacktag",
               b"quackword", b"0199876"]  # fmt: skip

    def raw() -> bytes:
        wal = db.with_name(db.name + "-wal")
        return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert any(s in raw() for s in secrets)
    result = cli("contacts", "forget", "Zebediah", "--yes")
    assert result.exit_code == 0, result.stderr
    data = raw()
    assert [s for s in secrets if s in data] == []
    assert [c["name"] for c in contacts(cli)] == ["Keep Me"]
    found = json.loads(cli("contacts", "search", "otterfact", "--json").stdout)
    assert [c["name"] for c in found] == ["Keep Me"]
    assert json.loads(cli("contacts", "search", "walrusplan", "--json").stdout) == []


def test_forget_without_yes_refuses_in_a_script(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    result = cli("contacts", "forget", "Ann")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert len(contacts(cli)) == 1


def mentioning_notes(cli: Invoke) -> None:
    add(cli, "Zeb Quack", "--email", "zeb@quack.example")
    add(cli, "Keep Me")
    add(cli, "Also Kept")
    cli("notes", "add", "Keep Me", "met zeb quack at the fair; ZEB@QUACK.EXAMPLE")
    cli("notes", "add", "Also Kept", "Zeb Quack recommended them")
    cli("notes", "add", "Also Kept", "Zeb Quackenbush is someone else")


def notes_text(cli: Invoke) -> list[str]:
    return sorted(n["text"] for n in json.loads(cli("notes", "list", "--json").stdout))


def test_forget_says_how_many_other_notes_mention_the_person(cli: Invoke) -> None:
    mentioning_notes(cli)
    result = cli("contacts", "forget", "Zeb Quack", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "2 notes of other contacts still mention Zeb Quack (kept as written; --redact-mentions"
        " replaces the name when forgetting)"
    )
    assert "met zeb quack at the fair; ZEB@QUACK.EXAMPLE" in notes_text(cli)


def test_forget_redacts_the_mentions_in_one_go(
    cli: Invoke, isolated_env: Path, backend: str
) -> None:
    mentioning_notes(cli)
    result = cli("contacts", "forget", "Zeb Quack", "--yes", "--redact-mentions")
    assert result.exit_code == 0, result.stderr
    assert "replaced the name with [forgotten] in 2 notes of other contacts" in result.stdout
    assert notes_text(cli) == [
        "Zeb Quackenbush is someone else",
        "[forgotten] recommended them",
        "met [forgotten] at the fair; [forgotten]",
    ]
    assert json.loads(cli("contacts", "search", "recommended", "--json").stdout)
    assert json.loads(cli("contacts", "search", "fair zeb", "--json").stdout) == []
    if backend == "sqlite":
        assert b"zeb@quack" not in (isolated_env / "crm.db").read_bytes().lower()


def test_forget_asks_and_declining_says_nothing_was_forgotten(cli: Invoke) -> None:
    mentioning_notes(cli)
    code, shown = in_a_terminal(["contacts", "forget", "Zeb Quack"], ["n"])
    assert code == 1
    assert shown.strip().endswith("Nothing forgotten.")
    assert [c["name"] for c in contacts(cli)] == ["Also Kept", "Keep Me", "Zeb Quack"]


def test_forget_in_a_terminal_offers_to_redact_the_mentions(cli: Invoke) -> None:
    mentioning_notes(cli)
    code, shown = in_a_terminal(["contacts", "forget", "Zeb Quack"], ["y", "y"])
    assert code == 0, shown
    assert "2 notes of other contacts mention Zeb Quack: replace the name there with" in shown
    assert [c["name"] for c in contacts(cli)] == ["Also Kept", "Keep Me"]
    assert "[forgotten] recommended them" in notes_text(cli)


def test_merge_unites_everything_and_asks_for_conflicts(cli: Invoke, store: Store) -> None:
    ann = add(
        cli, "Ann Lee", "--email", "ann@example.com", "--phone", "+44 20 7946 0001",
        "--tag", "vip", "--company", "Lee Ltd", "--anniversary", "wedding=2015-06-21",
    )  # fmt: skip
    dup = add(cli, "Ann Lee", "--email", "ann@work.example", "--phone", "+44 (20) 7946-0001",
              "--tag", "road", "--company", "Lee & Co", "--birthday", "1980-03-14",
              "--anniversary", "customer since=2019-05-01")  # fmt: skip
    cli("notes", "add", str(ann["id"]), "first note")
    cli("notes", "add", str(dup["id"]), "second note")
    seed_records(store, dup["id"], "dupword")
    refused = cli("contacts", "merge", str(ann["id"]), str(dup["id"]))
    assert refused.exit_code == 2 and "company" in refused.stderr and "Lee & Co" in refused.stderr
    result = cli("contacts", "merge", str(ann["id"]), str(dup["id"]), "--use", "company=second",
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    merged = json.loads(result.stdout)
    assert merged["id"] == ann["id"]
    assert merged["company"] == "Lee & Co"
    assert merged["birthday"] == "1980-03-14"
    assert merged["emails"] == ["ann@example.com", "ann@work.example"]
    assert merged["phones"] == ["+44 20 7946 0001"]
    assert merged["tags"] == ["road", "vip"]
    assert {a["label"] for a in merged["anniversaries"]} == {"wedding", "customer since"}
    assert [c["id"] for c in contacts(cli)] == [ann["id"]]
    person = json.loads(cli("contacts", "export", str(ann["id"]), "-f", "json").stdout)["contact"]
    assert sorted(n["body"] for n in person["notes"]) == ["first note", "second note"]
    assert person["follow_ups"][0]["title"] == "dupword follow-up"
    assert person["sales"][0]["items"][0]["product"] == "dupword product"
    assert person["cases"] and person["satisfaction"] and person["occurrence_marks"]
    assert person["costs"] and person["sale_stats"][0]["purchases"] == 1


def test_merge_keep_first_for_every_conflict(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--company", "A")
    cli("users", "add", "Sam", "--email", "sam@example.com")
    add(cli, "Annie Lee", "--company", "B", "--owner", "Sam")
    result = cli("contacts", "merge", "Ann Lee", "Annie Lee", "--keep", "first", "--json")
    merged = json.loads(result.stdout)
    assert (merged["name"], merged["company"], merged["owner"]) == ("Ann Lee", "A", "Sam")


def test_ics_has_follow_ups_birthdays_and_anniversaries(
    cli: Invoke, store: Store, tmp_path: Path
) -> None:
    from icalendar import Calendar, vRecur

    ann = add(cli, "Ann Lee", "--birthday", "--02-29", "--anniversary", "wedding=2015-06-21")
    add(cli, "Bo", "--birthday", "1980-03-14")
    store.follow_ups.insert(
        FollowUp(ann["id"], "Send catalogue", FollowUpKind.CUSTOM, date(2026, 12, 1))
    )
    out = tmp_path / "crm.ics"
    assert cli("export", "ics", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    events = {str(e["summary"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert set(events) == {
        "Send catalogue — Ann Lee", "Birthday: Ann Lee", "Wedding: Ann Lee", "Birthday: Bo",
    }  # fmt: skip
    assert events["Send catalogue — Ann Lee"].decoded("dtstart") == date(2026, 12, 1)
    leap, wedding = events["Birthday: Ann Lee"]["rrule"], events["Wedding: Ann Lee"]["rrule"]
    assert isinstance(leap, vRecur) and isinstance(wedding, vRecur)
    assert leap["FREQ"] == ["YEARLY"] and leap["BYMONTHDAY"] == [-1]
    assert events["Birthday: Bo"].decoded("dtstart") == date(1980, 3, 14)
    assert wedding["FREQ"] == ["YEARLY"]


def test_import_spreads_check_in_clocks_over_the_cadence(
    cli: Invoke, tmp_path: Path, store: Store
) -> None:
    cards = [f"FN:P{i}\r\nX-TINYCRM-TYPE:dedicated" for i in range(30)]
    import_json(cli, vcf(tmp_path, *cards))
    anchors = {r[0] for r in store.db.conn.execute("SELECT touch_anchor_on FROM contacts")}
    assert len(anchors) == 30  # one per day of the 30-day cadence, not all on one day
