"""Each rule answers the same whichever command, report, digest or screen asks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Invoke


def as_json(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_follow_up_has_one_urgency_in_every_view(cli: Invoke) -> None:
    """The relationship weight and the open-case weight count in the list and the card too."""
    assert cli("contacts", "add", "Ann", "--type", "dedicated").exit_code == 0
    assert cli("follow-ups", "add", "Ann", "Call back", "--due", "today").exit_code == 0
    assert cli("cases", "open", "Ann", "Broken till").exit_code == 0
    today = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "today")["today"]}
    listed = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "list")}
    card = as_json(cli, "contacts", "show", "Ann")
    on_card = {i["handle"]: i["urgency"] for i in card["follow_ups"]}
    assert today["1"] == listed["1"] == on_card["1"]
    bare = cli("contacts", "add", "Bob")
    assert bare.exit_code == 0
    assert cli("follow-ups", "add", "Bob", "Call back", "--due", "today").exit_code == 0
    plain = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "list")}
    assert plain["1"] > plain["3"], "Ann's weights (dedicated, open case) are counted"


def test_config_currency_follows_the_money_rule(cli: Invoke, isolated_env: Path) -> None:
    """A currency the money rules do not know is refused when the config is read, naming the
    config key, not later by every sale with a flag the user never typed."""
    config = isolated_env / "config.toml"
    config.write_text('[sales]\ncurrency = "XYZ"\n', encoding="utf-8")
    for args in (["contacts", "list"], ["sales", "add", "Ann", "10"], ["report", "top"]):
        result = cli(*args)
        assert result.exit_code != 0, args
        (line,) = result.stderr.strip().splitlines()
        assert "sales.currency" in line and "XYZ" in line and "--currency" not in line
    config.write_text('[sales]\ncurrency = "jpy"\n', encoding="utf-8")
    assert cli("contacts", "add", "Ann").exit_code == 0
    sold = cli("sales", "add", "Ann", "1200")
    assert sold.exit_code == 0, sold.stderr
    assert "JPY" in sold.stdout
