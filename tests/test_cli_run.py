"""`multipolar run` (what `make run` calls) prints what its six commands print run one after
another, and writes the same report bytes as `multipolar report --quiet`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.cli_report import RUN_STEPS

CASE = Path(__file__).parent / "data" / "commitment_binds.yaml"
DRAWS = "20"  # few: the same output either way is what is checked


def test_run_is_its_commands_in_one_process(tmp_path: Path) -> None:
    runner = CliRunner()
    alone = tmp_path / "alone.html"
    together = tmp_path / "together.html"
    printed = []
    for step in RUN_STEPS:
        args = [part.format(file=CASE, output=alone) for part in step]
        args += ["--draws", DRAWS] if step[0] in ("summary", "deals", "report") else []
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        printed.append(result.stdout)
    result = runner.invoke(app, ["run", str(CASE), "-o", str(together), "--draws", DRAWS])
    assert result.exit_code == 0, result.output
    assert result.stdout.replace(str(together), str(alone)) == "".join(printed)
    assert together.read_bytes() == alone.read_bytes()
    assert [step[0] for step in RUN_STEPS] == ["validate", "summary", "forecast", "war", "deals",
                                               "report"]  # fmt: skip


def test_run_stops_at_the_first_failing_step(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nactors: []\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert not (tmp_path / "r.html").exists()
    assert result.stderr.count("\n") >= 1


@pytest.mark.parametrize("output", ["missing-dir/r.html"])
def test_run_checks_the_output_first(tmp_path: Path, output: str) -> None:
    result = CliRunner().invoke(app, ["run", str(CASE), "-o", str(tmp_path / output)])
    assert result.exit_code == 2
    assert "fix:" in result.stderr
