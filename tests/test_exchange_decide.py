"""decide's input format (``multipolar import decide``, ``export decide``): reading its row
types, quoting and separators, round trips, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import ScenarioError
from multipolar.scenario.formats import export_text, import_file
from multipolar.scenario.formats.decide import write
from multipolar.scenario.formats.sniff import guess
from multipolar.scenario.loader import dumps

runner = CliRunner()
# decide's own layout: tabs and single quotes, scale points with meanings, a comment column
QUOTED = """\
'#A'\t'Alpha'\t'Alpha party'\t'the first'
'#A'\t'Beta'\t'Beta'\t''
'#A'\t'Gamma'\t'Gamma'
'#P'\t'tax'\t'Tax rate'\t'percent of income'
'#M'\t'tax'\t0\t'none'
'#M'\t'tax'\t25\t'a quarter'
'#M'\t'tax'\t50\t'half'
'#P'\t'aid'\t'Aid'
'#D'\t'Alpha'\t'tax'\t10\t0.9\t2
'#D'\t'Alpha'\t'aid'\t70\t0.3\t2
'#D'\t'Beta'\t'tax'\t40\t0.4\t1
'#D'\t'Beta'\t'aid'\t20\t0.8\t1
'#D'\t'Gamma'\t'tax'\t30.5\t50\t1.5
'#O'\t'A test case'
"""


def write_file(tmp_path: Path, text: str, name: str = "case.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        import_file("decide", path)
    return str(info.value)


def test_reads_decides_own_layout(tmp_path: Path) -> None:
    got = import_file("decide", write_file(tmp_path, QUOTED))
    (scn,) = got.scenarios
    assert [a.id for a in scn.actors] == ["Alpha", "Beta", "Gamma"]
    assert scn.actors[0].name == "Alpha party"
    assert scn.actors[0].notes == "the first"
    assert [a.capability.best for a in scn.actors] == [2.0, 1.0, 1.5]
    tax, aid = scn.issues
    assert tax.scale == (0.0, 50.0)
    assert (tax.low_label, tax.high_label) == ("none", "half")
    assert [(a.value, a.label) for a in tax.anchors] == [(25.0, "a quarter")]
    assert tax.description == "percent of income"
    assert aid.scale == (0.0, 100.0)
    assert scn.positions["Gamma"]["tax"].best == 30.5
    assert "aid" not in scn.positions["Gamma"]
    assert scn.salience["Gamma"]["tax"].best == 0.5  # 0-100 salience (a value above 1) / 100
    assert scn.salience["Alpha"]["tax"].best == pytest.approx(0.009)
    assert any("0-100" in n for n in got.notes)
    assert scn.description == "A test case"


def test_round_trip_and_yaml(tmp_path: Path) -> None:
    (scn,) = import_file("decide", write_file(tmp_path, QUOTED)).scenarios
    text = write(scn)
    assert text.startswith("#O;A test case\n")
    assert "#D;Alpha;tax;10;0.009;2\n" in text
    again = import_file("decide", write_file(tmp_path, text, "again.csv")).scenarios[0]
    assert again.model_copy(update={"id": scn.id, "title": scn.title}) == scn
    assert export_text("decide", [scn]) == text
    found = guess(text, "x.csv")
    assert found is not None
    assert found.fmt == "decide"
    assert "Alpha" in dumps(scn)


def test_cli_import_and_export(tmp_path: Path) -> None:
    src = write_file(tmp_path, QUOTED)
    out = tmp_path / "case.yaml"
    result = runner.invoke(app, ["import", "decide", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "note: salience read on a 0-100 scale" in result.stderr
    back = runner.invoke(app, ["export", "decide", str(out)])
    assert back.exit_code == 0, back.stderr
    assert back.stdout == write(import_file("decide", src).scenarios[0])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("#A;a;A\n#P;p;P\n#X;what\n", 3, "unknown row type '#X'; fix: start every row with #A"),
        ("#A;a;A\n#P;p;P\n#D;b;p;1;0.5;1\n", 3, "unknown actor 'b'"),
        ("#A;a;A\n#P;p;P\n#D;a;q;1;0.5;1\n", 3, "unknown issue 'q'"),
        ("#A;a;A\n#P;p;P\n#P;q;Q\n#D;a;p;1;0.5;1\n#D;a;q;1;0.5;2\n", 5,
         "power 2 of 'a' differs from 1 on line 4"),
        ("#A;a;A\n#P;p;P\n#M;p;0\n#M;p;10\n#D;a;p;20;0.5;1\n", 5, "outside the scale [0, 10]"),
        ("#A;a;A\n#P;p;P\n#D;a;p;1;0.5;1\n#D;a;p;2;0.5;1\n", 4, "given twice (first on line 3)"),
        ("#A;a;A\n#A;a;A\n#P;p;P\n", 2, "declared twice"),
        ("#A;a;A\n#P;p;P\n#D;a;p;x;0.5;1\n", 3, "'x' is not a number"),
        ("#A;a;A\n#P;p;P\n#M;p;5\n", 3, "one scale value 5"),
    ],
)  # fmt: skip
def test_bad_files_name_the_line_and_a_fix(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write_file(tmp_path, text)
    got = error(path)
    assert f"{path}:{line}" in got
    assert message in got
    assert "fix:" in got


def test_cli_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write_file(tmp_path, "#A;a;A\n#P;p;P\n#X;what\n")
    result = runner.invoke(app, ["import", "decide", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr


def test_forecast_trace_lists_the_exchanges(tmp_path: Path) -> None:
    src = write_file(tmp_path, QUOTED)
    out = tmp_path / "case.yaml"
    assert runner.invoke(app, ["import", "decide", str(src), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["forecast", str(out), "-m", "exchange", "--trace"])
    assert result.exit_code == 0, result.stderr
    assert "exchange trace: tax" in result.stdout
    assert "exchange: exchanges (" in result.stdout
    plain = runner.invoke(app, ["forecast", str(out), "-m", "compromise", "--trace"])
    assert "exchanges" not in plain.stdout
