"""Defaults shared by every surface (CLI, Python API, report, web app), so that the same
question gets the same answer everywhere. Each surface prints the draws and seed it used."""

DRAWS = 2000  # Monte Carlo draws of the scenario's ranges for a deal's probabilities
SEED = 0  # seed of those draws (and of stochastic models)
