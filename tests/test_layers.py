"""Layering and start-up rules, checked on the source so new modules are covered too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import tinycrm

PACKAGE = Path(tinycrm.__file__).parent
UI = ("typer", "click", "rich", "textual", "tinycrm.cli", "tinycrm.tui")
# The domain and storage layers, whatever modules are added to them later.
CORE = [
    *sorted((PACKAGE / "store").rglob("*.py")),
    *sorted((PACKAGE / "services").rglob("*.py")),
    *(PACKAGE / f"{name}.py" for name in ("dates", "models", "config", "errors", "serialize",
                                          "textsafe")),
]  # fmt: skip
SQL = ("sqlite3", "sqlite_utils")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the file's package
                parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
                base = ".".join(parts[: len(parts) - node.level])
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_never_imports_a_front_end(path: Path) -> None:
    bad = sorted(name for name in imported(path) if under(name, UI))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "services").rglob("*.py")), ids=lambda p: p.name)
def test_services_hold_no_sql(path: Path) -> None:
    bad = sorted(name for name in imported(path) if under(name, SQL))
    assert not bad, f"services/{path.name} imports {bad}: SQL belongs in store/"


def test_the_checker_sees_nested_imports(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from rich.text import Text\n    import typer\n")
    assert {"rich.text", "typer"} <= imported(source)


HEAVY = ("rich.console", "sqlite_utils", "textual", "vobject", "icalendar", "dateutil.rrule",
         "pydantic")  # fmt: skip


def test_cli_start_up_imports_nothing_heavy() -> None:
    code = f"import sys, tinycrm.cli.app\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout.strip()}"
