"""Hostile scenario input (issues 14 and 20, the input side): every reproducer gives one line
per problem and exit code 2, or a defined answer. Reading: size, nesting, aliases, integers,
dates; numbers: capabilities matter only as ratios, scales have a minimum width. The events'
reproducers are in test_hardening_events.py."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import ScenarioError
from multipolar.models.api import forecast_all
from multipolar.scenario import limits, validate
from multipolar.scenario.loader import parse_json, parse_yaml
from tests.conftest import VALID

runner = CliRunner()
LINE = re.compile(r"^\S.*?: .+; fix: .+$")  # FILE[:LINE[:COL]]: [place: ]what; fix: how


def one_line_errors(args: list[str], fragment: str) -> list[str]:
    """Run the command; it must exit 2 with well-formed lines, one containing ``fragment``."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert lines
    assert all(LINE.match(line) for line in lines), lines
    assert "Traceback" not in result.stderr
    assert any(fragment in line for line in lines), lines
    return lines


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


EVENT = """\
events:
  - id: e1
    date: {date}
    title: An event
    effects:
      - {{path: {path}, {mode}: {value}}}
"""


def with_event(date: str = "2025-01-01", path: str = "positions.A.t", mode: str = "set",
               value: Any = 20) -> str:  # fmt: skip
    return VALID + EVENT.format(date=date, path=path, mode=mode, value=value)


# -- reading ----------------------------------------------------------------------------------
def test_huge_integer_is_one_line_in_yaml_json_and_python(tmp_path: Path) -> None:
    big = 10**400
    path = write(tmp_path, VALID.replace("capability: 2}", f"capability: {big}}}"))
    lines = one_line_errors(["validate", str(path)], "beyond the float range")
    assert lines[0].startswith(f"{path}:5:38: actors[0].capability:")
    data = yaml.safe_load(VALID)
    data["actors"][0]["capability"] = big
    as_json = write(tmp_path, json.dumps(data), "s.json")
    one_line_errors(["validate", str(as_json)], "beyond the float range")
    with pytest.raises(ScenarioError, match="beyond the float range"):
        validate(data)  # the Python API, no file
    data["issues"][0]["scale"] = [0, big]
    data["actors"][0]["capability"] = 2
    with pytest.raises(ScenarioError, match="beyond the float range"):
        validate(data)


@pytest.mark.parametrize("literal", ["1" * 5000, "0x" + "f" * 800, "-" + "9" * 400])
def test_long_integer_literals_are_refused_unconverted(tmp_path: Path, literal: str) -> None:
    path = write(tmp_path, VALID + f"metadata: {{n: {literal}}}\n")
    one_line_errors(["validate", str(path)], "integer")


