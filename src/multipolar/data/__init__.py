"""Data shipped with multipolar: bundled scenarios and reference tables."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

#: The flagship scenario, listed first: the web app offers it first, the server warms up on it.
FLAGSHIP = "ukraine_2025_08"


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios shipped with the package, by name (file stem): the flagship first, then
    the others by name."""
    return dict(_listed())


@cache
def _listed() -> tuple[tuple[str, Path], ...]:
    """The package's scenario folder, listed once per process (a server asks per request)."""
    folder = Path(str(files("multipolar.data") / "scenarios"))
    paths = sorted(folder.glob("*.yaml"), key=lambda p: (p.stem != FLAGSHIP, p.stem))
    return tuple((p.stem, p) for p in paths)
