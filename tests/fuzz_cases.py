"""Fuzz cases for the scenario-input side: mutated scenario, BDM and KTAB files run through
``multipolar validate`` / ``multipolar import`` in-process, each outcome classified.

Used by ``tests/test_fuzz_input.py`` (a few hundred derandomised cases) and ``bench/fuzz.py``
(``make fuzz``: ten thousand or more, each under a time limit). A case is a seed file plus a
list of mutations drawn from a ``random.Random``; the same generator state gives the same case.

Outcomes: ``ok`` (exit 0, no NaN in the output; a valid scenario also exports to JSON and
gets a compromise forecast without NaN), ``clean error`` (exit 2, every line
``FILE[:LINE[:COL]]: ...; fix: ...``), ``unclean error`` (exit 2 but a line not in that
form), ``traceback`` (any other exit or an exception), ``nan`` (NaN in an output).
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
import yaml
from click.testing import CliRunner

from multipolar.cli import app
from multipolar.data import bundled_scenarios
from multipolar.scenario.formats import export_text
from multipolar.scenario.loader import dumps, validate
from tests.fuzz_mutations import (
    STRUCTURAL,
    TEXTUAL,
    YAML_ONLY,
    events,
    long_text,
)

_DUMPER: Any = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper
_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_PARSED: dict[str, Any] = {}  # seed text -> its data
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Seed:
    name: str
    kind: str  # yaml, json, bdm, ktab (csv), ktab_xml
    text: str


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok, clean error, unclean error, traceback, nan
    detail: str
    seconds: float


SMALL = """\
title: Fuzz seed
sources: [{id: s1, title: A source}]
actors:
  - {id: A, name: Alpha, capability: 40}
  - {id: B, name: Beta, capability: {low: 20, best: 30, high: 45, source: s1}}
  - {id: M, name: Mediator, kind: mediator, capability: 10}
  - {id: O, name: Outsider, kind: outside_power, capability: 5, active: false}
issues:
  - {id: land, name: Land, scale: [0, 100], status_quo: 30, anchors: [{value: 50, label: half}]}
  - {id: guard, name: Guarantees, scale: [0, 10]}
positions:
  A: {land: 90, guard: 2}
  B: {land: {low: 10, best: 20, high: 30}, guard: 8}
  M: {land: 50, guard: 5}
  O: {land: 40, guard: 5}
salience:
  A: {land: 0.6, guard: 0.3}
  B: {land: 0.7, guard: 0.2}
  M: {land: 0.3, guard: 0.1}
  O: {land: 0.2, guard: 0.5}
conflict:
  belligerents: [A, B]
  p: {low: 0.5, best: 0.6, high: 0.7}
  costs: {A: 0.1, B: 0.15}
  discount: 0.9
  stakes: [land]
deal: {owners: {land: [A, B]}, walk_away: {M: 0.2}}
correlations: [{between: [conflict.p, positions.B.land], rho: 0.3}]
events:
  - id: summit
    date: 2025-08-15
    title: Summit
    effects:
      - {path: conflict.p, shift: 0.05}
      - {path: positions.A.guard, set: 4}
      - {owner: {issue: land, add: [M]}}
      - {join: O}
  - id: talks
    date: 2025-08-18
    title: Talks
    effects: [{path: salience.A.land, scale: 0.5}, {leave: O}]
