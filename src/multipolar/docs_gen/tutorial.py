"""Executable tutorials: every fenced code block of a page under ``docs/tutorial/`` runs.

A page is read top to bottom in a fresh folder:

- a ``yaml``/``json`` block titled ``title="NAME"`` writes the file NAME; titled
  ``title="NAME (continued)"`` it appends to it;
- a ``console`` block holds commands (``$ multipolar ...``), each followed by the output it
  prints (stdout and stderr as a terminal shows them). A command must exit 0, or the status an
  ``<!-- exit: N -->`` comment right above the block names;
- a ``python`` block runs as a script in that folder.

Any other block is an error: a tutorial holds nothing that is not run. ``refresh`` rewrites every
shown output from a real run (``python -m multipolar.docs_gen``), so outputs are never typed by
hand; ``check`` lists where a page and a real run differ.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import traceback
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>.*)$")
TITLE = re.compile(r'title="(?P<name>[^"]+?)(?P<more> \(continued\))?"')
EXIT = re.compile(r"^<!-- exit: (?P<code>\d+) -->$")
FILES = ("yaml", "json")


@dataclass
class Block:
    """One fenced block: its language, title, body lines and where they sit in the page."""

    lang: str
    info: str
    body: list[str]
    first: int  # index of the first body line in the page's lines
    exit_code: int = 0


@dataclass
class Command:
    """One ``$ multipolar ...`` line of a console block, what the page shows and what ran."""

    line: str
    shown: list[str]
    exit_code: int
    output: list[str] = field(default_factory=list)
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == self.exit_code and normalise(self.shown) == normalise(self.output)


class TutorialError(ValueError):
    """A tutorial page holds something that cannot be run."""


def normalise(lines: list[str]) -> list[str]:
    """Trailing spaces and trailing blank lines do not count."""
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def blocks(text: str, source: str = "page") -> list[Block]:
    lines = text.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise TutorialError(f"{source}:{i + 1}: code block never closed")
        above = EXIT.match(lines[i - 1]) if i > 0 else None
        found.append(
            Block(match["lang"], match["info"].strip(), lines[i + 1 : end], i + 1,
                  int(above["code"]) if above else 0)
        )  # fmt: skip
        i = end + 1
    return found


def commands(block: Block, source: str) -> list[Command]:
    found: list[Command] = []
    for offset, line in enumerate(block.body):
        if line.startswith("$ "):
            if not line[2:].startswith("multipolar "):
                where = f"{source}:{block.first + offset + 1}"
                raise TutorialError(f"{where}: only `$ multipolar ...` commands run: {line}")
            found.append(Command(line[2:], [], block.exit_code))
        elif found:
            found[-1].shown.append(line)
        else:
            raise TutorialError(f"{source}:{block.first + 1}: console block must start with `$ `")
    return found


def _invoke(line: str) -> tuple[int, list[str]]:
    from typer.testing import CliRunner

    from multipolar.cli import app

    args = shlex.split(line)[1:]
    result = CliRunner().invoke(app, args, prog_name="multipolar")
    output = result.output.splitlines()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        output += traceback.format_exception(type(exc), exc, exc.__traceback__)
    return result.exit_code, output


def run(text: str, folder: Path, source: str = "page") -> list[tuple[Block, list[Command]]]:
    """Run every block of a page in ``folder`` (which should be empty); return the console
    blocks with what each command printed and its exit status."""
    ran: list[tuple[Block, list[Command]]] = []
    with contextlib.chdir(folder):
        for block in blocks(text, source):
            title = TITLE.search(block.info)
            body = "\n".join(block.body) + "\n"
            if block.lang in FILES and title is not None:
                with Path(title["name"]).open("a" if title["more"] else "w") as handle:
                    handle.write(body)
            elif block.lang == "console":
                cmds = commands(block, source)
                for cmd in cmds:
                    cmd.status, cmd.output = _invoke(cmd.line)
                ran.append((block, cmds))
            elif block.lang == "python":
                code = compile(body, f"{source}:{block.first}", "exec")
                exec(code, {"__name__": "__main__"})
            else:
                raise TutorialError(
                    f"{source}:{block.first}: a '{block.lang}' block without a file title does "
                    'not run; use ```yaml title="NAME"```, ```console``` or ```python```'
                )
    return ran


def refresh(text: str, folder: Path, source: str = "page") -> str:
    """The page with every console block's output replaced by what the commands print."""
    lines = text.splitlines()
    for block, cmds in reversed(run(text, folder, source)):
        for cmd in cmds:
            if cmd.status != cmd.exit_code:
                raise TutorialError(
                    f"{source}: `{cmd.line}` exited {cmd.status}, not {cmd.exit_code}:\n"
                    + "\n".join(cmd.output)
                )
        body = [part for cmd in cmds for part in [f"$ {cmd.line}", *normalise(cmd.output)]]
        lines[block.first : block.first + len(block.body)] = body
    return "\n".join(lines) + "\n"


def final_files(text: str, source: str = "page") -> dict[str, str]:
    """The files a page's titled blocks leave behind (for the scenario shipped beside it)."""
    files: dict[str, str] = {}
    for block in blocks(text, source):
        title = TITLE.search(block.info)
        if block.lang in FILES and title is not None:
            before = files.get(title["name"], "") if title["more"] else ""
            files[title["name"]] = before + "\n".join(block.body) + "\n"
    return files
