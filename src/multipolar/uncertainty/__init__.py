"""Uncertainty: drawing the scenario's ranges, Monte Carlo and sensitivity."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multipolar.uncertainty.sampling import Sampler, best_values, draw

__all__ = ["Sampler", "best_values", "draw"]


def __getattr__(name: str) -> object:
    """``Sampler``, ``best_values`` and ``draw`` load with numpy on first use, so that the CLI's
    option types (``backends.Backend``) import without them."""
    if name in __all__:
        from multipolar.uncertainty import sampling

        return getattr(sampling, name)
    raise AttributeError(f"module 'multipolar.uncertainty' has no attribute {name!r}")