@pytest.mark.parametrize("depth", [41, 1000, 5000])
def test_deep_nesting_is_refused_with_its_place(tmp_path: Path, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    yaml_path = write(tmp_path, VALID + f"metadata: {{x: {nested}}}\n")
    one_line_errors(["validate", str(yaml_path)], f"nested more than {limits.MAX_DEPTH} levels")
    data = yaml.safe_load(VALID)
    text = json.dumps(data)[:-1] + f', "metadata": {nested}}}'
    json_path = write(tmp_path, text, "s.json")
    lines = one_line_errors(["validate", str(json_path)], "nested more than")
    assert re.match(rf"^{re.escape(str(json_path))}:1:\d+: ", lines[0])


def test_nesting_within_the_limit_is_kept() -> None:
    depth = limits.MAX_DEPTH - 2  # the root mapping and metadata's mapping take two levels
    data, _ = parse_yaml(VALID + "metadata: {x: " + "[" * depth + "1" + "]" * depth + "}\n")
    node = data["metadata"]["x"]
    for _ in range(depth - 1):
        node = node[0]
    assert node == [1]


def test_alias_bomb_is_refused_early(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    path = write(tmp_path, VALID + "metadata:\n" + "".join(f"  {x}\n" for x in lines))
    one_line_errors(["validate", str(path)], f"more than {limits.MAX_NODES:,} values")
    many = "".join(f"  k{n}: *a\n" for n in range(limits.MAX_ALIASES + 1))
    path = write(tmp_path, VALID + "metadata:\n  a: &a 1\n" + many)
    one_line_errors(["validate", str(path)], f"more than {limits.MAX_ALIASES} YAML aliases")


def test_aliases_and_merges_within_the_limits_read_as_yaml_does() -> None:
    text = "base: &b {x: 1, y: 2}\nother: {<<: *b, y: 3}\nlist: [*b, *b]\ns: &s text\nt: *s\n"
    data, marks = parse_yaml(text)
    assert data == yaml.safe_load(text)
    assert marks[("other",)] == (2, 8)
    with pytest.raises(ScenarioError, match="names no complete anchor"):
        parse_yaml("loop: &x [1, *x]\n")  # a value cannot contain itself


def test_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "#" + "x" * limits.MAX_FILE_BYTES + "\n")
    one_line_errors(["validate", str(path)], f"above the limit of {limits.MAX_FILE_BYTES:,}")
    with pytest.raises(ScenarioError, match="above the limit"):
        parse_json('{"title": "' + "x" * limits.MAX_FILE_BYTES + '"}')
    bdm = write(tmp_path, "Actor,Capability,Position,Salience\n" + "A,1,2,0.5\n" * 600_000, "b.csv")
    one_line_errors(["import", "bdm", str(bdm)], "above the limit")


def test_impossible_dates_and_tags_are_one_line(tmp_path: Path) -> None:
    for bad, fragment in [
        ("date: 2025-02-30", "day is out of range"),
        ("date: 0000-01-01", "year 0 is out of range"),
        ("metadata: !!python/object:os.system x", "malformed YAML"),
        ("metadata: {a: 1}\n---\ntitle: second", "more than one YAML document"),
        ("metadata: {b: !!binary /w==}", "binary data"),
    ]:
        path = write(tmp_path, VALID + bad + "\n")
        one_line_errors(["validate", str(path)], fragment)


def test_ktab_xml_nesting_is_refused(tmp_path: Path) -> None:
    xml = "<Scenario>" + "<a>" * 100 + "</a>" * 100 + "</Scenario>"
    path = write(tmp_path, xml, "k.xml")
    one_line_errors(["import", "ktab", str(path)], "nested more than")


# -- numbers ----------------------------------------------------------------------------------
def _forecasts(data: dict[str, Any]) -> dict[str, list[float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return {f.model: f.values.tolist() for f in forecast_all(validate(data), seed=0)}


def _capabilities(factor: float | None = None, value: float | None = None) -> dict[str, Any]:
    data = yaml.safe_load(VALID)
    for actor in data["actors"]:
        cap = actor["capability"]
        if value is not None:
            actor["capability"] = value
        elif isinstance(cap, dict):
            actor["capability"] = {k: v * factor if k in ("low", "best", "high") else v
                                   for k, v in cap.items()}  # fmt: skip
        else:
            actor["capability"] = cap * factor
    return data


REFERENCE = _forecasts(_capabilities(1.0))


@settings(max_examples=12, deadline=None)
@given(exponent=st.floats(-300, 300), mantissa=st.floats(1.0, 9.99))
def test_capabilities_matter_only_as_ratios(exponent: float, mantissa: float) -> None:
    """Scaling every capability by 1e-300 ... 1e300 leaves every model's forecasts unchanged,
    bit for bit, with no RuntimeWarning (they are read as ratios to the largest)."""
    assert _forecasts(_capabilities(mantissa * 10**exponent)) == REFERENCE


def test_largest_float_capabilities_equal_unit_capabilities() -> None:
    top = _forecasts(_capabilities(value=1.7976931348623157e308))
    assert top == _forecasts(_capabilities(value=1.0))
    assert all(np.isfinite(v).all() for v in top.values())


def test_tiny_saliences_weigh_as_their_ratios() -> None:
    """Subnormal saliences on an issue (9, 8 and 3 times the smallest float, as 0.9, 0.8 and
    0.3) weigh as their ratios in the weighted models: their products with the capabilities
    would lose most of their digits, so the issue's saliences are rescaled for the weights."""
    data = yaml.safe_load(VALID)
    data["actors"][0]["capability"] = 3.7  # ratios whose products are not whole multiples
    data["actors"][2]["capability"] = 1.3
    reference = _forecasts(data)
    for actor, row in data["salience"].items():
        row["t"] = {"A": 9, "B": 8, "C": 3}[actor] * 5e-324
    got = _forecasts(data)
    for model in ("compromise", "median", "nash"):
        assert got[model] == pytest.approx(reference[model], rel=1e-12), model


def test_capability_ratios_outside_the_models_do_not_overflow() -> None:
    from multipolar.scenario.base import Estimate
    from multipolar.uncertainty.montecarlo import ppf
    from multipolar.war.report import capability_share

    assert capability_share(1.7976931348623157e308, 1.7976931348623157e308) == 0.5
    assert capability_share(0.0, 0.0) == 0.0
    est = Estimate(best=1.7e308, low=0.0, high=1.79e308)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        drawn = ppf(est, np.linspace(0, 1, 11))
    assert np.isfinite(drawn).all()
    assert 0 <= drawn.min() <= drawn.max() <= 1.79e308


@pytest.mark.parametrize(
    ("scale", "fragment"),
    [("[-5.0e-324, 5.0e-324]", "narrower than"), ("[0, 1.0e-7]", "narrower than"),
     ("[999999999, 1000000000]", "narrower than"), ("[0, 1.0e+16]", "reaches beyond")],
)  # fmt: skip
def test_degenerate_scales_are_refused_before_any_analysis(
    tmp_path: Path, scale: str, fragment: str
) -> None:
    text = VALID.replace("scale: [0, 10]", f"scale: {scale}").replace("g: 2}", "g: 0}")
    path = write(tmp_path, text.replace("g: 8}", "g: 0}"))
    one_line_errors(["validate", str(path)], fragment)
    one_line_errors(["simulate", str(path), "--draws", "20"], fragment)


# -- click's own usage errors -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["forecast"], "multipolar forecast: missing argument 'file'"),
        (["forecast", "x.yaml", "--bogus"], "no such option: --bogus"),
        (["forecast", "x.yaml", "--format", "xml"], "'xml' is not one of"),
        (["nocommand"], "multipolar: no such command 'nocommand'"),
        (["ledger", "seal"], "multipolar ledger seal: missing argument"),
        (["simulate", "x.yaml", "--seed"], "requires an argument"),
    ],
)
def test_click_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    lines = one_line_errors(args, fragment)
    assert len(lines) == 1
    assert lines[0].endswith("--help'")


def test_a_bare_group_still_shows_its_help() -> None:
    result = runner.invoke(app, ["ledger"])
    assert "seal" in result.output
    assert "Traceback" not in result.output
