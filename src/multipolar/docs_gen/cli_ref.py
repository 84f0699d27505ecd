"""The command-line reference, generated from the typer app.

Reads the click command tree typer builds from ``multipolar.cli.app`` (every ``cli_*`` module
registers its commands on it when ``multipolar.cli`` is imported), so a new command, option or
help text shows up on the next generation, and a stale page fails the test.
"""

from __future__ import annotations

from typing import Any

import typer

from multipolar.docs_gen.markdown import cell, table

PAGE = "docs/reference/cli.md"


def _app() -> Any:
    from multipolar.cli import app

    return typer.main.get_command(app)


def _commands(group: Any, ctx: Any, prefix: str) -> list[tuple[str, Any, Any]]:
    """(full name, command, context) of every command under ``group``, in help order."""
    found: list[tuple[str, Any, Any]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = type(ctx)(command, info_name=name, parent=ctx)
        full = f"{prefix} {name}"
        found.append((full, command, sub))
        if hasattr(command, "list_commands"):
            found += _commands(command, sub, full)
    return found


def _kind(param: Any, ctx: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    kind = str(param.display_type(ctx)).removeprefix("<").removesuffix(">")
    return "path" if kind == "Path" else kind  # an option with its own parser names the class


def _default(param: Any) -> str:
    value = param.default
    if param.required:
        return "**required**"
    if getattr(param, "is_flag", False) or value is None:
        return ""
    value = getattr(value, "value", value)  # an enum member: its value
    return f"`{value}`"


def _names(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"`{(param.metavar or param.name).upper()}`"
    return ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])


def _params_table(command: Any, ctx: Any) -> list[str]:
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if not params:
        return ["No arguments or options besides `--help`."]
    rows = [
        [_names(p), cell(_kind(p, ctx)), _default(p), cell(getattr(p, "help", None) or "")]
        for p in params
    ]
    return table(["argument / option", "type", "default", "description"], rows)


def _usage(full: str, command: Any) -> str:
    args = [
        (p.metavar or p.name).upper() + ("..." if p.nargs == -1 else "")
        for p in command.params
        if p.param_type_name == "argument"
    ]
    sub = " COMMAND [ARGS]..." if hasattr(command, "list_commands") else ""
    return " ".join([full, "[OPTIONS]", *args]) + sub


def _summary(command: Any) -> str:
    help_text = (command.help or "").strip()
    return cell(help_text.split("\n\n")[0])


def _anchor(full: str) -> str:
    return full.replace(" ", "-")


def generate() -> str:
    """The generated part of the command-line reference."""
    root = _app()
    ctx = root.context_class(root, info_name="multipolar")
    commands = _commands(root, ctx, "multipolar")
    lines = [
        "## Commands",
        "",
        *table(
            ["command", "what it does"],
            [[f"[`{full}`](#{_anchor(full)})", _summary(c)] for full, c, _ in commands],
        ),
        "",
        "## Global options",
        "",
        "Given before the command, e.g. `multipolar --quiet report FILE`.",
        "",
        *_params_table(root, ctx),
        "",
    ]
    for full, command, sub in commands:
        lines += [
            f"## {full}",
            "",
            "```text",
            _usage(full, command),
            "```",
            "",
            (command.help or "").strip(),
            "",
            *_params_table(command, sub),
            "",
        ]
    return "\n".join(lines)
