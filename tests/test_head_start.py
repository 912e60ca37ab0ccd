"""The digest's head start: its integrity check and at-risk ranking begin before Typer loads,
and are used only when Typer's parse agrees; the answer is the same either way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.cli import head_start
from tinycrm.store import Store

AS_OF = "2026-11-26"
FIXTURES = Path(__file__).parent / "fixtures"

# `crm …` through the console script's entry point, reporting whether the digest command
# found the head start begun for it.
SCRIPT = """
import atexit, sys
from tinycrm.cli import entry, head_start
claimed = []
real_claim = head_start.claim
def claim(*args, **kwargs):
    found = real_claim(*args, **kwargs)
    claimed.append(found is not None)
    return found
head_start.claim = claim
atexit.register(lambda: sys.stderr.write(f"claimed={claimed}\\n"))
sys.argv = ["crm", *sys.argv[1:]]
entry.main()
"""


def crm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--db", "x.db", "digest", "--as-of", AS_OF], ("x.db", AS_OF, False)),
        (["--db=x.db", "digest", "--send", "--force"], ("x.db", None, True)),
        (["digest", "--as-of=tomorrow", "--format", "json"], (None, "tomorrow", False)),
        (["digest"], (None, None, False)),
        (["contacts", "list"], None),
        (["--version"], None),
        (["digest", "--help"], None),
        (["--verbose", "digest"], None),
        (["--db"], None),
        ([], None),
    ],
)
def test_only_a_plain_digest_command_line_gets_a_head_start(
    argv: list[str], expected: tuple[str | None, str | None, bool] | None
) -> None:
    assert head_start._guess(argv) == expected


def test_a_digest_with_a_head_start_says_what_one_without_says(
    cli: Invoke, isolated_env: Path
) -> None:
    cli("demo")
    db = str(isolated_env / "crm.db")
    early = crm("--db", db, "digest", "--as-of", AS_OF, "--format", "json", "--limit", "0")
    assert early.returncode == 0, early.stderr
    assert "claimed=[True]" in early.stderr
    plain = cli("digest", "--as-of", AS_OF, "--format", "json", "--limit", "0")
    assert plain.exit_code == 0
    assert json.loads(early.stdout) == json.loads(plain.stdout)
    assert json.loads(early.stdout)["at_risk"], "the demo data has customers at risk"


def test_a_damaged_file_fails_its_check_with_a_head_start_too(
    isolated_env: Path, store: Store
) -> None:
    from test_digest_cli import damage_leaf

    damage_leaf(isolated_env / "crm.db", store, "follow_ups")
    done = crm("--db", str(isolated_env / "crm.db"), "digest", "--as-of", AS_OF)
    assert "claimed=[True]" in done.stderr
    assert done.returncode == 1 and done.stdout == ""
    assert "failed its integrity check" in done.stderr and "follow_ups" in done.stderr


def test_an_old_file_is_migrated_before_it_is_read(tmp_path: Path) -> None:
    """A 0.1.0 file is not read early (the command migrates it first, and a migration may
    change what the reads see); the digest is read from the migrated file."""
    from tinycrm.store.connection import Database

    db = tmp_path / "crm.db"
    shutil.copy(FIXTURES / "schema-v1.db", db)
    old = Store(Database.reader(db))
    assert head_start._check(old, False) is False
    assert head_start._short_list(old, date.fromisoformat(AS_OF)) is None
    old.close()
    done = crm("--db", str(db), "digest", "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "claimed=[True]" in done.stderr
    assert json.loads(done.stdout)["as_of"] == AS_OF
    assert Store.open(db, create=True).db.version > 1


def test_a_missing_file_gets_no_head_start(tmp_path: Path) -> None:
    done = crm("--db", str(tmp_path / "new.db"), "digest", "--as-of", AS_OF)
    assert done.returncode == 1
    assert "claimed=[]" in done.stderr
    assert "no database at" in done.stderr
    assert not (tmp_path / "new.db").exists()


def test_the_head_start_is_used_only_for_its_own_file_mode_and_day(
    tmp_path: Path, isolated_env: Path, store: Store
) -> None:
    other = Store.open(tmp_path / "other.db", create=True)
    day = date.fromisoformat(AS_OF)
    for argv, target, send, as_of, wanted in [
        (["--db", str(tmp_path / "other.db"), "digest"], store, False, day, "none"),
        (["digest", "--as-of", AS_OF], store, True, day, "none"),
        (["digest", "--as-of", AS_OF], store, False, date(2026, 11, 27), "check only"),
        (["digest", "--as-of", AS_OF], store, False, day, "both"),
    ]:
        head_start.begin(argv)
        claimed = head_start.claim(target, send=send, as_of=as_of)
        found = "none" if claimed is None else "both" if claimed[1] else "check only"
        assert found == wanted, argv
        if claimed is not None:
            claimed[0]()  # waits for the check: the file is sound
        assert head_start.claim(target, send=send, as_of=as_of) is None  # claimed once
    other.close()


def test_a_sent_digest_with_a_head_start_is_checked_whole_and_sent_once(
    cli: Invoke, isolated_env: Path
) -> None:
    """cron's `crm digest --send` through the console script: the head start runs the
    whole-file check, the mail arrives, and the second run the same day sends nothing."""
    from aiosmtpd.controller import Controller

    from test_digest_cli import Inbox, free_port, write_config

    cli("demo")
    inbox = Inbox(free_port())
    write_config(isolated_env, inbox.port)
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        first = crm("digest", "--send", "--as-of", AS_OF)
        again = crm("digest", "--send", "--as-of", AS_OF)
    finally:
        controller.stop()
    assert first.returncode == 0, first.stderr
    assert "claimed=[True]" in first.stderr
    assert len(inbox.messages) == 1
    assert "tinycrm digest" in str(inbox.messages[0]["Subject"])
    assert again.returncode == 0 and len(inbox.messages) == 1
