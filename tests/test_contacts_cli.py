"""Contacts through the CLI: add, list, show, edit, archive, search, and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import Invoke
from tinycrm.store import Store


def add(cli: Invoke, *args: str) -> dict[str, object]:
    result = cli("contacts", "add", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_add_and_show_keeps_every_field(cli: Invoke) -> None:
    assert cli("users", "add", "Sam", "--email", "sam@example.com").exit_code == 0
    created = add(
        cli, "Ann Lee", "--email", "ann@example.com", "--email", "ann@work.example",
        "--phone", "+44 20 7946 0001", "--company", "Lee & Co", "--birthday", "1980-03-14",
        "--anniversary", "customer since=2019-05-01", "--tag", "vip", "--tag", "road",
        "--type", "personal", "--stage", "awareness", "--owner", "Sam",
    )  # fmt: skip
    shown = json.loads(cli("contacts", "show", str(created["id"]), "--json").stdout)
    assert shown["emails"] == ["ann@example.com", "ann@work.example"]
    assert shown["phones"] == ["+44 20 7946 0001"]
    assert shown["company"] == "Lee & Co"
    assert shown["birthday"] == "1980-03-14"
    assert shown["anniversaries"] == [{"label": "customer since", "date": "2019-05-01"}]
    assert shown["tags"] == ["road", "vip"]
    assert shown["relationship_type"] == "personal"
    assert shown["cadence_days"] == 60
    assert shown["stage"] == "awareness"
    assert [s["stage"] for s in shown["stage_history"]] == ["awareness"]
    assert shown["owner"] == "Sam"


def test_year_less_birthday_and_cadence_override(cli: Invoke) -> None:
    created = add(cli, "Bo", "--birthday", "--02-29", "--type", "dedicated", "--cadence", "none")
    assert created["birthday"] == "--02-29"
    assert created["cadence_days"] is None


def test_ref_resolves_by_id_name_email_and_unique_part(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com")
    add(cli, "Bob Stone", "--email", "bob@example.com")
    for ref in ("1", "ann lee", "ANN@example.com", "Lee"):
        shown = cli("contacts", "show", ref, "--json")
        assert json.loads(shown.stdout)["name"] == "Ann Lee", ref


def test_ambiguous_ref_lists_candidates_and_changes_nothing(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--email", "ann@a.example")
    add(cli, "Ann Smith", "--email", "ann@b.example")
    result = cli("notes", "add", "Ann", "hello")
    assert result.exit_code == 1
    assert "Ann Lee" in result.stderr and "Ann Smith" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(cli("notes", "list", "--json").stdout) == []


def test_unknown_ref_is_one_line_exit_1(cli: Invoke, store: Store) -> None:
    result = cli("contacts", "show", "nobody")
    assert result.exit_code == 1
    assert result.stderr.strip() == "crm: no contact matches 'nobody'"


def test_bad_values_are_usage_errors_and_store_nothing(cli: Invoke, store: Store) -> None:
    cases = [
        ["--email", "not-an-address"],
        ["--birthday", "1980-02-30"],
        ["--birthday", "yesterday-ish"],
        ["--type", "friendly"],
        ["--stage", "courtship"],
        ["--cadence", "often"],
        ["--anniversary", "2019-01-01"],
    ]
    for extra in cases:
        result = cli("contacts", "add", "Ann", *extra)
        assert result.exit_code == 2, extra
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert extra[1] in result.stderr, (extra, result.stderr)
    assert json.loads(cli("contacts", "list", "--json").stdout) == []


def test_edit_changes_fields_and_records_stage_history(cli: Invoke) -> None:
    add(cli, "Ann", "--stage", "awareness", "--tag", "a", "--tag", "b")
    result = cli(
        "contacts", "edit", "Ann", "--stage", "commitment", "--add-tag", "c",
        "--remove-tag", "a", "--birthday", "", "--json",
    )  # fmt: skip
    edited = json.loads(result.stdout)
    assert edited["tags"] == ["b", "c"]
    assert edited["stage"] == "commitment"
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert [s["stage"] for s in shown["stage_history"]] == ["awareness", "commitment"]


def test_archive_hides_from_list_and_undo_restores(cli: Invoke) -> None:
    add(cli, "Ann")
    add(cli, "Bob")
    assert cli("contacts", "archive", "Ann").exit_code == 0
    names = [c["name"] for c in json.loads(cli("contacts", "list", "--json").stdout)]
    assert names == ["Bob"]
    archived = json.loads(cli("contacts", "list", "--archived", "--json").stdout)
    assert [c["name"] for c in archived] == ["Ann"]
    cli("contacts", "archive", "1", "--undo")
    assert len(json.loads(cli("contacts", "list", "--json").stdout)) == 2


def test_undo_archive_finds_the_archived_contact_by_part_of_the_name(cli: Invoke) -> None:
    add(cli, "Bob Marsh")
    add(cli, "Bobby Tables")
    assert cli("contacts", "archive", "marsh").exit_code == 0
    restored = cli("contacts", "archive", "bob", "--undo")
    assert restored.exit_code == 0, restored.stderr
    assert "restored Bob Marsh" in restored.stdout
    assert len(json.loads(cli("contacts", "list", "--json").stdout)) == 2
    # Archiving still looks among the active contacts only.
    assert cli("contacts", "archive", "bob").exit_code == 1


def test_list_filters(cli: Invoke) -> None:
    add(cli, "Ann", "--tag", "vip", "--company", "Acme", "--type", "dedicated")
    add(cli, "Bob", "--tag", "club", "--stage", "awareness")

    def names(*args: str) -> list[str]:
        return [c["name"] for c in json.loads(cli("contacts", "list", *args, "--json").stdout)]

    assert names("--tag", "VIP") == ["Ann"]
    assert names("--company", "acme") == ["Ann"]
    assert names("--type", "dedicated") == ["Ann"]
    assert names("--stage", "awareness") == ["Bob"]
    assert cli("contacts", "list", "--type", "nope").exit_code == 2


def test_list_is_one_json_document_and_one_table_written_a_contact_at_a_time(
    cli: Invoke,
) -> None:
    """`contacts list` writes each contact as it is read (a million are never all in memory):
    the JSON is still one indented array, and the owner column shows when a listed contact
    has an owner."""
    assert cli("contacts", "add", "Bob Stone", "--tag", "vip").exit_code == 0
    assert cli("users", "add", "Sam", "--email", "sam@example.com").exit_code == 0
    assert cli("contacts", "add", "Ann Lee", "--tag", "vip", "--owner", "Sam").exit_code == 0
    cli("contacts", "edit", "Bob Stone", "--email", "bob@example.com")
    cli("contacts", "add", "Cy Žák", "--tag", "local")
    assert cli("contacts", "list", "--tag", "nobody", "--json").stdout == "[]\n"
    result = cli("contacts", "list", "--json")
    listed = json.loads(result.stdout)
    assert [c["name"] for c in listed] == ["Ann Lee", "Bob Stone", "Cy Žák"]
    assert result.stdout == json.dumps(listed, ensure_ascii=False, indent=2) + "\n"
    owned = cli("contacts", "list", "--tag", "vip").stdout.splitlines()
    assert owned[0].split("\t")[-1] == "owner"
    assert [line.split("\t")[-1] for line in owned[1:]] == ["Sam", "unowned"]
    local = cli("contacts", "list", "--tag", "local").stdout.splitlines()
    assert "owner" not in local[0].split("\t") and len(local) == 2
    nobody = cli("contacts", "list", "--tag", "nobody")
    assert nobody.exit_code == 0 and nobody.stdout == ""


def test_search_finds_contacts_and_notes_ranked(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--company", "Tandem Bikes")
    add(cli, "Bob Stone")
    cli("notes", "add", "Bob", "Asked about a tandem for his wedding")
    found = json.loads(cli("contacts", "search", "tandem", "--json").stdout)
    assert {f["name"] for f in found} == {"Ann Lee", "Bob Stone"}
    assert json.loads(cli("contacts", "search", "wedding", "--json").stdout)[0]["name"] == (
        "Bob Stone"
    )
    # FTS syntax in user text is treated as words, not an error
    assert cli("contacts", "search", 'tandem" OR -x NEAR(').exit_code == 0
    first = cli("contacts", "search", "tandem", "--limit", "1")
    assert first.stdout.count("\n") == 2 and first.stderr == "showing 1 of 2 matches\n"
    assert cli("contacts", "search", "tandem").stderr == ""


def test_past_a_thousand_matches_a_search_shows_name_matches_then_the_newest_notes(
    cli: Invoke, tmp_path: Path
) -> None:
    """Too many matches to rank (docs/search.md): contacts whose own fields match come first,
    then contacts by their newest matching note, and the footer says so and how to narrow."""
    add(cli, "Fred Friday")  # the oldest contact, found by name
    add(cli, "Rita Stone")
    cli("notes", "add", "Rita Stone", "friday: a strong match, friday at noon, friday")
    spreadsheet = tmp_path / "customers.csv"
    with spreadsheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Name", "Notes"])
        writer.writerows([f"Customer {n}", "calls every friday"] for n in range(1000))
    assert cli("contacts", "import", str(spreadsheet), "--format", "csv").exit_code == 0

    result = cli("contacts", "search", "friday", "--limit", "4")
    names = [line.split("\t")[1] for line in result.stdout.splitlines()[1:]]
    assert names == ["Fred Friday", "Customer 999", "Customer 998", "Customer 997"]
    assert result.stderr == (
        "showing 4 of more than 1,000 matches, newest first: add a word to narrow the search\n"
    )
    found = json.loads(cli("contacts", "search", "friday", "--limit", "4", "--json").stdout)
    assert [f["name"] for f in found] == names and {f["rank"] for f in found} == {None}
    # Another word narrows it to fewer matches, ranked by relevance again.
    narrowed = json.loads(cli("contacts", "search", "friday noon", "--json").stdout)
    assert [f["name"] for f in narrowed] == ["Rita Stone"] and narrowed[0]["rank"] is not None


def test_search_follows_edits(cli: Invoke) -> None:
    add(cli, "Ann", "--company", "Oldname")
    cli("contacts", "edit", "Ann", "--left-company", "--company", "Newname")
    assert json.loads(cli("contacts", "search", "oldname", "--json").stdout) == []
    assert len(json.loads(cli("contacts", "search", "newname", "--json").stdout)) == 1


def test_mailing_list_format(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com", "--tag", "news")
    add(cli, "Lee, Bob", "--email", "bob@example.com", "--tag", "news")
    add(cli, "No Mail", "--tag", "news")
    result = cli("contacts", "list", "--tag", "news", "--format", "emails")
    assert result.stdout.splitlines() == [
        "Ann Lee <ann@example.com>",
        '"Lee, Bob" <bob@example.com>',
    ]


CONTACT_KEYS = [
    "id", "name", "company", "role", "emails", "phones", "address", "birthday", "anniversaries",
    "tags", "relationship_type", "stage", "cadence_days", "cadence_override", "owner", "owner_id",
    "referred_by", "archived", "last_interaction_on", "version", "kind", "name_parts",
    "nickname", "job_title", "gender", "email_labels", "phone_labels", "addresses", "urls",
    "ims", "related",
]  # fmt: skip


def test_json_keys_are_stable(cli: Invoke) -> None:
    add(cli, "Ann")
    assert list(json.loads(cli("contacts", "list", "--json").stdout)[0]) == CONTACT_KEYS
    shown = json.loads(cli("contacts", "show", "Ann", "--json").stdout)
    assert list(shown)[: len(CONTACT_KEYS)] == CONTACT_KEYS


def test_plain_list_is_tab_separated_with_header(cli: Invoke) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com", "--tag", "a", "--tag", "b")
    lines = cli("contacts", "list").stdout.splitlines()
    assert lines[0] == "id\tname\tcompany\temail\tphone\ttags\tstage"
    assert lines[1].split("\t") == ["1", "Ann Lee", "", "ann@example.com", "", "a, b", ""]


def test_empty_list_says_so_on_stderr(cli: Invoke, store: Store) -> None:
    result = cli("contacts", "list")
    assert result.stdout == ""
    assert "no contacts" in result.stderr


def test_bad_edit_changes_nothing(cli: Invoke) -> None:
    add(cli, "Ann", "--email", "ann@example.com", "--tag", "vip")
    before = cli("contacts", "show", "Ann", "--json").stdout
    result = cli("contacts", "edit", "Ann", "--tag", "new", "--email", "broken")
    assert result.exit_code == 2
    assert "broken" in result.stderr
    assert cli("contacts", "show", "Ann", "--json").stdout == before


def test_an_edit_without_a_change_says_so_and_writes_nothing(cli: Invoke) -> None:
    add(cli, "Ann", "--email", "ann@example.com")
    before = cli("contacts", "show", "Ann", "--json").stdout
    result = cli("contacts", "edit", "Ann")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "crm: nothing to change: name a field to change (see 'crm contacts edit --help')\n"
    )
    assert cli("contacts", "show", "Ann", "--json").stdout == before
    cleared = cli("contacts", "edit", "Ann", "--birthday", "")  # '' clears: a change
    assert cleared.exit_code == 0, cleared.stderr


def test_an_unknown_list_format_is_named_like_every_other_option(cli: Invoke) -> None:
    add(cli, "Ann")
    result = cli("contacts", "list", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "crm: --format must be table, emails or json, not 'xml'\n"


def test_a_reference_that_starts_one_name_word_finds_that_contact(cli: Invoke) -> None:
    for name in ("Ana Souza", "Aiko Tanaka", "Hana Kobayashi"):
        add(cli, name)
    shown = cli("contacts", "show", "ana", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "Ana Souza"  # not Tanaka's nor Hana's "ana"
    assert json.loads(cli("contacts", "show", "koba", "--json").stdout)["name"] == "Hana Kobayashi"
    add(cli, "Anabel Ruiz")  # now two names have a word starting with "ana"
    both = cli("contacts", "show", "ana")
    assert both.exit_code == 1
    assert both.stderr.startswith("crm: 'ana' matches 4 contacts:")


def test_archived_contact_still_resolves_by_exact_name(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    cli("contacts", "archive", "Ann Lee")
    assert json.loads(cli("contacts", "show", "Ann Lee", "--json").stdout)["archived"] is True
    assert cli("contacts", "show", "Lee").exit_code == 1  # partial matches skip the archive


def test_a_huge_limit_is_a_usage_error_not_a_crash(cli: Invoke) -> None:
    # Found by the fuzz test: SQLite cannot bind integers past 2**63.
    for command in (["contacts", "list"], ["notes", "list"], ["follow-ups", "today"]):
        result = cli(*command, "--limit", str(2**63))
        assert result.exit_code == 2, command
