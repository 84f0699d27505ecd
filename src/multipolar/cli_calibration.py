"""``multipolar backtest calibration``: DEU III graded as a ledger of predictive distributions
(registered on the ``backtest`` command group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from multipolar import params
from multipolar.cli import _QUIET, _reported, _write
from multipolar.cli_backtest import ResampleUnit, backtest_app


def _command(
    path: Path,
    scheme: str,
    models: list[str] | None,
    seed: int,
    draws: int,
    bootstrap: int,
    resample: ResampleUnit,
) -> str:
    """The command line that reproduces a run (shown on the page)."""
    from multipolar.backtest.calibration import DRAWS

    parts = ["multipolar backtest calibration", str(path)]
    parts += [f"-c {scheme}"] if scheme != "equal" else []
    parts += [f"-m {m}" for m in models or []]
    parts += [f"--seed {seed}"] if seed != 0 else []
    parts += [f"--draws {draws}"] if draws != DRAWS else []
    parts += [f"--bootstrap {bootstrap}"] if bootstrap != 2000 else []
    parts += [f"--resample {resample.value}"] if resample is not ResampleUnit.issue else []
    return " ".join(parts)


CALIB_DRAWS = params.Param(
    "draws", int, 40,
    "Draws per issue (the EUM and the exchange model get a quarter, KTAB's SMP a tenth).", low=2,
    high=10_000,
)  # fmt: skip


@backtest_app.command("calibration")
def calibration(
    path: Annotated[Path, typer.Argument(help="DEU III file (tab-separated, one issue a row).")],
    capabilities: Annotated[
        str, typer.Option("--capabilities", "-c", help="equal, council or council-ssi.")
    ] = "equal",
    model: Annotated[
        list[str] | None,
        typer.Option(
            "-m", "--model", help="Model (repeatable; eum = both modes); default: every model."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the markdown page here.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json-out", help="Also write the JSON here.")
    ] = None,
    seed: Annotated[
        int, params.SEED.option("--seed", help="Seed of the draws, the PIT and the bootstrap.")
    ] = 0,
    draws: Annotated[int, CALIB_DRAWS.option("--draws")] = 40,
    bootstrap: Annotated[int, params.BOOTSTRAP.option("--bootstrap")] = 2000,
    resample: Annotated[
        ResampleUnit, typer.Option(help="Bootstrap unit: issue, or whole proposals.")
    ] = ResampleUnit.issue,
    workers: Annotated[
        int,
        params.WORKERS.option(
            "--workers", help="Local processes (tasks: model × noise level; same output)."
        ),
    ] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Calibration of every model on DEU III: predictive distributions graded on the test split.

    Each model's forecast becomes a distribution under position noise (one parameter, fitted
    per model on the train split by mean CRPS), then is graded on the test split: CRPS against
    the climatological forecast, 50 % and 90 % coverage and the PIT histogram. Prints the
    markdown page (or writes it with -o). The exchange model runs each proposal's issues as one
    problem, each issue under its own noise. The full run takes about a CPU-minute (57-59 s on a
    2-core machine), over half of it KTAB's SMP, shared among the --workers processes.

    Example: `multipolar backtest calibration ../shared/data/deu/deu3.csv --workers 2
    -o docs/backtest/deu3-calibration.md --json-out docs/backtest/deu3-calibration.json`
    """
    from multipolar.backtest import load_deu
    from multipolar.backtest.calibration import run_calibration
    from multipolar.backtest.calibration_page import render, to_json
    from multipolar.backtest.capabilities import scheme

    with _reported(spin=False):
        chosen = scheme(capabilities)
        data = load_deu(path)
        progress = (
            None
            if quiet or _QUIET["on"]
            else (lambda line: typer.echo(f"calibration: {line}", err=True))
        )
        cal = run_calibration(
            data,
            models=model,
            scheme=chosen,
            draws=draws,
            seed=seed,
            bootstrap=bootstrap,
            workers=workers,
            resample="proposal" if resample is ResampleUnit.proposal else "issue",
            progress=progress,
        )
        command = _command(path, chosen, model, seed, draws, bootstrap, resample)
        _write(render(cal, command), output)
        if json_out is not None:
            _write(to_json(cal), json_out)
