"""One declaration per numeric option and model parameter (multipolar.params): the command
line, the Python API and the models registry refuse the same values with one line, before any
work; every output path is checked before any work; a derandomised fuzz over every numeric
option of every command (parsing only: nothing runs)."""

from __future__ import annotations

import contextlib
import inspect
import io
import math
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.errors import UsageError
from multipolar.models import specs
from multipolar.params import MAX_DRAW_VALUES, MAX_SEED, Param, ParamError
from tests.conftest import SCENARIOS, VALID

runner = CliRunner()
UKR = str(SCENARIOS / "ukraine_2025_08.yaml")


def refused(args: list[str]) -> str:
    """The one line a command prints for a bad option (exit code 2, no traceback)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "fix:" in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["simulate", UKR, "--seed", "-1"], "--seed: -1 is below 0"),
        (["deals", UKR, "--seed=-1"], "--seed: -1 is below 0"),
        (["simulate", UKR, "--draws", "1000000000000"], "above the ceiling of 1000000"),
        (["deals", UKR, "--top", "-1"], "--top: -1 is below 1"),
        (["deals", UKR, "--draws", "-1"], "--draws: -1 is below 0"),
        (["deals", UKR, "--top", "x"], "--top: 'x' is not a whole number"),
        (["mediate", UKR, "--mediator", "TUR", "--bias", "nan"], "not a finite number"),
    ],
)
def test_option_reproducers_are_one_line_errors(args: list[str], needle: str) -> None:
    assert needle in refused(args)


def test_a_seed_beyond_64_bits_fails_before_any_work(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    line = refused(["forecast", UKR, "--seed", str(2**63), "--save", "--db", str(db)])
    assert "--seed: 9223372036854775808 is above the ceiling of 2**63-1" in line
    assert not db.exists()  # nothing ran, nothing was saved


OUTPUTS = [
    ["forecast", UKR, "-o", "{bad}"],
    ["forecast", UKR, "--trace-out", "{bad}"],
    ["import", "bdm", "missing.csv", "-o", "{bad}"],
    ["import", "deu", "missing.csv", "-o", "{bad}/folder"],
    ["export", "yaml", UKR, "-o", "{bad}"],
    ["schema", "-o", "{bad}"],
    ["analysis", UKR, "-o", "{bad}"],
    ["simulate", UKR, "-o", "{bad}"],
    ["sensitivity", UKR, "-o", "{bad}"],
    ["report", UKR, "-o", "{bad}"],
    ["backtest", "deu", "missing.csv", "-o", "{bad}"],
    ["backtest", "deu", "missing.csv", "--json-out", "{bad}"],
    ["backtest", "deu", "missing.csv", "--issues-csv", "{bad}"],
]


@pytest.mark.parametrize("args", OUTPUTS, ids=lambda a: " ".join(a[:1] + a[-2:-1]))
def test_every_output_path_is_checked_before_any_work(tmp_path: Path, args: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    folder = args[-1].endswith("/folder")  # a folder may be created: only a file blocks it
    paths = [blocker / "x"] if folder else [Path("/nonexistent/x.yaml"), blocker / "x"]
    if args[0] != "import":  # import -o FOLDER writes many scenarios into a folder
        paths.append(tmp_path)
    for bad in map(str, paths):
        path = args[-1].replace("{bad}", bad)
        line = refused([*args[:-1], path])
        assert line.startswith(f"{path}: cannot write (")
        assert line.endswith("; fix: check the path")


def test_the_python_api_takes_the_same_bounds() -> None:
    with pytest.raises(UsageError, match=r"^top: -1 is below 1; fix:"):
        multipolar.deals(UKR, top=-1, draws=0)
    with pytest.raises(UsageError, match=r"^draws: 1000000000000 is above the ceiling"):
        multipolar.simulate(UKR, draws=10**12)
    with pytest.raises(UsageError, match=r"^seed: -1 is below 0"):
        multipolar.forecasts(UKR, seed=-1)
    with pytest.raises(UsageError, match="not a whole number"):
        multipolar.verdict(UKR, draws=1.5)  # type: ignore[arg-type]


def test_draws_that_would_not_fit_in_memory_are_refused_before_drawing() -> None:
    """Within the ceiling, but draws × ranged estimates (every range of the bundled scenario,
    its constituencies' too) above MAX_DRAW_VALUES: refused before any value is drawn, naming
    the most draws that fit."""
    from multipolar.uncertainty.montecarlo import ranged_paths

    ranged = len(ranged_paths(multipolar.load(UKR)))
    assert ranged > 1
    most = MAX_DRAW_VALUES // ranged
    with pytest.raises(UsageError, match=rf"values \(at most 20,000,000\); fix: ask for {most}"):
        multipolar.simulate(UKR, draws=most + 1)


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ("smp: {affinity: x}", "models.smp.affinity: 'x' is not a matrix of numbers"),
        ("eum: {rounds: ten}", "models.eum.rounds: 'ten' is not a whole number"),
        ("eum: {rounds: 1.5}", "models.eum.rounds: 1.5 is not a whole number"),
        ("nash: {loss: x}", "models.nash.loss: 'x' is not a number"),
        ("eum: {rounds: 10000000}", "models.eum.rounds: 10000000 is above the ceiling of 1000"),
        ("smp: {max_turns: -1}", "models.smp.max_turns: -1 is below 0"),
        ("eum: {round: 3}", "models.eum.round: 'eum' has no parameter 'round'; fix: did you"),
        ("emu: {}", "models.emu: unknown model 'emu'; fix: did you mean 'eum'?"),
    ],
)
def test_validate_checks_the_models_block(tmp_path: Path, block: str, needle: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"{VALID}models:\n  {block}\n", encoding="utf-8")
    line = refused(["validate", str(path)])
    assert line.startswith(f"{path}:23:")  # FILE:LINE:COL of the value
    assert needle in line
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        f"{VALID}models:\n  eum: {{rounds: 20}}\n  smp: {{voting_rule: PropBin}}\n", "utf-8"
    )
    assert runner.invoke(app, ["validate", str(ok)]).exit_code == 0


def test_every_model_parameter_is_declared_with_a_type_and_bounds() -> None:
    declared = [(spec, p) for spec in specs() for p in spec.params]
    assert len(declared) >= 23
    for spec, p in declared:
        assert p.coerce(p.default) == p.default or p.default is None
        if p.kind in (int, float):
            assert p.low is not None, (spec.name, p.name)
            assert p.high is not None, (spec.name, p.name)
        elif p.kind is str:
            assert p.choices, (spec.name, p.name)
        else:
            assert p.kind is bool or p.validator is not None, (spec.name, p.name)
        assert p.help
    for spec in specs():  # the function takes exactly what is declared
        sig = inspect.signature(spec.fn).parameters
        named = {n for n, v in sig.items() if v.kind is v.KEYWORD_ONLY and n != "seed"}
        assert named <= {p.name for p in spec.params}, spec.name


JSONISH = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=6),
    st.lists(st.lists(st.floats(-1, 2), max_size=3), max_size=3),
)


@settings(max_examples=150)
@given(data=st.data())
def test_model_parameters_refuse_any_bad_value_with_one_line(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(specs()))
    if not spec.params:
        return
    p = data.draw(st.sampled_from(spec.params))
    value = data.draw(JSONISH)
    problems = spec.problems({p.name: value}, ("models", spec.name))
    if problems:
        line = problems[0].format("s.yaml")
        assert line.startswith(f"s.yaml: models.{spec.name}.{p.name}: ")
        assert "; fix: " in line
        assert "\n" not in line
    else:
        _within(p, p.coerce(value))


def _within(p: Param, value: Any) -> None:
    if value is None:
        assert p.optional
    elif p.kind in (int, float):
        assert isinstance(value, p.kind)
        assert math.isfinite(value)
        assert p.low is None or value >= p.low
        assert p.high is None or value <= p.high


ROOT = typer.main.get_command(app)  # built once: building it is slow


def _numeric_options() -> list[tuple[str, list[str], Any, Param]]:
    """(command, required arguments, click parameter, declaration) of every numeric option
    and argument of every command."""
    found = []

    def walk(group: Any, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])
                continue
            required = []
            for param in command.params:
                if param.required and param.param_type_name == "argument":
                    required.append("1" if _declared(param) else "x.yaml")
                elif param.required:
                    required += [param.opts[0], "x"]
            for param in command.params:
                if param.type_descriptor.annotation in (int, float):
                    decl = _declared(param)
                    assert decl is not None, f"{name} {param.name} has no declaration"
                    found.append((" ".join([*prefix, name]), required, param, decl))

    walk(ROOT, [])
    return found


def _declared(param: Any) -> Param | None:
    parser = param.type_descriptor.parameter_info.parser
    return getattr(parser, "declaration", None)


NUMERIC = _numeric_options()


def test_every_numeric_option_is_declared() -> None:
    flags = {(cmd, p.opts[0]) for cmd, _, p, _ in NUMERIC}
    for expected in [("deals", "--top"), ("simulate", "--draws"), ("serve", "--port"),
                     ("runs show", "run_id"), ("backtest deu", "--bootstrap")]:  # fmt: skip
        assert expected in flags
    assert len(NUMERIC) >= 25


def _values(p: Param) -> st.SearchStrategy[Any]:
    edges = [e for b in (p.low, p.high) if b is not None for e in (b - 1, b, b + 1)]
    return st.one_of(
        st.sampled_from(edges or [0]),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["", "x", "1e3", "0x10", "1_000", " 7", "-0", "1.5", "inf"]),
    )


@settings(max_examples=300)
@given(data=st.data())
def test_numeric_options_fuzz(data: st.DataObject) -> None:
    """Any value of any numeric option: parsed within its declared bounds, or refused with one
    line and exit code 2, when the command line is read (the command never runs here)."""
    command, required, param, decl = data.draw(st.sampled_from(NUMERIC))
    value = data.draw(_values(decl))
    text = repr(value) if isinstance(value, float) else str(value)
    target = ROOT
    for part in command.split():
        target = target.commands[part]
    if param.param_type_name == "argument":
        args = [text if a == "1" else a for a in required]
        if text.startswith("-"):
            args = ["--", *args]
    else:
        args = [*required, f"{param.opts[0]}={text}"]
    err = io.StringIO()
    refusal: typer.Exit | None = None
    with contextlib.redirect_stderr(err):
        try:
            ctx = target.make_context(command, args)
        except typer.Exit as exc:
            refusal = exc
    if refusal is not None:
        assert refusal.exit_code == 2
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1
        assert "; fix: " in lines[0]
        with pytest.raises(ParamError):
            decl.coerce(text)
        return
    _within(decl, ctx.params[param.name])
    assert ctx.params[param.name] == decl.coerce(text)


def test_a_declared_default_is_within_its_bounds() -> None:
    for _, _, _, decl in NUMERIC:
        assert decl.coerce(decl.default) == decl.default
    assert Param("x", int, 0, "x", low=0, high=MAX_SEED).bounds() == (
        "a whole number from 0 to 2**63-1"
    )
