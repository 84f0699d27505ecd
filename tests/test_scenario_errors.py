"""Malformed scenario files: each gives one-line errors naming file, line and fix; exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import ScenarioError
from multipolar.scenario import Estimate, load
from tests.conftest import VALID

runner = CliRunner()


def _edit(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


# (case id, file text, expected fragment of the message, expected line number or None)
CASES: list[tuple[str, str, str, int | None]] = [
    (
        "malformed-yaml",
        VALID.replace("  A: {t: 10, g: 2}", "  A: {t: 10, g: 2"),
        "malformed YAML",
        None,
    ),
    ("tab-indent", VALID.replace("  - {id: g,", "\t- {id: g,"), "malformed YAML", 13),
    ("control-character", VALID.replace("Alpha", "Al\x00pha"), "malformed YAML", None),
    ("not-a-mapping", "- just\n- a list\n", "no scenario mapping", 1),
    ("empty-file", "", "no scenario mapping", None),
    ("unknown-actor-position", _edit("  C: {t: 50}", "  D: {t: 50}"), "unknown actor 'D'", 17),
    ("unknown-actor-salience", _edit("  C: {t: 0.3}", "  Cc: {t: 0.3}"), "did you mean 'C'", 21),
    ("unknown-issue", _edit("  A: {t: 10, g: 2}", "  A: {t: 10, gg: 2}"), "unknown issue 'gg'", 15),
    (
        "duplicate-actor-id",
        _edit("{id: C, name: Gamma", "{id: A, name: Gamma"),
        "duplicate actor id",
        7,
    ),
    (
        "duplicate-issue-id",
        _edit("{id: g, name: Guarantees", "{id: t, name: Guarantees"),
        "duplicate issue id",
        13,
    ),
    (
        "duplicate-yaml-key",
        _edit("  C: {t: 50}", "  C: {t: 50}\n  C: {t: 40}"),
        "duplicate key 'C'",
        18,
    ),
    ("salience-above-1", _edit("B: {t: 0.8", "B: {t: 1.8"), "salience 1.8 is outside [0, 1]", 20),
    ("salience-negative", _edit("C: {t: 0.3}", "C: {t: -0.1}"), "salience -0.1 is outside", 21),
    (
        "negative-capability",
        _edit("capability: 2}", "capability: -2}"),
        "capability -2 is negative",
        5,
    ),
    (
        "position-outside-scale",
        _edit("B: {t: 90", "B: {t: 190"),
        "position 190 is outside [0, 100]",
        16,
    ),
    (
        "position-range-outside",
        _edit("A: {t: 10, g: 2}", "A: {t: 10, g: {low: 1, best: 2, high: 12}}"),
        "position 12 is outside [0, 10]",
        15,
    ),
    ("nan-position", _edit("B: {t: 90", "B: {t: .nan"), "not a finite number", 16),
    ("inf-capability", _edit("capability: 2}", "capability: .inf}"), "not a finite number", 5),
    (
        "empty-actors",
        VALID.split("actors:")[0] + "actors: []\n" + "issues:" + VALID.split("issues:")[1],
        "no actors",
        4,
    ),
    (
        "no-position-on-issue",
        _edit("  A: {t: 10, g: 2}\n  B: {t: 90, g: 8}", "  A: {t: 10}\n  B: {t: 90}").replace(
            "A: {t: 0.9, g: 0.5}\n  B: {t: 0.8, g: 0.6}", "A: {t: 0.9}\n  B: {t: 0.8}"
        ),
        "nobody has a position on issue 'g'",
        13,
    ),
    (
        "range-low-above-high",
        _edit("{low: 1, best: 2, high: 3,", "{low: 3, best: 2, high: 1,"),
        "low 3 > high 1",
        6,
    ),
    (
        "best-outside-range",
        _edit("{low: 1, best: 2, high: 3,", "{low: 1, best: 5, high: 3,"),
        "best 5 is outside",
        6,
    ),
    (
        "half-range",
        _edit("{low: 1, best: 2, high: 3,", "{low: 1, best: 2,"),
        "needs both low and high",
        6,
    ),
    ("missing-title", VALID.replace("title: Two-issue test\n", ""), "'title' is missing", None),
    ("missing-salience", _edit("  C: {t: 0.3}\n", ""), "no salience", 17),
    (
        "salience-without-position",
        _edit("  C: {t: 0.3}", "  C: {t: 0.3, g: 0.2}"),
        "no position",
        21,
    ),
    ("unknown-field", _edit("title: Two", "titel: x\ntitle: Two"), "unknown field 'titel'", 1),
    ("string-number", _edit("B: {t: 90", "B: {t: 'ninety'"), "expected a number", 16),
    ("bad-kind", _edit("kind: mediator", "kind: referee"), "'referee' is not allowed", 7),
    ("reversed-scale", _edit("scale: [0, 10]", "scale: [10, 0]"), "empty or reversed", 13),
    ("missing-scale", _edit(", scale: [0, 10]}", "}"), "issue 'g' has no scale", 13),
    ("unknown-source", _edit("source: s1}", "source: s2}"), "unknown source 's2'", 6),
    ("bad-id", _edit("{id: C, name", "{id: 'C C', name"), "invalid id", 7),
    (
        "status-quo-outside",
        _edit("status_quo: 40", "status_quo: 400"),
        "status quo 400 is outside",
        12,
    ),
]


@pytest.mark.parametrize(("name", "text", "fragment", "line"), CASES, ids=[c[0] for c in CASES])
def test_malformed_file_one_line_error(
    tmp_path: Path, name: str, text: str, fragment: str, line: int | None
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines, "an error message is printed"
    assert "Traceback" not in result.stderr
    hit = [ln for ln in lines if fragment in ln]
    assert hit, f"no line mentions {fragment!r}: {lines}"
    assert hit[0].startswith(str(path))
    if line is not None:
        assert hit[0].startswith(f"{path}:{line}:"), hit[0]
    for ln in lines:
        assert "; fix: " in ln or "fix" in ln.lower(), ln


def test_valid_file_passes(valid_file: Path) -> None:
    result = runner.invoke(app, ["validate", str(valid_file)])
    assert result.exit_code == 0, result.stderr
    assert "3 actors, 2 issues" in result.stdout


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr
    other = tmp_path / "scenario.txt"
    other.write_text("title: x\n")
    result = runner.invoke(app, ["validate", str(other)])
    assert result.exit_code == 2
    assert "unknown file type '.txt'" in result.stderr


def test_json_errors_have_lines(tmp_path: Path) -> None:
    data = json.loads(json.dumps(__import__("yaml").safe_load(VALID)))
    data["salience"]["A"]["t"] = 3
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(ScenarioError) as err:
        load(path)
    assert "salience 3 is outside [0, 1]" in str(err.value)
    assert str(err.value).startswith(f"{path}:")
    broken = tmp_path / "b.json"
    broken.write_text('{"title": "x",\n "actors": [}')
    with pytest.raises(ScenarioError, match=r"b\.json:2:\d+: malformed JSON"):
        load(broken)


def test_json_nan_rejected(tmp_path: Path) -> None:
    data = json.loads(json.dumps(__import__("yaml").safe_load(VALID)))
    data["positions"]["A"]["t"] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ScenarioError, match="not a finite number"):
        load(path)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    text = _edit("B: {t: 0.8", "B: {t: 1.8").replace("capability: 2}", "capability: -2}")
    path = tmp_path / "two.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load(path)
    assert len(err.value.problems) == 2


def test_missing_scale_is_one_line_with_the_fix(tmp_path: Path) -> None:
    """An issue without a scale used to be read silently as 0-100."""
    path = tmp_path / "noscale.yaml"
    path.write_text(_edit(", scale: [0, 10]}", "}"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        re.escape(f"{path}:") + r"13:\d+: issues\[1\]: issue 'g' has no scale; "
        r"fix: add scale: \[low, high\], e\.g\. scale: \[0, 100\]",
        lines[0],
    ), lines[0]


WAR = """conflict:
  belligerents: [A, B]
  p: 0.6
  costs: {A: 0.1, B: 0.2}
  discount: 0.9
  stakes: [t]
  power_shift: {declining: B, next: 0.3}
