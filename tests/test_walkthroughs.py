"""The README's tour, docs/getting-started.md's first steps, docs/day-with-tinycrm.md,
docs/companies.md and docs/team.md run as written (issues 14, 16): every command in their
shell blocks (a line ending in `\\` goes on on the next), in order, on a new database,
exits 0. `crm tui` is left out (it is a full-screen session), `export CRM_DB=…` is the test's
own database, and `export CRM_USER=…` says who runs the next commands."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```(sh|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def commands(markdown: str) -> list[str]:
    """The `crm` command lines of a page's ```sh and ```console blocks (`$ ` lines), and its
    `export CRM_USER=…` lines (docs/team.md: who sits at the keyboard)."""
    found = []
    for kind, body in BLOCK.findall(markdown):
        for line in re.sub(r"\\\n\s*", "", body).splitlines():
            if kind == "console":
                if not line.startswith("$ "):
                    continue  # what the command printed
                line = line[2:]
            if line.startswith(("crm ", "export CRM_USER=")):
                found.append(line)
    return found


def tour() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## A 30-second tour", 1)[1].split("\n## ", 1)[0]


def first_steps() -> str:
    """getting-started.md from the first contacts to the backup (its demo writes /tmp/shop.db,
    and shell completion changes the shell's own files)."""
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    return page.split("## Your first contacts", 1)[1].split("## Shell completion", 1)[0]


WALKTHROUGHS = {
    "README tour": tour(),
    "docs/getting-started.md": first_steps(),
    "docs/day-with-tinycrm.md": (ROOT / "docs" / "day-with-tinycrm.md").read_text("utf-8"),
    "docs/companies.md": (ROOT / "docs" / "companies.md").read_text("utf-8"),
    "docs/team.md": (ROOT / "docs" / "team.md").read_text("utf-8"),
}


@pytest.mark.parametrize("page", list(WALKTHROUGHS))
def test_the_walkthrough_runs_as_written(
    cli: Invoke, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path.home().mkdir(exist_ok=True)  # `crm db backup ~/crm-backup.db`
    lines = commands(WALKTHROUGHS[page])
    assert len(lines) >= 10, lines  # the page's blocks were found
    for line in lines:
        if line.startswith("export "):
            monkeypatch.setenv("CRM_USER", line.removeprefix("export CRM_USER="))
            continue
        args = [os.path.expanduser(arg) for arg in shlex.split(line, comments=True)[1:]]
        if args == ["tui"]:
            continue
        result = cli(*args)
        assert result.exit_code == 0, f"{page}: `{line}` exited {result.exit_code}: {result.stderr}"
