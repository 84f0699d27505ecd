"""Data shipped with multipolar: bundled scenarios and reference tables."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios shipped with the package, by name (file stem)."""
    folder = Path(str(files("multipolar.data") / "scenarios"))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}
