"""Click's own usage errors (a missing argument, an unknown option or command, a value click
itself refuses) in the package's one error style: one line on stderr, ``place: what; fix: how``,
exit code 2, instead of click's usage block and framed message."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup


def one_line(exc: typer.exceptions.TyperException) -> str:
    """``exc`` as one line: the command it concerns, what is wrong, and where help is."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "multipolar"
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    what = " ".join(message.split()).rstrip(".")
    what = what.replace("Value error, ", "")
    if what[:1].isupper() and not what[1:2].isupper():
        what = what[0].lower() + what[1:]
    return f"{command}: {what}; fix: see '{command} --help'"


class OneLineErrors(TyperGroup):
    """The top-level group: runs a command and reports click's errors in one line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
            code = rv if isinstance(rv, int) else 0
        except typer.Abort:
            typer.echo("multipolar: aborted", err=True)
            code = 1
        except typer.exceptions.TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # a group run bare: its help
                exc.show()  # type: ignore[attr-defined]
            else:
                typer.echo(one_line(exc), err=True)
            code = exc.exit_code
        if standalone_mode:
            sys.exit(code)
        return code
