"""Hostile scenario input (issues 14 and 20, the input side): every reproducer gives one line
per problem and exit code 2, or a defined answer; reading and event checks take linear time;
capabilities matter only as ratios."""

from __future__ import annotations

import datetime as dt
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
from multipolar.errors import ScenarioError, UsageError
from multipolar.models.api import forecast_all
from multipolar.scenario import limits, validate
from multipolar.scenario.loader import parse_json, parse_yaml, to_data
from multipolar.scenario.paths import get_estimate, with_value
from tests.conftest import VALID
from tests.fuzz_cases import SMALL

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


# -- events -----------------------------------------------------------------------------------
def test_event_breaking_the_scenario_fails_validate_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, with_event(value=210))
    lines = one_line_errors(["validate", str(path)], "after event 'e1'")
    expected = (
        f"{path}:27:9: events[0].effects[0]: after event 'e1' (effect 'positions.A.t set 210'):"
        " position 210 is outside [0, 100]; fix: use a value in [0, 100]"
    )
    assert lines == [expected]


def test_event_states_are_checked_in_date_order(tmp_path: Path) -> None:
    """Two events that are fine together in file order but not in date order."""
    text = VALID + (
        "events:\n"
        "  - {id: late, date: 2025-02-01, title: L, effects: [{path: positions.A.t, shift: 80}]}\n"
        "  - {id: early, date: 2025-01-01, title: E,\n"
        "     effects: [{path: positions.A.t, shift: -50}]}\n"
    )
    one_line_errors(["validate", str(write(tmp_path, text))], "after event 'early'")


def test_leaving_actor_breaking_the_state_is_named(tmp_path: Path) -> None:
    """C alone holds nothing the others lack, but A alone has a position on g besides B: when
    A and B leave, nobody is positioned on g any more."""
    text = VALID.replace("  - {id: C, name: Gamma, kind: mediator, capability: 1}",
                         "  - {id: C, name: Gamma, kind: mediator, capability: 1}")  # fmt: skip
    text += "events:\n  - {id: go, date: 2025-01-01, title: G, effects: [{leave: A}, {leave: B}]}\n"
    one_line_errors(["validate", str(write(tmp_path, text))], "after event 'go'")


@pytest.mark.parametrize("date", ["0001-01-01", "0999-12-31", "3000-01-01"])
def test_event_dates_outside_the_range(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, with_event(date=date))
    one_line_errors(["validate", str(path)], f"date {date} is outside")
    one_line_errors(["timeline", str(path)], f"date {date} is outside")


def test_event_date_reproducer_on_the_server() -> None:
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
        warnings.filterwarnings("ignore", message=".*httpx2")
        from fastapi.testclient import TestClient
    from multipolar.server.app import create_app

    with TestClient(create_app(db_url="sqlite://")) as web:
        answer = web.post("/api/timeline", json={"scenario": {"text": with_event("0001-01-01")}})
    assert answer.status_code == 422, answer.text
    assert "date 0001-01-01 is outside" in answer.json()["error"]


def test_bad_effect_paths_never_hint_none(tmp_path: Path) -> None:
    text = VALID.replace("status_quo: 40", "status_quo: 40\n    anchors: [{value: 10, label: x}]")
    scn = validate(
        yaml.safe_load(text + "ideal_adjustment: [{actor: A, reference: B, weight: 1}]\n")
    )
    for path in ["issues.t.anchors.x", "ideal_adjustment.A", "positions.A.t.best.x",
                 "title.x", "positions.A.t.x", "sources.x", "events.x"]:  # fmt: skip
        with pytest.raises(UsageError) as caught:
            get_estimate(scn, path)
        assert "None" not in str(caught.value), str(caught.value)
    path = write(tmp_path, with_event(path="issues.t.anchors.x"))
    lines = one_line_errors(["validate", str(path)], "no entry 'x'")
    assert "None" not in lines[0]


def _many_events(n: int, effects: int = 1) -> dict[str, Any]:
    data = yaml.safe_load(VALID)
    start = dt.date(2000, 1, 1)
    data["events"] = [
        {"id": f"e{i}", "date": (start + dt.timedelta(days=i)).isoformat(), "title": "E",
         "effects": [{"path": "positions.A.t", "shift": 0.25 if (i + j) % 2 else -0.25}
                     for j in range(effects)]}
        for i in range(n)
    ]  # fmt: skip
    return data


