"""The Typer app every `crm` command group is built from: help as plain, wrapped text.

Typer renders help with Rich by default, which reads every help string as markup (so
`[smtp]` vanished), keeps the source's line breaks inside its boxes, and writes bold and dim
even under NO_COLOR. Click's own formatter has none of that: it re-wraps each paragraph to the
terminal, writes no escape sequence, and needs no Rich import. Usage lines and metavars are
named the way docs/cli.md (generated from the same classes) names them: `REF`, not `{ref}`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from difflib import get_close_matches
from typing import Any, ClassVar, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

F = TypeVar("F", bound=Callable[..., Any])
# Option value names when a command gives none (Typer's own are `<str>`, `<int range>`).
_TYPE_METAVARS = {
    "str": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "float": "NUMBER",
    "float range": "NUMBER",
    "filename": "FILE",
}


class PlainCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_values(self.params)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(self, ctx)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """As Click's; where unknown options are let through (`crm sales add ann -5`: a
        negative amount, which the command refuses in its own words), one left over is still
        called an unknown option, not an "unexpected extra argument"."""
        if not ctx.ignore_unknown_options:
            return super().parse_args(ctx, args)
        ctx.allow_extra_args = True
        rest: list[str] = super().parse_args(ctx, args)
        if ctx.args and ctx.args[0].startswith("-"):
            name = ctx.args[0].split("=", 1)[0]
            known = [opt for param in self.params for opt in getattr(param, "opts", ())]
            close = get_close_matches(name, [opt for opt in known if opt.startswith("--")])
            ctx.fail(
                f"No such option: {name}"
                + (f" (Possible options: {', '.join(close)})" if close else "")
            )
        if ctx.args:
            ctx.fail(f"Got unexpected extra argument(s) ({' '.join(ctx.args)})")
        return rest


class PlainGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_values(self.params)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Run without a sub-command (`crm`, `crm contacts`): the help, on stdout, exit 0."""
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            sys.stdout.write(ctx.get_help() + "\n")
            raise typer.Exit(0)
        return super().parse_args(ctx, args)


class LazyGroup(PlainGroup):
    """A group some of whose commands are imported when first used (run, listed in help):
    `lazy` maps such a command's name to "module:attribute", a Typer app or a function."""

    lazy: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        loaded = super().list_commands(ctx)
        return [*loaded, *(name for name in self.lazy if name not in loaded)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name, self.lazy[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, but a typo is matched against every command, loaded or not."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as exc:
            message = getattr(exc, "message", "")
            if args and "Did you mean" not in message:
                close = get_close_matches(args[0], self.list_commands(ctx))
                if close:
                    names = ", ".join(repr(name) for name in close)
                    exc.message = f"{message.rstrip('.')}. Did you mean {names}?"
            raise


def load_command(name: str, target: str) -> Any:
    """The click command `name` built from the Typer app or function `target`
    ("module:attribute")."""
    module_name, attribute = target.split(":")
    found = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(found, typer.Typer):
        wrapper = CrmTyper()
        wrapper.command(name)(found)
        found = wrapper
    command = typer.main.get_command(found)
    command.name = name
    return command


class CrmTyper(typer.Typer):
    """typer.Typer with plain help, no completion options of its own, and PlainCommand."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", PlainGroup)
        kwargs.setdefault("add_completion", False)
        super().__init__(rich_markup_mode=None, **kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", PlainCommand)
        decorator: Callable[[F], F] = super().command(name, **kwargs)
        return decorator


def name_values(params: Sequence[Any]) -> None:
    """Give every argument its upper-case name and every option that takes a value a type name
    (TEXT, INTEGER, PATH, a choice's [a|b]) unless the command chose a metavar."""
    for param in params:
        if param.metavar is not None or param.name is None:
            continue
        choices = getattr(param.type, "choices", None)
        if param.param_type_name == "argument":
            param.metavar = param.name.upper()
        elif choices:
            param.metavar = "[" + "|".join(str(choice) for choice in choices) + "]"
        elif not (param.is_flag or param.count):
            name = param.type.name
            param.metavar = _TYPE_METAVARS.get(name, name.upper().replace(" ", "_"))


def usage_pieces(command: Any, ctx: Any) -> list[str]:
    """`[OPTIONS] REF [TITLE] [FILES]...`: what follows a command's name in its usage line."""
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = param.metavar or param.name.upper()
            name = name if param.required else f"[{name}]"
            pieces.append(name + ("..." if param.nargs != 1 else ""))
    return pieces
