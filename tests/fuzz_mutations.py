"""Mutations for the fuzz cases (``tests/fuzz_cases.py``): structural ones on scenario data
(events, hostile numbers, scales, dates, ``models:``) and textual ones on any file (numbers,
lines, characters, truncation, nesting, YAML alias bombs)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

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


def events(rng: random.Random, data: dict[str, Any], heavy: bool) -> None:
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


def long_text(rng: random.Random, text: str) -> str:
    k = rng.randrange(len(text) + 1)
    return text[:k] + "x" * rng.choice([70_000, 200_000]) + text[k:]


def _t_delimiter(rng: random.Random, text: str) -> str:
    return text.replace(",", rng.choice([";", "\t", ",,", " "]), rng.randint(1, 5))


TEXTUAL: list[Callable[[random.Random, str], str]] = [
    _t_number, _t_number, _t_number, _t_lines, _t_lines, _t_insert, _t_insert, _t_truncate,
    _t_nest, long_text, _t_delimiter,
]  # fmt: skip
YAML_ONLY: list[Callable[[random.Random, str], str]] = [_t_bomb, _t_self_alias]
