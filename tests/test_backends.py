"""Backends: the same seed gives the same bytes in this process, in local worker processes and
as Ray tasks on a local Ray instance."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.uncertainty.backends import CHUNK, chunk_seed, chunks, run_tasks
from multipolar.uncertainty.feasibility import deal_feasibility
from multipolar.uncertainty.montecarlo import simulate
from tests.test_uncertainty import FLAGSHIP

DRAWS = 2 * CHUNK + 300  # three chunks of unequal size


def _square(x: int) -> int:
    return x * x


def test_chunks_cover_the_draws_in_order() -> None:
    parts = chunks(DRAWS)
    assert [p.start for p in parts] == [0, CHUNK, 2 * CHUNK]
    assert parts[-1].stop == DRAWS
    assert len({chunk_seed(7, i) for i in range(100)}) == 100
    assert chunk_seed(7, 3) == chunk_seed(7, 3)


def test_run_tasks_keeps_order_and_reports_progress() -> None:
    seen: list[int] = []
    out = run_tasks(_square, [(i,) for i in range(5)], [1, 2, 3, 4, 5], workers=2,
                    progress=seen.append)  # fmt: skip
    assert out == [0, 1, 4, 9, 16]
    assert sorted(seen) == [1, 2, 3, 4, 5]


def test_bad_backend_options_are_usage_errors() -> None:
    with pytest.raises(multipolar.errors.UsageError, match="--workers"):
        run_tasks(_square, [(1,)], [1], workers=0)
    with pytest.raises(multipolar.errors.UsageError, match="--backend ray"):
        run_tasks(_square, [(1,)], [1], address="127.0.0.1:6379")


@pytest.mark.parametrize("model", ["compromise", "eum"])
def test_local_processes_match_one_process(model: str) -> None:
    scn = multipolar.load(FLAGSHIP)
    one = simulate(scn, model, draws=DRAWS, seed=3)
    two = simulate(scn, model, draws=DRAWS, seed=3, workers=2)
    assert np.array_equal(one.values, two.values)
    assert json.dumps(one.as_dict()) == json.dumps(two.as_dict())


def test_deal_feasibility_processes_match_one_process() -> None:
    scn = multipolar.load(FLAGSHIP)
    one = deal_feasibility(scn, draws=DRAWS, seed=2)
    two = deal_feasibility(scn, draws=DRAWS, seed=2, workers=2)
    assert json.dumps(one.as_dict()) == json.dumps(two.as_dict())


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray not installed")
def test_ray_backend_matches_local() -> None:
    """One local Ray instance for all the comparisons (starting one takes seconds)."""
    import ray

    scn = multipolar.load(FLAGSHIP)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        for model in ("compromise", "eum"):
            local = simulate(scn, model, draws=DRAWS, seed=11)
            remote = simulate(scn, model, draws=DRAWS, seed=11, backend="ray")
            assert np.array_equal(local.values, remote.values), model
        local_deals = deal_feasibility(scn, draws=DRAWS, seed=11)
        remote_deals = deal_feasibility(scn, draws=DRAWS, seed=11, backend="ray")
        assert json.dumps(local_deals.as_dict()) == json.dumps(remote_deals.as_dict())
        runner = CliRunner()
        args = ["simulate", str(FLAGSHIP), "--draws", "3000", "--seed", "5", "-m", "deals",
                "--format", "json", "--quiet"]  # fmt: skip
        by_ray = runner.invoke(app, [*args, "--backend", "ray"])
        here = runner.invoke(app, args)
        assert by_ray.exit_code == 0, by_ray.stderr
        assert by_ray.stdout == here.stdout
    finally:
        ray.shutdown()


def test_cli_simulate_deals_and_workers(tmp_path: object) -> None:
    runner = CliRunner()
    args = ["simulate", str(FLAGSHIP), "--draws", "500", "--seed", "1", "-m", "deals",
            "--format", "json", "--quiet"]  # fmt: skip
    one = runner.invoke(app, args)
    two = runner.invoke(app, [*args, "--workers", "2"])
    assert one.exit_code == 0, one.stderr
    assert one.stdout == two.stdout
    data = json.loads(one.stdout)
    assert 0 <= data["p_accept_point_package"] <= data["p_zone"] <= 1
    table = runner.invoke(app, args[:-3])
    assert "P(zone of agreement)" in table.stdout
    bad = runner.invoke(app, [*args, "--workers", "0"])
    assert bad.exit_code == 2
    assert "--workers" in bad.stderr


def test_spinner_and_progress_bar_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from multipolar import cli

    monkeypatch.setattr(cli, "SPINNER_DELAY", 0.0)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats stderr as a terminal
    runner = CliRunner()
    shown = runner.invoke(app, ["leverage", str(FLAGSHIP)])
    assert shown.exit_code == 0, shown.stderr
    assert "working" in shown.stderr
    bar = runner.invoke(app, ["simulate", str(FLAGSHIP), "--draws", "3000"])
    assert "draws" in bar.stderr
    for quiet in (["-q", "leverage", str(FLAGSHIP)], ["simulate", str(FLAGSHIP), "--quiet"]):
        silent = runner.invoke(app, quiet)
        assert silent.exit_code == 0
        assert silent.stderr == ""
    monkeypatch.delenv("FORCE_COLOR")
    piped = runner.invoke(app, ["simulate", str(FLAGSHIP), "--draws", "3000"])
    assert piped.stderr == ""


def test_unreachable_ray_address_is_one_line_and_fast() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ["simulate", str(FLAGSHIP), "--draws", "10", "--quiet", "--backend", "ray"]
    res = CliRunner().invoke(app, [*args, "--address", f"127.0.0.1:{port}"])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1
    assert "nothing answers there" in res.stderr