def test_ten_thousand_events_validate_with_one_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation applies 10,000 events without re-validating the scenario per effect: the
    whole-scenario check runs a fixed number of times whatever the count (bench/run.py times
    it)."""
    from multipolar.scenario import checks, paths

    calls = {"check": 0}
    real = checks.check

    def counted(scn: Any) -> Any:
        calls["check"] += 1
        return real(scn)

    monkeypatch.setattr("multipolar.scenario.loader.check", counted)
    monkeypatch.setattr(paths, "with_value", None)  # the per-effect path is not used
    scn = validate(_many_events(10_000))
    assert len(scn.events) == 10_000
    assert calls["check"] <= 3
    with pytest.raises(ScenarioError, match="above the limit of 10,000"):
        validate(_many_events(10_001))


def test_effect_caps(tmp_path: Path) -> None:
    data = _many_events(1, effects=limits.MAX_EFFECTS_PER_EVENT + 1)
    with pytest.raises(ScenarioError, match="effects in one event, above the limit of 100"):
        validate(data)
    data = _many_events(300, effects=limits.MAX_EFFECTS // 300 + 1)
    with pytest.raises(ScenarioError, match="effects over all events"):
        validate(data)
    effects = "".join(f"      - {{path: positions.A.t, shift: {k % 2}}}\n" for k in range(5000))
    text = VALID + "events:\n  - id: e\n    date: 2025-01-01\n    title: E\n    effects:\n"
    path = write(tmp_path, text + effects)
    one_line_errors(["validate", str(path)], "5000 effects in one event")


def test_resolve_matches_effect_by_effect_application() -> None:
    """The linear replay gives the state that applying each effect through ``with_value``
    (a full validation per effect) gives."""
    from multipolar.dynamics.apply import resolve

    data = _many_events(40, effects=2)
    data["events"][3]["effects"].append({"path": "salience.B.g", "scale": 0.5})
    data["events"][5]["effects"].append({"path": "actors.B.capability", "set": 2.5})
    scn = validate(data)
    state = scn.model_copy(update={"events": []})
    for event in sorted(scn.events, key=lambda e: e.date):
        for eff in event.effects:
            assert eff.path is not None
            assert eff.value is not None
            state = with_value(state, eff.path, eff.value, mode=eff.mode)
    assert to_data(resolve(scn)) == to_data(state)


@settings(max_examples=25, deadline=None)
@given(
    path=st.sampled_from(
        ["positions.A.land", "positions.B.land", "salience.A.guard", "actors.B.capability",
         "issues.land.status_quo", "conflict.p", "conflict.discount", "conflict.costs.A",
         "deal.walk_away.M"]
    ),
    mode=st.sampled_from(["set", "shift", "scale"]),
    value=st.sampled_from([-1.0, -0.3, 0.0, 0.2, 0.5, 0.95, 1.0, 1.5, 7.0, 60.0, 150.0, 1e308]),
)  # fmt: skip
def test_local_effect_check_agrees_with_full_validation(path: str, mode: str, value: float) -> None:
    """Each effect is checked where it lands; the verdict and the state are those of applying
    it with a full validation of the scenario (``paths.with_value``)."""
    data = yaml.safe_load(SMALL)
    data["events"] = []
    base = validate(data)
    data["events"] = [{"id": "e", "date": "2025-01-01", "title": "E",
                       "effects": [{"path": path, mode: value}]}]  # fmt: skip
    try:
        full = with_value(base, path, value, mode=mode)
    except ScenarioError:
        full = None
    try:
        local = validate(data)
    except ScenarioError:
        local = None
    assert (full is None) == (local is None), (path, mode, value)
    if full is not None and local is not None:
        from multipolar.dynamics.apply import resolve

        assert to_data(resolve(local)) == to_data(resolve(full))


def test_attribution_beyond_six_effects_and_with_invalid_subsets() -> None:
    from multipolar.dynamics.timeline import attribute

    data = yaml.safe_load(VALID)
    data["events"] = [
        {"id": "big", "date": "2025-01-01", "title": "B",
         "effects": [{"path": "positions.A.t", "shift": 1.0 + k} for k in range(7)]},
        {"id": "order", "date": "2025-01-02", "title": "O",  # the shift alone leaves [0, 100]
         "effects": [{"path": "positions.B.t", "set": 20},
                     {"path": "positions.B.t", "shift": -15}]},
    ]  # fmt: skip
    scn = validate(data)
    state = scn.model_copy(update={"events": []})
    for event in scn.events:
        _, _, parts = attribute(state, event, ("compromise",), 0)
        for per_actor in parts.values():
            for row in per_actor.values():
                split = sum(v for k, v in row.items() if k != "total")
                assert split == pytest.approx(row["total"], abs=1e-9)
        from multipolar.dynamics.apply import apply_event

        state = apply_event(state, event)
