"""Fuzz cases for the scenario-input side: mutated scenario, BDM and KTAB files run through
``multipolar validate`` / ``multipolar import`` in-process, each outcome classified.

Used by ``tests/test_fuzz_input.py`` (a few hundred derandomised cases) and ``bench/fuzz.py``
(``make fuzz``: ten thousand or more, each under a time limit). A case is a seed file plus a
list of mutations drawn from a ``random.Random``; the same generator state gives the same case.

Outcomes: ``ok`` (exit 0, no NaN in the output), ``clean error`` (exit 2, every line
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
from collections.abc import Callable
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

_DUMPER: Any = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper
_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_PARSED: dict[str, Any] = {}  # seed text -> its data
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
HOSTILE_NUMBERS = [
    str(10**400), "-" + str(10**400), "1" * 5000, "0x" + "f" * 300, "1.7976931348623157e+308",
    "-1.7976931348623157e+308", "5e-324", "4.9e-324", "-0.0", "0", "-1", "1e308", "1e-308",
    ".nan", ".inf", "-.inf", "NaN", "Infinity", "1e999", "1_000_000", "0o777", "0b101",
    "190:20:30", "9223372036854775808", "-9223372036854775809", "2.5e15", "1e16", "100.5",
    "3", "0.5", "~", "''", "true", "[]", "{}", "2025-01-01",
]  # fmt: skip
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "0999-12-31", "3000-01-01", "2025-02-30",
                 "0000-01-01", "2025-13-01", "1000-01-01", "2999-12-31", "20250101"]  # fmt: skip
HOSTILE_SCALES = [[-5e-324, 5e-324], [0, 1e-300], [1e15 - 1, 1e15], [-1.7e308, 1.7e308],
                  [0, 1e-6], [0, 1e16], [5, 5], [10, 0], [0, 1], [-1e15, 1e15]]  # fmt: skip
INSERTS = ["\x00", "\t", "\x7f", "\u202e", "😀", "{", "}", "[", "]", ":", ": ", "- ", "&a ",
           "*a", "!!python/object:os.system ", "!!binary ", "!!set ", "!!omap ", "!foo ", "<<: ",
           "'", '"', "#", "%", "@", "`", "|", ">", "\r", "\n", "  ", "---\n", "...\n",
           "? "]  # fmt: skip
PATHS = ["positions.{a}.{i}", "salience.{a}.{i}", "actors.{a}.capability",
         "issues.{i}.status_quo", "conflict.p", "conflict.discount", "conflict.costs.{a}",
         "deal.walk_away.{a}", "positions.{a}.{i}.x", "issues.{i}.anchors.x", "correlations.x",
         "ideal_adjustment.x", "title.x", "positions", "metadata.x", "actors.{a}.name"]  # fmt: skip
VALUES = [210, -5, 0, 1, 0.5, 1e308, -1e308, 1e300, 5e-324, 100, 1.5, 10**400]


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
    bundled = next(iter(bundled_scenarios().values()))
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


# -- structural mutations of scenario data (YAML/JSON seeds) ----------------------------------
def _ids(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    actors = [a.get("id", "A") for a in data.get("actors", []) if isinstance(a, dict)]
    issues = [i.get("id", "i") for i in data.get("issues", []) if isinstance(i, dict)]
    return actors or ["A"], issues or ["i"]


def _path(rng: random.Random, data: dict[str, Any]) -> str:
    actors, issues = _ids(data)
    return rng.choice(PATHS).format(a=rng.choice(actors), i=rng.choice(issues))


def _effect(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    actors, issues = _ids(data)
    roll = rng.random()
    if roll < 0.7:
        mode = rng.choice(["set", "shift", "scale"])
        return {"path": _path(rng, data), mode: rng.choice(VALUES)}
    if roll < 0.8:
        return {"owner": {"issue": rng.choice(issues), rng.choice(["add", "remove"]): actors[:2]}}
    return {rng.choice(["join", "leave"]): rng.choice([*actors, "ZZ"])}


def _event(rng: random.Random, data: dict[str, Any], n: int, effects: int) -> dict[str, Any]:
    date = rng.choice(
        [f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"] * 4 + HOSTILE_DATES
    )
    return {
        "id": f"fz{n}",
        "date": date,
        "title": "Fuzz",
        "effects": [_effect(rng, data) for _ in range(effects)],
    }


SIZES = [(1, 1), (1, 2), (2, 1), (5, 1), (50, 1), (3, 7)]  # (events, effects per event)
HEAVY_SIZES = [(1000, 1), (10_001, 1), (1, 101), (1, 5000), (300, 70), (2000, 3)]


def _events(rng: random.Random, data: dict[str, Any], heavy: bool) -> None:
    count, effects = rng.choice(SIZES + (HEAVY_SIZES if heavy else []))
    base = data.get("events") if isinstance(data.get("events"), list) else []
    data["events"] = [*base, *(_event(rng, data, n, effects) for n in range(count))]


def _hostile_value(rng: random.Random, data: dict[str, Any]) -> None:
    """Put a hostile number at a random place that holds a number."""
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    spots.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for k, value in enumerate(node):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    spots.append((node, k))
                walk(value)

    walk(data)
    if spots:
        node, key = rng.choice(spots)
        node[key] = rng.choice([*VALUES, float("nan"), float("inf"), 10**20, -(10**400)])


def _all_capabilities(rng: random.Random, data: dict[str, Any]) -> None:
    value = rng.choice([1.7976931348623157e308, 1e-300, 5e-324, 0, 1e300])
    for actor in data.get("actors", []):
        if isinstance(actor, dict):
            actor["capability"] = value


def _scale(rng: random.Random, data: dict[str, Any]) -> None:
    issues = [i for i in data.get("issues", []) if isinstance(i, dict)]
    if issues:
        rng.choice(issues)["scale"] = list(rng.choice(HOSTILE_SCALES))


def _date(rng: random.Random, data: dict[str, Any]) -> None:
    data["date"] = rng.choice(HOSTILE_DATES)


def _models(rng: random.Random, data: dict[str, Any]) -> None:
    data["models"] = rng.choice(
        [
            {"eum": {"rounds": "ten"}},
            {"eum": {"rounds": 1.5}},
            {"smp": {"affinity": "x"}},
            {"nash": {"loss": "x"}},
            {"median": {"tie": "upper"}},
            {"eum": {"rounds": 3}},
            {"nope": {}},
            {"eum": []},
        ]
    )


def _drop(rng: random.Random, data: dict[str, Any]) -> None:
    keys = [k for k in data if k not in ("title",)]
    if keys:
        del data[rng.choice(keys)]


STRUCTURAL: list[Callable[[random.Random, dict[str, Any]], None]] = [
    _hostile_value, _hostile_value, _all_capabilities, _scale, _date, _models, _drop,
]  # fmt: skip


# -- text mutations (every kind) --------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")


def _t_number(rng: random.Random, text: str) -> str:
    found = list(_NUMBER.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[: m.start()] + rng.choice(HOSTILE_NUMBERS) + text[m.end() :]


def _t_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    k = rng.randrange(len(lines))
    op = rng.choice(["delete", "duplicate", "swap", "indent", "dedent"])
    if op == "delete":
        del lines[k]
    elif op == "duplicate":
        lines.insert(k, lines[k])
    elif op == "swap":
        j = rng.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif op == "indent":
        lines[k] = " " * rng.choice([1, 2, 3, 8]) + lines[k]
    else:
        lines[k] = lines[k].lstrip()
    return "\n".join(lines)


def _t_insert(rng: random.Random, text: str) -> str:
    k = rng.randrange(len(text) + 1)
    return text[:k] + rng.choice(INSERTS) * rng.choice([1, 1, 2, 50]) + text[k:]


def _t_truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _t_nest(rng: random.Random, text: str) -> str:
    depth = rng.choice([5, 39, 41, 200, 1500, 5000])
    k = text.find(": ", rng.randrange(len(text) + 1))
    if k < 0:
        return text
    return text[: k + 2] + "[" * depth + "1" + "]" * depth + text[text.find("\n", k) :]


def _t_bomb(rng: random.Random, text: str) -> str:
    levels, width = rng.choice([(3, 3), (9, 10), (12, 8), (5, 30)])
    lines = ["bomb0: &b0 [lol, lol, lol]"]
    lines += [
        f"bomb{n}: &b{n} [" + ", ".join([f"*b{n - 1}"] * width) + "]" for n in range(1, levels)
    ]
    block = "metadata:\n" + "".join(f"  {line}\n" for line in lines)
    return re.sub(r"(?m)^metadata:.*\n?", "", text).rstrip("\n") + "\n" + block


def _t_self_alias(rng: random.Random, text: str) -> str:
    return (
        text.rstrip("\n")
        + "\n"
        + rng.choice(["loop: &x [*x]\n", "k: *missing\n", "a: &y 1\nb: *y\n"])
    )


def _t_long(rng: random.Random, text: str) -> str:
    k = rng.randrange(len(text) + 1)
    return text[:k] + "x" * rng.choice([70_000, 200_000]) + text[k:]


def _t_delimiter(rng: random.Random, text: str) -> str:
    return text.replace(",", rng.choice([";", "\t", ",,", " "]), rng.randint(1, 5))


TEXTUAL: list[Callable[[random.Random, str], str]] = [
    _t_number, _t_number, _t_number, _t_lines, _t_lines, _t_insert, _t_insert, _t_truncate,
    _t_nest, _t_long, _t_delimiter,
]  # fmt: skip
YAML_ONLY: list[Callable[[random.Random, str], str]] = [_t_bomb, _t_self_alias]


def make_case(seed: Seed, rng: random.Random, heavy: bool = False) -> bytes:
    """The bytes of one mutated file from ``seed``."""
    text = seed.text
    if seed.kind in ("yaml", "json") and rng.random() < 0.6:
        if seed.text not in _PARSED:
            _PARSED[seed.text] = yaml.load(seed.text, Loader=_LOADER)
        data = copy.deepcopy(_PARSED[seed.text])
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.4:
                _events(rng, data, heavy)
            else:
                rng.choice(STRUCTURAL)(rng, data)
        text = (
            json.dumps(data, default=str)
            if seed.kind == "json"
            else yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
        )
    pool = TEXTUAL + (YAML_ONLY if seed.kind == "yaml" else [])
    if not heavy:
        pool = [m for m in pool if m is not _t_long]
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
        return Outcome("ok", "", seconds)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        if lines and all(_LINE.match(line) for line in lines) and "Traceback" not in result.stderr:
            return Outcome("clean error", lines[0][:300], seconds)
        return Outcome("unclean error", result.stderr[:300], seconds)
    return Outcome("traceback", f"exit {result.exit_code}: {result.output[-300:]}", seconds)
