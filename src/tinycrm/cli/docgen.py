"""Generate the CLI reference (docs/cli.md) from the command tree, so docs cannot drift.

python -m tinycrm.cli.docgen docs/cli.md      # write
python -m tinycrm.cli.docgen --check docs/cli.md  # exit 1 if the file is stale
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from tinycrm.cli.app import app

HEADER = """# CLI reference

Generated from the code by `make docs` (`python -m tinycrm.cli.docgen docs/cli.md`); a test fails
when this file is out of date. Every command accepts `-h`/`--help`. Global options come before the
command: `crm [--db PATH] COMMAND …`.
"""


def render() -> str:
    root = typer.main.get_command(app)
    parts = [HEADER]
    ctx = root.make_context("crm", [], resilient_parsing=True)
    for path, command in _walk(root, ["crm"], ctx):
        parts.append(_section(path, command, ctx))
    return "\n".join(parts).rstrip() + "\n"


def _walk(command: Any, path: list[str], ctx: Any) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not getattr(sub, "hidden", False):
            yield from _walk(sub, [*path, name], ctx)


def _section(path: list[str], command: Any, ctx: Any) -> str:
    depth = min(len(path) + 1, 4)
    lines = [f"{'#' * depth} `{' '.join(path)}`", ""]
    text = (command.help or "").strip()
    if text:
        lines += [text.split("\n\n")[0].replace("\n", " "), ""]
    usage = " ".join([*path, *command.collect_usage_pieces(ctx)])  # as `--help` shows it
    lines += ["```", usage, "```", ""]
    rows = [_param_row(p) for p in command.params if not getattr(p, "hidden", False)]
    rows = [row for row in rows if row]
    if rows:
        lines += ["| Argument / option | Description |", "|---|---|", *rows, ""]
    return "\n".join(lines)


def _param_row(param: Any) -> str:
    if param.name in ("install_completion", "show_completion"):
        return ""
    if param.param_type_name == "argument":
        label = f"`{param.metavar}`"
    else:
        label = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        metavar = getattr(param, "metavar", None)
        if metavar:
            label += f" `{metavar}`"
    description = (getattr(param, "help", None) or "").replace("|", "\\|").replace("\n", " ")
    if getattr(param, "multiple", False) and "repeat" not in description:
        description += " (repeatable)"
    default = param.default
    if param.param_type_name == "option" and default not in (None, False, (), []):
        description += f" Default: `{default}`."
    return f"| {label.replace('|', chr(92) + '|')} | {description.strip()} |"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    targets = [a for a in argv if a != "--check"]
    target = Path(targets[0]) if targets else Path("docs/cli.md")
    text = render()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            sys.stderr.write(f"{target} is out of date: run `make docs`\n")
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
