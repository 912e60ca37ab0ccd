"""Merging a contact with hostile text into another keeps every row of both, the merged name
shows literally, and full-text search finds the moved notes under the surviving contact."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from conftest import Invoke
from dbquery import query_db
from test_output_safety import assert_safe
from tinycrm.services.cases import open_case
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.services.sales import add_sale
from tinycrm.services.satisfaction import add_score
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
HOSTILE_NAME = "Ann [/] [red]x \x1b[2J\x9b31m <script>alert(1)</script> Lee"


def seed(store: Store, name: str, company: str, word: str, email: str) -> int:
    contact = add_contact(
        store, ContactFields(name=name, company=company, emails=[email], tags=[word]), TODAY
    )
    ref = str(contact.id)
    add_note(store, ref, f"{word} note \x1b]52;c;aGk=\x07 [link=http://e.x]y[/link]", TODAY, "call")
    add_note(store, ref, f"second {word} remark", TODAY, "email")
    add_follow_up(store, ref, f"{word} follow-up [/]", TODAY, TODAY)
    add_sale(
        store,
        ref,
        "12.50",
        sold_on=TODAY,
        today=TODAY,
        currency="EUR",
        products=[f"{word} product"],
    )
    add_score(store, ref, "4", on=TODAY, today=TODAY, comment=f"{word} \x9b comment")
    open_case(store, ref, f"{word} case \x1b[31m", today=TODAY)
    assert contact.id is not None
    return contact.id


def person(cli: Invoke, ref: str) -> dict[str, Any]:
    result = cli("contacts", "export", ref, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["contact"]  # type: ignore[no-any-return]


def test_merge_with_hostile_text_keeps_everything_and_search_follows(
    cli: Invoke, store: Store, isolated_env: Path
) -> None:
    keep = seed(store, "Ann Lee", "Lee Ltd", "pineapple", "ann@example.com")
    drop = seed(store, HOSTILE_NAME, "<b>Co</b> [bold]", "zucchini", "ann@work.example")
    lists = ("notes", "follow_ups", "sales", "satisfaction", "cases", "costs", "occurrence_marks")
    before = [person(cli, str(keep)), person(cli, str(drop))]
    result = cli(
        "contacts",
        "merge",
        str(keep),
        str(drop),
        "--use",
        "name=second",
        "--keep",
        "first",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    merged = json.loads(result.stdout)
    assert (merged["id"], merged["name"], merged["company"]) == (keep, HOSTILE_NAME, "Lee Ltd")
    assert merged["emails"] == ["ann@example.com", "ann@work.example"]
    assert sorted(merged["tags"]) == ["pineapple", "zucchini"]

    everything = person(cli, str(keep))
    for key in lists:  # every row of both, nothing lost or doubled
        assert len(everything[key]) == len(before[0][key]) + len(before[1][key]), key
    assert sorted(n["body"] for n in everything["notes"]) == sorted(
        n["body"] for side in before for n in side["notes"]
    )
    assert sorted(i["product"] for s in everything["sales"] for i in s["items"]) == [
        "pineapple product",
        "zucchini product",
    ]
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    assert [c["id"] for c in listed] == [keep]  # the second one is gone

    # Full-text search: the moved notes are found under the surviving contact, and the
    # removed contact leaves nothing behind in the index.
    for word in ("zucchini", "pineapple", "remark", "Lee"):
        found = cli("contacts", "search", word, "--json")
        assert found.exit_code == 0, found.stderr
        hits = json.loads(found.stdout)
        assert hits and {h["id"] for h in hits} == {keep}, (word, hits)
    in_index = {row[0] for row in query_db("SELECT contact_id FROM search_index")}
    indexed = query_db("SELECT count(*) FROM search_index")[0][0]
    rows = query_db("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM notes)")
    assert indexed == rows[0][0]
    assert {int(c) for c in in_index} == {keep}

    # The merged, hostile contact shows literally and safely.
    for args in (("contacts", "show", str(keep)), ("contacts", "list"), ("notes", "list")):
        shown = cli(*args)
        assert shown.exit_code == 0, shown.stderr
        assert_safe(shown.stdout, styled_ok=False)
    assert "[/]" in cli("contacts", "show", str(keep)).stdout
