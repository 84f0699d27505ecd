"""Every numeric option and parameter, declared once: name, type, bounds, default and help.

The command line (typer options), the Python API (:mod:`multipolar.api`), the web server's
request bodies (:mod:`multipolar.server.schemas`) and the models' parameters (the registry) all
read these declarations, so that the same value is refused, with the same bounds, everywhere.
A value out of bounds or of the wrong type is a one-line error ``place: what; fix: how``.

Ceilings (documented in docs/reference/cli.md through each option's help):

- ``seed``: any whole number in [0, 2**63 - 1] (what numpy's SeedSequence and the run store's
  64-bit integer column both take).
- ``draws``: at most 1,000,000 Monte Carlo draws. Memory grows with draws × ranged estimates
  (about 50 bytes each); :func:`check_draw_memory` refuses a run above
  ``MAX_DRAW_VALUES`` (about 1 GB), so a scenario with many ranges gets a lower ceiling.
- model rounds and turns (``eum.rounds``, ``smp.max_turns``): at most 1,000.
- the web API takes the same declarations narrowed to ``MAX_JSON_INT`` (2**53 - 1) for seeds
  and run ids in request bodies: larger integers do not survive JSON readers that hold numbers
  as doubles (2**63 - 1 arrives as 2**63), so they cannot be sent reliably.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from multipolar.errors import UsageError, did_you_mean

MAX_SEED = 2**63 - 1
MAX_JSON_INT = 2**53 - 1  # the largest integer every JSON reader (JavaScript's too) keeps exact
MAX_DRAWS = 1_000_000
MAX_ROUNDS = 1_000
MAX_DRAW_VALUES = 20_000_000  # draws × ranged estimates held at once (~50 bytes each: ~1 GB)


class ParamError(ValueError):
    """A value a declaration refuses: what is wrong, and how to fix it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}; fix: {fix}")
        self.what = what
        self.fix = fix


def _num(value: float) -> str:
    if value == MAX_SEED:
        return "2**63-1"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value)) if value != 0.0 else "0"
    return f"{value:g}"