"""


@pytest.mark.parametrize(
    ("old", "new", "fragment", "hint"),
    [
        ("belligerents: [A, B]", "belligerents: [A, X]", "unknown actor 'X'", "did you mean 'B'?"),
        (
            "costs: {A: 0.1, B: 0.2}",
            "costs: {A: 0.1, X: 0.2}",
            "'X' is not a belligerent",
            "rename it to 'B'",
        ),
    ],
)
def test_misspelt_belligerent_gives_one_line(
    tmp_path: Path, old: str, new: str, fragment: str, hint: str
) -> None:
    path = tmp_path / "war.yaml"
    path.write_text(VALID + WAR.replace(old, new))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert fragment in lines[0]
    assert hint in lines[0]
    assert "rename it to 'X'" not in lines[0]
    assert "costs for A and X" not in lines[0]


def test_misspelt_belligerent_without_costs_hint_uses_spelling(tmp_path: Path) -> None:
    """With no spare name in costs to point to, the closest actor id is suggested."""
    path = tmp_path / "war.yaml"
    text = VALID.replace("{id: B, name:", "{id: Bravo, name:").replace("  B: {", "  Bravo: {")
    war = WAR.replace("B", "Bravp").replace("declining: Bravp", "declining: A")
    path.write_text(text + war)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "unknown actor 'Bravp'" in lines[0]
    assert "did you mean 'Bravo'?" in lines[0]


def test_directory_says_so_and_names_a_file(tmp_path: Path, valid_file: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{tmp_path}: is a directory")
    assert f"fix: pass one scenario file, e.g. {valid_file}" in line
    empty = tmp_path / "empty.yaml"  # a folder with a scenario suffix, and nothing inside
    empty.mkdir()
    result = runner.invoke(app, ["validate", str(empty)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr
    assert "pass a scenario file (.yaml, .yml or .json)" in result.stderr


def _suggested(fix: str) -> list[tuple[float, float, float]]:
    """Every (low, best, high) a fix suggests; 'to keep best' reuses the range's own best."""
    out = [
        (float(lo), float(best), float(hi))
        for lo, best, hi in re.findall(r"low (\S+), best (\S+), high ([^\s),]+)", fix)
    ]
    keep = re.search(r"to keep best (\S+): low (\S+), high ([^\s),]+)", fix)
    if keep:
        out.append((float(keep[2]), float(keep[1].rstrip(":")), float(keep[3])))
    return out


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(finite, finite, finite)
def test_range_fix_gives_a_valid_ordering(low: float, best: float, high: float) -> None:
    assume(not low <= best <= high)
    with pytest.raises(ValidationError) as err:
        Estimate(low=low, best=best, high=high)
    fix = err.value.errors()[0]["ctx"]["fix"]
    suggestions = _suggested(fix)
    assert suggestions, fix
    for lo, b, hi in suggestions:
        Estimate(low=lo, best=b, high=hi)  # valid: does not raise


@pytest.mark.parametrize(("low", "best", "high"), [(9, 5, 1), (5, 9, 1), (1, 5, 3), (5, 1, 9)])
def test_range_fix_in_the_error_line(tmp_path: Path, low: int, best: int, high: int) -> None:
    path = tmp_path / "range.yaml"
    path.write_text(
        _edit("{low: 1, best: 2, high: 3,", f"{{low: {low}, best: {best}, high: {high},")
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    suggestions = _suggested(line.split("; fix: ")[1])
    assert suggestions
    for lo, b, hi in suggestions:
        assert lo <= b <= hi
        assert sorted((lo, b, hi)) == sorted((low, best, high)) or b == best
