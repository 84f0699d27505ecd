"""Uncertainty: drawing the scenario's ranges, Monte Carlo and sensitivity."""

from multipolar.uncertainty.sampling import Sampler, best_values, draw

__all__ = ["Sampler", "best_values", "draw"]
