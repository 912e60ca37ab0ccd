"""Start-up stays lean: heavy libraries are not imported by a read command in a pipe.

Runs in a fresh interpreter, since the test process itself has imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ["sqlite_utils", "rich", "textual", "pydantic", "vobject", "icalendar", "aiosmtpd"]

SCRIPT = """
import contextlib, io, json, sys
from tinycrm.cli.app import run
with contextlib.redirect_stdout(io.StringIO()):
    codes = [run(["--db", sys.argv[1], *args.split()]) for args in sys.argv[2:]]
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[0])))
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def loaded_by(db: Path, *commands: str) -> dict[str, list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("sys.argv[0]", repr(json.dumps(HEAVY))),
         str(db), *commands],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_read_commands_import_no_heavy_library(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    result = loaded_by(
        db, "contacts add Ann", "contacts list", "contacts show Ann", "contacts search Ann",
        "notes list",
    )  # fmt: skip
    assert result["codes"] == [0, 0, 0, 0, 0]
    assert result["heavy"] == []


def test_version_and_help_open_no_database_code() -> None:
    """`crm --version` pays for Typer only: no sqlite3, store, config or date parser."""
    script = (
        "import contextlib, io, sys\n"
        "from tinycrm.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['--version'])\n"
        "print(sorted(m for m in sys.modules if m == 'sqlite3' or m.startswith(\n"
        "    ('tinycrm.store', 'tinycrm.config', 'tinycrm.dates', 'tinycrm.models'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_command_loads_only_the_repositories_it_uses(tmp_path: Path) -> None:
    script = (
        "import contextlib, io, sys\n"
        "from tinycrm.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    run(['--db', {str(tmp_path / 'crm.db')!r}, 'contacts', 'search', 'ann'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('tinycrm.store.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = done.stdout.strip()
    assert "tinycrm.store.contacts" in loaded
    for unused in ("sales", "cases", "reports", "satisfaction", "digests", "followups"):
        assert f"tinycrm.store.{unused}'" not in loaded


# Not needed by the queue or the digest, and each a few ms of start-up (docs/benchmarks.md).
NOT_ON_THE_QUEUE_PATH = (
    "platformdirs", "tinycrm.services.contacts", "tinycrm.store.contacts",
    "tinycrm.services.followups.actions", "tinycrm.services.sales", "tinycrm.store.sales",
    "tinycrm.store.cases", "tinycrm.store.satisfaction", "tinycrm.services.analytics",
)  # fmt: skip


@pytest.mark.parametrize(
    "command",
    ["follow-ups today", "follow-ups overdue", "follow-ups upcoming", "digest"],
)
def test_the_queue_and_the_digest_load_only_what_they_need(tmp_path: Path, command: str) -> None:
    """The commands run every morning (and from cron) import no contact, sales or case code and,
    with no config file, not platformdirs either."""
    script = (
        "import contextlib, io, sys\n"
        "from tinycrm.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run(['--db', {str(tmp_path / 'crm.db')!r}, *{command.split()!r},\n"
        "                '--as-of', '2026-11-26'])\n"
        f"print(code, sorted(m for m in {NOT_ON_THE_QUEUE_PATH!r} if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "XDG_"))}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "0 []"


def test_the_collector_is_off_while_loading_and_back_on_for_the_command(tmp_path: Path) -> None:
    """`crm` holds the garbage collector off while Typer and the command load, then turns it
    back on (a TUI session or a large import needs it), leaving the start-up objects frozen."""
    script = (
        "import atexit, gc, sys\n"
        "from tinycrm.cli import entry\n"
        "seen = []\n"
        "def opened(event, args):\n"
        "    if event == 'sqlite3.connect':\n"
        "        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "sys.addaudithook(opened)\n"
        "atexit.register(lambda: print(seen[:1]))\n"
        "sys.argv = ['crm', '--db', sys.argv[1], 'contacts', 'list']\n"
        "entry.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "crm.db")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip().endswith("[(True, True)]")


def test_resuming_the_collector_leaves_an_enabled_one_alone() -> None:
    import gc

    from tinycrm.cli.entry import resume_collection

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
