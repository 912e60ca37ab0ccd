"""Done (or skip) on a recurring follow-up says what comes next and keeps the occurrence."""

from __future__ import annotations

import json
from typing import Any

from conftest import Invoke

DAY = "2026-01-05"


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_done_says_when_the_next_one_is_and_keeps_history(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann")
    series = ok(cli, "follow-ups", "add", "Ann", "Water the plants", "--due", DAY, "--every",
                "weekly", "--as-of", DAY)  # fmt: skip
    done = cli("follow-ups", "done", series["handle"], "--as-of", DAY)
    assert done.exit_code == 0, done.stderr
    assert "next one due 2026-01-12" in done.stdout
    history = ok(cli, "follow-ups", "list", "--status", "done", "--as-of", DAY)
    assert [(row["title"], row["due"]) for row in history] == [("Water the plants", DAY)]
    skipped = cli("follow-ups", "skip", series["handle"], "--as-of", "2026-01-12")
    assert "next one due 2026-01-19" in skipped.stdout
    everything = ok(cli, "follow-ups", "list", "--status", "all", "--as-of", "2026-01-12")
    assert sorted(row["status"] for row in everything) == ["done", "open", "skipped"]


def test_a_counted_series_done_late_says_it_ended(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann")
    series = ok(cli, "follow-ups", "add", "Ann", "Physio reminder", "--due", DAY, "--every",
                "FREQ=WEEKLY;COUNT=2", "--as-of", DAY)  # fmt: skip
    late = cli("follow-ups", "done", series["handle"], "--as-of", "2026-01-20")
    assert late.exit_code == 0, late.stderr
    assert "that was the last one of the series" in late.stdout
