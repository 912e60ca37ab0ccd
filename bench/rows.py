"""The bench rows: one line per measured command. Add a row here when a feature lands.

The command follows `crm --db DB`; placeholders in braces are filled from the generated data:
  {as_of}        the data's fixed "today" (pass it as --as-of to queue/report/digest commands)
  {common_word}  a word in ~7% of the 1,000,000 notes      {rare_word}  a word in 25 notes
  {show_ref}     a unique name of a contact with 1,000 notes
  {tag}          a tag on ~2% of the contacts       {second_word}  a word in ~1% of the notes
  {vcard}        a 10,000-card vCard 3.0 file              {csv}  a 100,000-row Google CSV
`target` is the highest allowed median of paired ratios against taskwarrior's `task next` over
10,000 tasks (issue 13: the queue, search and show 1.0x; the digest and reports 1.5x);
`goal_ms` an absolute limit on the median; `max_mem_mb` a limit on peak RSS.
`growth` is the highest allowed median of paired ratios of the 1M-contact data set to the 100k one
(`make bench SCALE=1m`, issue 20: a paged row 1.3x, the CSV import 10x); rows without it are
left out of that table.
`db="empty"` gives every run a fresh empty database instead of the bench database.
`kind="tui"` runs bench/tui_ready.py (the TUI headless: queue ready, a customer with 1,000 notes
opened, peak memory) instead of crm; the row's time is the figure named by `metric` in the JSON
line it prints, its memory the whole session's peak.
`backend="postgresql"` runs the row against the bench database copied into a throwaway
PostgreSQL server (bench/postgres.py); `kind="copy"` is that copy (`crm db copy`), timed.
The growth table runs every growth row on the bench database on PostgreSQL too (`pg: ` and the
row's name), on servers whose data directories are cached (bench/postgres.py).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Any, Literal


@dataclass(frozen=True)
class Row:
    name: str
    args: tuple[str, ...]
    target: float | None = None
    goal_ms: float | None = None
    max_mem_mb: float = 80.0
    db: Literal["bench", "empty"] = "bench"
    kind: Literal["crm", "tui", "copy"] = "crm"
    paired: bool = True  # time `task next` alternately with this row
    max_runs: int | None = None  # cap for slow rows (imports)
    issue: int = 2
    growth: float | None = None  # `make bench SCALE=1m`: the allowed 1M / 100k ratio
    metric: str = ""  # kind="tui": which of bench/tui_ready.py's figures is the row's time
    backend: Literal["sqlite", "postgresql"] = "sqlite"


def row(name: str, command: str = "", **options: Any) -> Row:
    """One bench row: `command` is what follows `crm --db DB`, split like a shell would."""
    return Row(name, tuple(shlex.split(command)), **options)


def on_postgresql(r: Row) -> Row:
    """A growth row's twin on PostgreSQL (the growth table runs each paged row on both)."""
    return replace(r, name=f"pg: {r.name}", backend="postgresql")


PAGED = 1.3  # issue 20: a paged row at 1M contacts costs at most this many times its 100k cost

ROWS: list[Row] = [
    # issue 2: the foundation
    row("contacts search (common word)", "contacts search {common_word}", target=1.0,
        growth=PAGED),
    row("contacts search (rare word)", "contacts search {rare_word}", target=1.0, growth=PAGED),
    row("contacts search (common + other)", "contacts search '{common_word} {second_word}'",
        growth=PAGED, issue=20),
    row("contacts show (1,000 notes)", "contacts show '{show_ref}'", target=1.0, growth=PAGED),
    row("contacts list --tag (~2k)", "contacts list --tag {tag}"),
    row("contacts list --tag -n 50", "contacts list --tag {tag} --limit 50", growth=PAGED,
        issue=20),
    row("contacts list --type -n 50", "contacts list --type long-term --limit 50",
        growth=PAGED, issue=20),
    # issue 3: the follow-up queue
    row("follow-ups today", "follow-ups today --as-of {as_of}", target=1.0, growth=PAGED,
        issue=3),
    row("follow-ups overdue", "follow-ups overdue --as-of {as_of}", target=1.0, growth=PAGED,
        issue=3),
    row("follow-ups upcoming --days 30", "follow-ups upcoming --days 30 --as-of {as_of}",
        target=1.0, growth=PAGED, issue=3),
    # issue 4: sales and the analytical CRM
    row("report reorder", "report reorder --as-of {as_of}", target=1.5, growth=PAGED, issue=4),
    row("report at-risk", "report at-risk --as-of {as_of}", target=1.5, growth=PAGED, issue=4),
    row("report top", "report top --as-of {as_of}", growth=PAGED, issue=20),
    row("report lifecycle", "report lifecycle --as-of {as_of}", growth=PAGED, issue=20),
    row("report satisfaction", "report satisfaction --as-of {as_of}", growth=PAGED, issue=20),
    row("report suggest", "report suggest '{show_ref}'", growth=PAGED, issue=20),
    row("report referrals", "report referrals --as-of {as_of}", growth=PAGED, issue=20),
    # issue 20: a roll-up of every company (not a page: its memory is the limit)
    row("report at-risk --by company", "report at-risk --by company --as-of {as_of}",
        paired=False, max_runs=1, issue=20),
    # issue 5: digests
    row("digest", "digest --as-of {as_of}", target=1.5, growth=PAGED, issue=5),
    # issue 6: the TUI (process start to queue screen mounted, headless)
    row("tui: queue screen ready", kind="tui", metric="queue_ready_ms", goal_ms=1000,
        max_mem_mb=150, paired=False, growth=PAGED, issue=6),
    row("tui: open customer (1k notes)", kind="tui", metric="open_customer_ms", goal_ms=150,
        max_mem_mb=150, paired=False, growth=PAGED, issue=6),
    # issue 7: import into an empty database (absolute goals)
    row("import 10,000 vCards", "contacts import {vcard} --format vcard", db="empty",
        goal_ms=5000, paired=False, max_runs=3, issue=7),
    row("import 100,000 CSV rows", "contacts import {csv} --format csv --max-size 512", db="empty",
        goal_ms=10000, paired=False, max_runs=3, issue=7, growth=10.0),
    # issue 20: whole exports, written a batch of contacts at a time
    row("contacts export --format json", "contacts export --format json -o /dev/null",
        paired=False, max_runs=1, issue=20),
    row("contacts export --format csv", "contacts export --format csv -o /dev/null",
        paired=False, max_runs=1, issue=20),
    row("export ics", "export ics -o /dev/null", paired=False, max_runs=1, issue=20),
    row("export ics --todos", "export ics --todos -o /dev/null", paired=False, max_runs=1,
        issue=20),
    # issue 15: the same database on PostgreSQL (2.0x: psycopg's import alone is ~157 ms)
    row("pg: db copy from SQLite", kind="copy", goal_ms=120_000, max_mem_mb=150,
        paired=False, max_runs=1, issue=15, backend="postgresql"),
    row("pg: follow-ups today", "follow-ups today --as-of {as_of}", target=2.0, issue=15,
        backend="postgresql"),
    row("pg: contacts search (common)", "contacts search {common_word}", target=2.0,
        issue=15, backend="postgresql"),
    row("pg: contacts show (1,000 notes)", "contacts show '{show_ref}'", target=2.0,
        issue=15, backend="postgresql"),
    row("pg: tui: queue screen ready", kind="tui", metric="queue_ready_ms", goal_ms=1500,
        max_mem_mb=150, paired=False, issue=15, backend="postgresql"),
]  # fmt: skip
