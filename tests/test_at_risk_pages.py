"""`crm report at-risk` reads a page, not the whole ranking (issue 20): a page is the head of
the whole list, a long list's total says "more than 1,000" (the report, the digest, `report
team`), and one person's list (their digest's section) is the whole list's rows they own, in
the same order."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from conftest import Invoke
from test_at_risk_equivalence import AS_OF, populate
from tinycrm.services import atrisk, cases, users
from tinycrm.services.contacts import ContactFields, add_contact, assign
from tinycrm.services.followups import OwnerScope
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter


def at_risk(cli: Invoke, as_of: date | str, limit: int) -> Any:
    result = cli("report", "at-risk", "--as-of", str(as_of), "--limit", str(limit), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_page_is_the_head_of_the_whole_ranking(cli: Invoke, store: Store) -> None:
    populate(store, seed=3)
    for as_of in AS_OF:
        whole = at_risk(cli, as_of, 0)
        assert whole["total"] == len(whole["rows"]) and whole["total_exact"] is True
        for limit in (1, 3, 10, 25):
            page = at_risk(cli, as_of, limit)
            assert page["rows"] == whole["rows"][:limit], (as_of, limit)
            assert page["total"] == whole["total"] and page["total_exact"] is True


def test_a_long_list_counts_to_1000_past_the_page(
    cli: Invoke, store: Store, tmp_path: Path
) -> None:
    # 1,100 dedicated customers, imported today: every check-in is overdue by 2030.
    people = tmp_path / "people.csv"
    people.write_text("name,type\n" + "".join(f"P{n:04},dedicated\n" for n in range(1100)))
    assert cli("contacts", "import", str(people)).exit_code == 0
    whole = at_risk(cli, "2030-01-01", 0)
    assert whole["total"] == 1100 and whole["total_exact"] is True
    page = at_risk(cli, "2030-01-01", 5)
    assert page["rows"] == whole["rows"][:5]
    assert page["total"] > 1000 and page["total_exact"] is False
    shown = cli("report", "at-risk", "--as-of", "2030-01-01", "--limit", "5")
    assert "showing 5 of more than 1,000 (--limit 0 for all)" in shown.stderr
    digest = cli("digest", "--as-of", "2030-01-01").stdout
    assert "10 most urgent of more than 1,000" in digest
    # The team report counts each person's (here nobody's) the same way.
    assert cli("users", "add", "Ann", "--email", "ann@shop.example", "--admin").exit_code == 0
    team = cli("report", "team", "--as-of", "2030-01-01", "--json")
    nobody = json.loads(team.stdout)["people"][-1]
    assert (nobody["name"], nobody["at_risk_exact"]) == ("(nobody)", False)
    assert nobody["at_risk"] > 1000
    assert "more than 1,000" in cli("report", "team", "--as-of", "2030-01-01").stdout


def test_one_persons_list_is_the_whole_list_they_own(store: Store) -> None:
    populate(store, seed=4)
    team = [users.add_user(store, name, email=f"{name}@shop.example").id for name in "ABC"]
    rng = random.Random(4)
    everyone = ContactFilter(archived=None)
    ids = [c.id for c in store.contacts.query(everyone)]
    for name in "ABC":
        assign(store, [str(i) for i in ids if rng.random() < 0.3], name)
    owners = {c.id: c.owner_id for c in store.contacts.query(everyone)}
    assert len(set(owners.values())) == 4  # three people and nobody
    for as_of in AS_OF:
        whole = atrisk.at_risk(store, as_of).rows
        for user_id in [*team, None]:
            mine = [row for row in whole if owners[row.contact_id] == user_id]
            scope = OwnerScope(user_id)
            assert atrisk.at_risk(store, as_of, scope=scope) == (len(mine), mine)
            for limit in (1, 10):
                page = atrisk.at_risk(store, as_of, limit, scope)
                assert page == (len(mine) if page.rows else 0, mine[:limit]), (as_of, user_id)
            assert atrisk.short_list(store, as_of, scope).rows == mine[: atrisk.SHORT_LIST]


def test_a_case_moves_its_customer_on_the_days_it_is_open(cli: Invoke, store: Store) -> None:
    # 20 dedicated customers added on one day: from February all lose touch, ranked by id.
    added = date(2025, 1, 1)
    ids = []
    for n in range(20):
        fields = ContactFields(name=f"P{n:02}", relationship_type="dedicated")
        contact = add_contact(store, fields, added)
        assert contact.id is not None
        ids.append(contact.id)
    # The last of them: a case open from June 1 to June 19, then another from July 1 on; and
    # a customer without a check-in, whose only reason is a case open from June 10 on (and a
    # second from July 1).
    last = str(ids[-1])
    first_case = cases.open_case(store, last, "parcel damaged", today=date(2025, 6, 1))
    cases.resolve(store, str(first_case.id), "replaced", today=date(2025, 6, 20))
    cases.open_case(store, last, "invoice wrong", today=date(2025, 7, 1))
    quiet = add_contact(store, ContactFields(name="Quiet", cadence="0"), added)
    cases.open_case(store, str(quiet.id), "question", today=date(2025, 6, 10))
    cases.open_case(store, str(quiet.id), "another question", today=date(2025, 7, 1))
    expected = {  # as of: the whole list's ids, most urgent first
        "2025-05-31": ids,
        "2025-06-01": [ids[-1], *ids[:-1]],
        "2025-06-10": [ids[-1], *ids[:-1], quiet.id],
        "2025-06-19": [ids[-1], *ids[:-1], quiet.id],
        "2025-06-20": [*ids, quiet.id],
        "2025-06-30": [*ids, quiet.id],
        "2025-07-01": [ids[-1], *ids[:-1], quiet.id],
    }
    for as_of, order in expected.items():
        whole = at_risk(cli, as_of, 0)
        assert [row["contact_id"] for row in whole["rows"]] == order, as_of
        for limit in (1, 5):
            page = at_risk(cli, as_of, limit)
            assert page["rows"] == whole["rows"][:limit] and page["total"] == len(order), as_of
        # The digest's section opens with the same customer, and says why.
        first = cli("digest", "--as-of", as_of).stdout.split("At-risk customers")[1].split("\n")[1]
        cased = order[0] == ids[-1]
        assert (first.startswith("  - P19: "), "1 open case" in first) == (cased, cased), as_of