"""


def seeds(shared: bool = False) -> list[Seed]:
    """The seed files: the bundled scenario (YAML and JSON), a small scenario using every
    block, BDM and KTAB (CSV and XML) files exported from it; with ``shared``, also the BDM
    and KTAB files of ../shared/data when present."""
    bundled = bundled_scenarios()["ukraine_2025_08"]  # the flagship: every block of the format
    small = validate(yaml.safe_load(SMALL))
    one_issue = validate(
        {**yaml.safe_load(SMALL), "events": [], "correlations": [], "conflict": None}
    )
    out = [
        Seed("bundled.yaml", "yaml", bundled.read_text(encoding="utf-8")),
        Seed("small.yaml", "yaml", SMALL),
        Seed("small.json", "json", dumps(small, "json")),
        Seed("small.bdm.csv", "bdm", export_text("bdm", [one_issue])),
        Seed("small.ktab.csv", "ktab", export_text("ktab", [one_issue])),
        Seed("small.ktab.xml", "ktab_xml", export_text("ktab", [one_issue], xml=True)),
    ]
    if shared:
        files = {
            "emission_standards.csv": ("eum/emission_standards.csv", "bdm"),
            "SOE-Pol-Comp.csv": ("ktab/SOE-Pol-Comp.csv", "ktab"),
            "dummyData_3Dim.csv": ("ktab/dummyData_3Dim.csv", "ktab"),
            "smpExample.xml": ("ktab/smpExample.xml", "ktab_xml"),
        }
        for name, (rel, kind) in files.items():
            path = SHARED / rel
            if path.exists():
                out.append(Seed(name, kind, path.read_text(encoding="utf-8")))
    return out


def make_case(seed: Seed, rng: random.Random, heavy: bool = False) -> bytes:
    """The bytes of one mutated file from ``seed``."""
    text = seed.text
    if seed.kind in ("yaml", "json") and rng.random() < 0.6:
        if seed.text not in _PARSED:
            _PARSED[seed.text] = yaml.load(seed.text, Loader=_LOADER)
        data = copy.deepcopy(_PARSED[seed.text])
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.4:
                events(rng, data, heavy)
            else:
                rng.choice(STRUCTURAL)(rng, data)
        text = (
            json.dumps(data, default=str)
            if seed.kind == "json"
            else yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
        )
    pool = TEXTUAL + (YAML_ONLY if seed.kind == "yaml" else [])
    if not heavy:
        pool = [m for m in pool if m is not long_text]
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        text = rng.choice(pool)(rng, text)
    raw = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.03:  # invalid UTF-8
        k = rng.randrange(len(raw) + 1)
        raw = raw[:k] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"]) + raw[k:]
    return raw


SUFFIX = {"yaml": ".yaml", "json": ".json", "bdm": ".csv", "ktab": ".csv", "ktab_xml": ".xml"}
_LINE = re.compile(r"^\S.*?: .+; fix: .+$")


def has_nan(text: str, kind: str) -> bool:
    """Whether the command's output (JSON for validate, YAML for import) holds a NaN value."""
    data = json.loads(text) if kind in ("yaml", "json") else yaml.load(text, Loader=_LOADER)
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, float) and math.isnan(node):
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


runner = CliRunner()
_COMMAND: Any = None  # typer builds its click command on every invoke: build it once


def _command() -> Any:
    global _COMMAND  # noqa: PLW0603
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


def command(kind: str, path: Path) -> list[str]:
    if kind in ("yaml", "json"):
        return ["validate", str(path), "--format", "json"]
    return ["import", "ktab" if kind.startswith("ktab") else "bdm", str(path)]


def run_case(kind: str, raw: bytes, folder: Path) -> Outcome:
    """Write the case to ``folder`` and run its command in-process; classify the outcome."""
    path = folder / f"case{SUFFIX[kind]}"
    path.write_bytes(raw)
    start = time.perf_counter()
    result = runner.invoke(_command(), command(kind, path))
    seconds = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        return Outcome("traceback", f"{type(exc).__name__}: {str(exc)[:200]}", seconds)
    if result.exit_code == 0:
        if has_nan(result.stdout, kind):
            return Outcome("nan", result.stdout[:200], seconds)
        if kind in ("yaml", "json"):  # what validates can be written back, and forecast
            for args in (["export", "json"], ["forecast", "-m", "compromise", "-f", "json"]):
                then = runner.invoke(_command(), [*args, str(path)])
                seconds = time.perf_counter() - start
                if then.exit_code != 0:
                    detail = f"{args[0]}: exit {then.exit_code}: {then.exception!r}"[:300]
                    return Outcome("traceback", detail, seconds)
                if has_nan(then.stdout, "json"):
                    return Outcome("nan", f"{args[0]}: {then.stdout[:200]}", seconds)
        return Outcome("ok", "", seconds)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        if lines and all(_LINE.match(line) for line in lines) and "Traceback" not in result.stderr:
            return Outcome("clean error", lines[0][:300], seconds)
        return Outcome("unclean error", result.stderr[:300], seconds)
    return Outcome("traceback", f"exit {result.exit_code}: {result.output[-300:]}", seconds)
