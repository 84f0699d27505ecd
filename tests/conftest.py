"""Shared fixtures: the ../shared data beside the checkout, and small scenarios."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests explore a fixed set of examples so that CI is reproducible; run with
# HYPOTHESIS_PROFILE=explore for fresh random examples.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCENARIOS = ROOT / "scenarios"
# Debian's Chromium (installed by `make browser`) and the flags it needs on a closed network
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test cleanly when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (../shared beside the checkout)")
    return path


VALID = """\
title: Two-issue test
sources:
  - {id: s1, title: A source}
actors:
  - {id: A, name: Alpha, capability: 2}
  - {id: B, name: Beta, capability: {low: 1, best: 2, high: 3, source: s1}}
  - {id: C, name: Gamma, kind: mediator, capability: 1}
issues:
  - id: t
    name: Territory
    scale: [0, 100]
    status_quo: 40
  - {id: g, name: Guarantees, scale: [0, 10]}
positions:
  A: {t: 10, g: 2}
  B: {t: 90, g: 8}
  C: {t: 50}
salience:
  A: {t: 0.9, g: 0.5}
  B: {t: 0.8, g: 0.6}
  C: {t: 0.3}
"""


@pytest.fixture
def valid_text() -> str:
    return VALID


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    path = tmp_path / "valid.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path