@dataclass(frozen=True)
class Param:
    """One parameter: its type (``int``, ``float``, ``bool``, ``str`` or ``object``), inclusive
    bounds (``low`` exclusive when ``low_open``), allowed ``choices``, whether ``None`` is
    allowed (``optional``: "use the rule"), a ``canonical`` spelling function for choices and a
    ``validator`` for structured values (``object``)."""

    name: str
    kind: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[Any, ...] = ()
    optional: bool = False
    canonical: Callable[[Any], Any] | None = field(default=None, compare=False)
    validator: Callable[[Any], Any] | None = field(default=None, compare=False)

    def with_(self, **changes: Any) -> Param:
        """A copy with some fields changed (e.g. a narrower minimum for one command)."""
        return replace(self, **changes)

    # what values are allowed, in words
    def bounds(self) -> str:
        """``a whole number from 0 to 1000`` and the like."""
        if self.choices:
            text = "one of " + ", ".join(str(c) for c in self.choices)
        elif self.kind is bool:
            text = "true or false"
        elif self.kind is str:
            text = "text"
        elif self.kind is object:
            text = self.help
        else:
            noun = "a whole number" if self.kind is int else "a number"
            lo, hi = self.low, self.high
            if lo is not None and hi is not None and not self.low_open:
                text = f"{noun} from {_num(lo)} to {_num(hi)}"
            elif lo is not None and hi is not None:
                text = f"{noun} above {_num(lo)} and at most {_num(hi)}"
            elif lo is not None:
                text = f"{noun} {'above' if self.low_open else 'of at least'} {_num(lo)}"
            elif hi is not None:
                text = f"{noun} of at most {_num(hi)}"
            else:
                text = f"a finite {noun.removeprefix('a ')}"
        return text + (", or null for the rule" if self.optional else "")

    def range_text(self) -> str:
        """``0-1000000`` for help texts ('' without bounds)."""
        if self.low is None or self.high is None:
            return ""
        sign = ">" if self.low_open else ""
        return f"{sign}{_num(self.low)}-{_num(self.high)}"

    # checking
    def coerce(self, value: Any) -> Any:
        """The value, normalised (e.g. 10.0 -> 10 for a whole number), or ``ParamError``."""
        if value is None:
            if self.optional:
                return None
            raise ParamError("a value is required here", f"give {self.bounds()}")
        if self.validator is not None:
            return self.validator(value)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise ParamError(f"{value!r} is not true or false", "write true or false")
        if self.kind is int:
            return self._bounded(self._whole(value))
        if self.kind is float:
            return self._bounded(self._real(value))
        return self._choice(value)

    def _whole(self, value: Any) -> int:
        if isinstance(value, bool):
            raise ParamError(f"{value!r} is not a whole number", f"give {self.bounds()}")
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
            return int(float(value))
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ParamError(f"{value!r} is not a whole number", f"give {self.bounds()}")

    def _real(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
            raise ParamError(f"{value!r} is not a number", f"give {self.bounds()}")
        try:
            number = float(value)
        except OverflowError:
            raise ParamError(f"{value} is too large", f"give {self.bounds()}") from None
        except ValueError:
            raise ParamError(f"{value!r} is not a number", f"give {self.bounds()}") from None
        if not math.isfinite(number):
            raise ParamError(f"{value} is not a finite number", f"give {self.bounds()}")
        return number

    def _bounded(self, number: Any) -> Any:
        lo, hi = self.low, self.high
        if lo is not None and (number <= lo if self.low_open else number < lo):
            what = f"must be above {_num(lo)}" if self.low_open else f"is below {_num(lo)}"
            raise ParamError(f"{_num(number)} {what}", f"give {self.bounds()}")
        if hi is not None and number > hi:
            raise ParamError(f"{_num(number)} is above the ceiling of {_num(hi)}",
                             f"give {self.bounds()}")  # fmt: skip
        return number

    def _choice(self, value: Any) -> Any:
        if self.canonical is not None:
            try:
                return self.canonical(value)
            except (UsageError, ValueError):
                pass
        elif isinstance(value, str) and (value in self.choices or not self.choices):
            return value
        shown = [str(c) for c in self.choices]
        raise ParamError(f"{value!r} is not allowed", did_you_mean(str(value), shown))

    def check(self, value: Any, place: str | None = None) -> Any:
        """``coerce``, raising a one-line ``UsageError`` naming ``place`` (default: the name)."""
        try:
            return self.coerce(value)
        except ParamError as exc:
            raise UsageError(f"{place or self.name}: {exc.what}; fix: {exc.fix}") from None

    # surfaces
    def option(self, *decls: str, help: str | None = None) -> Any:
        """A typer option that parses and checks the value at the command line, before any
        work: a bad value is one line on stderr and exit code 2."""
        import typer

        flag = next((d for d in decls if d.startswith("--")), "--" + self.name.replace("_", "-"))
        text = help or self.help
        if self.range_text():
            text = f"{text} Range {self.range_text()}."

        def parse(value: Any) -> Any:
            if isinstance(value, self.kind) and not isinstance(value, str):
                return value  # the declared default
            try:
                return self.coerce(value)
            except ParamError as exc:
                typer.echo(f"{flag}: {exc.what}; fix: {exc.fix}", err=True)
                raise typer.Exit(2) from None

        parse.declaration = self  # type: ignore[attr-defined]  # for tests and docs
        return typer.Option(*decls, help=text, parser=parse)

    def argument(self, metavar: str, help: str | None = None) -> Any:
        """A typer argument checked like ``option`` (e.g. a run id)."""
        import typer

        def parse(value: Any) -> Any:
            if isinstance(value, self.kind) and not isinstance(value, str):
                return value
            try:
                return self.coerce(value)
            except ParamError as exc:
                typer.echo(f"{metavar}: {exc.what}; fix: {exc.fix}", err=True)
                raise typer.Exit(2) from None

        text = help or self.help
        if self.range_text():
            text = f"{text} Range {self.range_text()}."
        parse.declaration = self  # type: ignore[attr-defined]
        return typer.Argument(metavar=metavar, help=text, parser=parse)

    def field(self, *, default: Any = ..., description: str | None = None, **extra: Any) -> Any:
        """A pydantic ``Field`` with the same bounds (for the server's request bodies); without
        a default when ``default=None`` is not wanted inside ``Annotated`` (``default=...``)."""
        from pydantic import Field

        bounds: dict[str, Any] = {}
        if self.low is not None:
            bounds["gt" if self.low_open else "ge"] = self.low
        if self.high is not None:
            bounds["le"] = self.high
        if self.kind is float:
            bounds["allow_inf_nan"] = False
        text = description or self.help
        if default is ...:
            return Field(description=text, **bounds, **extra)
        return Field(default, description=text, **bounds, **extra)


SEED = Param("seed", int, 0, "Seed of every random draw: the same seed gives the same output.",
             low=0, high=MAX_SEED)  # fmt: skip
DRAWS = Param(
    "draws", int, 2000, "Monte Carlo draws of the ranges for P(zone) and P(all accept) (0: none).",
    low=0, high=MAX_DRAWS,
)  # fmt: skip
SIMULATE_DRAWS = DRAWS.with_(low=2, help="Number of Monte Carlo draws.")
REPORT_DRAWS = DRAWS.with_(high=100_000, help="Monte Carlo draws per model (0: skip them).")
TOP = Param("top", int, 5, "How many packages to list.", low=1, high=50)
BIAS = Param("bias", float, 0.0, "Weight of the mediator's own interest.", low=0.0, high=1.0)
SAMPLES = Param("samples", int, 512, "Sobol base sample N (N(D+2) runs).", low=2, high=4096)
WORKERS = Param("workers", int, 1, "Local processes, or Ray CPUs.", low=1, high=256)
PORT = Param("port", int, 8000, "Port.", low=1, high=65535)
RUN_ID = Param("id", int, 1, "Run id.", low=1, high=MAX_SEED)
RUNS_LIMIT = Param("limit", int, 20, "How many runs, latest first.", low=1, high=10_000)
DIFF_LIMIT = Param("limit", int, 30, "Table: at most this many rows per section.", low=0,
                   high=100_000)  # fmt: skip
BOOTSTRAP = Param("bootstrap", int, 2000, "Bootstrap replicates.", low=1, high=100_000)
WEIGHT = Param("weight", float, 1.0, "Capability, × the average member state.", low=0.0,
               high=1000.0)  # fmt: skip


def check_draw_memory(draws: int, ranged: int, place: str = "draws") -> None:
    """Refuse a Monte Carlo whose drawn values would not fit in memory: ``draws`` × ``ranged``
    estimates above ``MAX_DRAW_VALUES``."""
    if draws * max(ranged, 1) > MAX_DRAW_VALUES:
        most = MAX_DRAW_VALUES // max(ranged, 1)
        raise UsageError(
            f"{place}: {draws} draws of {ranged} ranged estimates would hold "
            f"{draws * ranged:,} values (at most {MAX_DRAW_VALUES:,}); "
            f"fix: ask for {most} draws or fewer"
        )


def output_problem(path: Path, *, folder: bool = False) -> str | None:
    """Why ``path`` cannot be written (the system's words), or None. With ``folder``, ``path``
    is a folder that may still have to be created (under a writable existing folder)."""
    if path.is_dir():
        if not folder:
            return "Is a directory"
        return None if os.access(path, os.W_OK) else "Permission denied"
    if folder:
        base = path
        while not base.exists() and base != base.parent:
            base = base.parent
        if not base.is_dir():
            return "Not a directory"
        return None if os.access(base, os.W_OK) else "Permission denied"
    parent = path.parent
    if not parent.exists():
        return "No such file or directory"
    if not parent.is_dir():
        return "Not a directory"
    existed = path.exists()
    if existed and not path.is_file():  # /dev/null, a pipe: opened when written
        return None
    try:  # a real attempt (permissions alone mislead root and special file systems)
        with path.open("a", encoding="utf-8"):  # appending nothing leaves a file unchanged
            pass
    except OSError as exc:
        return exc.strerror or "cannot open"
    if not existed:
        path.unlink(missing_ok=True)
    return None


def check_output(path: Path, *, folder: bool = False) -> Path:
    """``path``, or the one-line ``UsageError`` every command gives for an unwritable output:
    ``PATH: cannot write (why); fix: check the path``."""
    why = output_problem(path, folder=folder)
    if why is not None:
        raise UsageError(f"{path}: cannot write ({why}); fix: check the path")
    return path


def output_option(*decls: str, help: str, folder: bool = False) -> Any:
    """A ``-o/--output``-style option whose path is checked when the command line is read,
    before any work: ``PATH: cannot write (why); fix: check the path``, exit code 2. With
    ``folder``, a path without a .yaml/.yml/.json suffix is a folder that may be created."""

    import typer

    def parse(value: Any) -> Path:
        path = Path(value)
        as_folder = folder and path.suffix.lower() not in (".yaml", ".yml", ".json")
        why = output_problem(path, folder=as_folder)
        if why is not None:
            typer.echo(f"{path}: cannot write ({why}); fix: check the path", err=True)
            raise typer.Exit(2)
        return path

    return typer.Option(*decls, help=help, parser=parse)
