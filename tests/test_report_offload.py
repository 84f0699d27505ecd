"""The report's slow parts computed in a forked child (report/offload.py): the same bytes as in
one process, the child's work really used, and a failing or unwanted child replaced or
stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from multipolar.report import offload
from multipolar.report.html import render_report
from multipolar.scenario import validate
from tests.test_report_html import SMALL

ROOT = Path(__file__).resolve().parents[1]
DRAWS, SEED = 40, 3

# in a fresh process (no compiled kernel has started its threads, so the report forks): the
# page's bytes and the items the parent took from the child
FRESH = """
import hashlib, json, sys, yaml
from multipolar.report import offload
from multipolar.report.html import render_report
from multipolar.scenario import validate

# the case as tests/test_report_html.py has it, read without importing that module (which
# loads scipy.stats: this parent must not have it, to leave the items needing it to the child)
import ast
tree = ast.parse(open("tests/test_report_html.py", encoding="utf-8").read())
SMALL = next(ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SMALL")

taken = []
take_item = offload.take_item
def spy(ctx, job, name):
    value = take_item(ctx, job, name)
    if value is not None:
        taken.append(name)
    return value
offload.take_item = spy
page = render_report(validate(yaml.safe_load(SMALL)), draws=%d, seed=%d)
print(json.dumps({"sha": hashlib.sha256(page.encode()).hexdigest(), "taken": taken,
                  "stats": "scipy.stats" in sys.modules}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_report_from_the_child_is_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    out = subprocess.run(
        [sys.executable, "-c", FRESH % (DRAWS, SEED)],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=600,
    )  # fmt: skip
    fresh = json.loads(out.stdout.strip().splitlines()[-1])
    if offload._cores() >= 2:  # the child computed (at least) the Monte Carlo
        assert "part:Monte Carlo" in fresh["taken"], fresh
        # and what needs scipy.stats (the sensitivity analysis): the parent never loaded it
        assert "part:sensitivity" in fresh["taken"], fresh
        assert fresh["stats"] is False
    monkeypatch.setattr(offload, "ENABLED", False)
    alone = render_report(validate(yaml.safe_load(SMALL)), draws=DRAWS, seed=SEED)
    assert fresh["sha"] == hashlib.sha256(alone.encode()).hexdigest()


def _fake_job(monkeypatch: pytest.MonkeyPatch, serve: Any) -> offload.Job:
    """A child running ``serve`` instead of the report's items (it touches no kernel, so it may
    be forked from this process whatever ran in it before)."""
    monkeypatch.setattr(offload, "_safe", lambda: True)
    monkeypatch.setattr(offload, "_warm", lambda: None)
    monkeypatch.setattr(offload, "_serve", serve)
    scn = validate(yaml.safe_load(SMALL))
    job = offload.start(scn, DRAWS, SEED, None)
    assert job is not None
    return job


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_failing_child_leaves_the_items_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def serve(*_args: Any) -> None:
        raise RuntimeError("the child fails")

    job = _fake_job(monkeypatch, serve)
    assert job.take("part:Monte Carlo") is None  # not started: the parent computes it
    while job._read(wait=True):
        pass
    assert job.done  # the child's end was read and the child reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(job.pid, os.WNOHANG)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_items_started_are_waited_for_and_others_claimed(monkeypatch: pytest.MonkeyPatch) -> None:
    def serve(*args: Any) -> None:
        out, claims = args[-2], args[-1]
        offload._write_all(out, offload._frame("part:Monte Carlo", offload._STARTED))
        time.sleep(0.2)
        offload._write_all(out, offload._frame("part:Monte Carlo", (["blocks"], {"k": 1})))
        time.sleep(0.2)  # the parent's claim arrives meanwhile
        claimed = offload._claimed(claims, set())
        offload._write_all(out, offload._frame("claimed", (sorted(claimed), {})))

    job = _fake_job(monkeypatch, serve)
    time.sleep(0.1)  # the child has started the Monte Carlo, not finished it
    assert job.take("part:Monte Carlo") == (["blocks"], {"k": 1})
    assert job.take("part:sensitivity") is None  # never started: claimed
    while job._read(wait=True):
        pass
    assert job.results["claimed"] == (["part:sensitivity"], {})
    job.cancel()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_cancel_all_stops_a_pending_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offload, "_safe", lambda: True)
    monkeypatch.setattr(offload, "_warm", lambda: None)
    monkeypatch.setattr(offload, "_serve", lambda *_a: time.sleep(60))
    scn = validate(yaml.safe_load(SMALL))
    offload.prefetch(scn, DRAWS, SEED, None)
    pid = offload._JOBS[offload._key(scn, DRAWS, SEED, None)].pid
    offload.cancel_all()
    assert not offload._JOBS
    with pytest.raises(ChildProcessError):  # killed and reaped
        os.waitpid(pid, os.WNOHANG)


def test_no_fork_when_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert offload.start(validate(yaml.safe_load(SMALL)), DRAWS, SEED, None) is None
    finally:
        stop.set()
        other.join()
