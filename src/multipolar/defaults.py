"""Defaults shared by every surface (CLI, Python API, report, web app), so that the same
question gets the same answer everywhere. Each surface prints the draws and seed it used.
The bounds of these and every other numeric option are declared in :mod:`multipolar.params`."""

from multipolar import params

DRAWS: int = params.DRAWS.default  # Monte Carlo draws of the ranges for a deal's probabilities
SEED: int = params.SEED.default  # seed of those draws (and of stochastic models)
