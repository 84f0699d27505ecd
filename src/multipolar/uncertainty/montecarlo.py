"""Monte Carlo over a scenario's ranges: draw every ranged estimate, run a model on all draws at
once (models are batched over a leading axis), and summarise the forecast distributions.

Draws come from each estimate's ``dist`` through its inverse CDF applied to uniforms, so an
optional Gaussian copula (``correlations``) can correlate any pair of estimates. One ``seed``
fixes everything: the same seed gives byte-identical JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.defaults import DRAWS
from multipolar.dynamics.apply import resolve
from multipolar.errors import UsageError
from multipolar.memo import ObjectMemo
from multipolar.params import check_draw_memory
from multipolar.scenario.arrays import FloatArray, Inputs, to_inputs
from multipolar.scenario.checks import estimates
from multipolar.scenario.schema import Estimate, Scenario
from multipolar.uncertainty.backends import Backend, Progress, map_chunks
from multipolar.uncertainty.normal import ndtr

if TYPE_CHECKING:  # scipy.stats and the models load on first use (validate imports this module)
    import pandas as pd

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BINS = 20


def ppf(est: Estimate, u: FloatArray) -> FloatArray:
    """The estimate's inverse CDF at uniforms ``u`` (constant for a point estimate)."""
    lo, hi, best = est.lo, est.hi, est.best
    if hi <= lo:
        return np.full(u.shape, best)
    width = hi - lo
    if est.dist == "uniform":
        return lo + u * width
    if est.dist in ("pert", "normal"):
        from scipy import stats
    if est.dist == "pert":
        a = 1 + 4 * (best - lo) / width
        return lo + width * stats.beta.ppf(u, a, 1 + 4 * (hi - best) / width)
    if est.dist == "normal":
        sd = width / 4
        return stats.truncnorm.ppf(u, (lo - best) / sd, (hi - best) / sd, loc=best, scale=sd)
    c = (best - lo) / width  # triangular, closed form
    if not np.isfinite(width * max(best - lo, hi - best)):  # the same, without the overflow
        return np.where(u < c, lo + width * np.sqrt(u * c), hi - width * np.sqrt((1 - u) * (1 - c)))
    return np.where(
        u < c, lo + np.sqrt(u * width * (best - lo)), hi - np.sqrt((1 - u) * width * (hi - best))
    )


def uniforms(
    paths: list[str], draws: int, seed: int, correlations: dict[tuple[str, str], float] | None
) -> dict[str, FloatArray]:
    """Uniform draws per path; correlated through a Gaussian copula where asked."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, len(paths)))
    if correlations:
        corr = np.eye(len(paths))
        index = {p: i for i, p in enumerate(paths)}
        for (a, b), rho in correlations.items():
            if a in index and b in index:
                corr[index[a], index[b]] = corr[index[b], index[a]] = rho
        try:
            z = z @ np.linalg.cholesky(corr).T
        except np.linalg.LinAlgError:
            raise UsageError(
                "correlations: the matrix is not positive definite; fix: weaken some of them"
            ) from None
    u = ndtr(z)  # scipy.special.ndtr's numbers, without importing scipy
    return {p: u[:, i] for i, p in enumerate(paths)}


def ranged_estimates(scn: Scenario) -> dict[str, Estimate]:
    """Every estimate with a range, by dotted path (actors and issues named by id), in the
    scenario's order; the values are the scenario's own Estimate objects."""
    out = {}
    names: dict[str, list[str]] = {
        "actors": [a.id for a in scn.actors],
        "issues": [i.id for i in scn.issues],
    }
    for path, est in estimates(scn):
        if est.is_point:
            continue
        parts = [str(p) for p in path]
        if parts[0] in names and isinstance(path[1], int):
            parts[1] = names[parts[0]][path[1]]
        if parts[0] == "constituencies" and isinstance(path[3], int):  # members by id
            parts[3] = scn.constituencies[str(path[1])].members[path[3]].id
        out[".".join(parts)] = est
    return out


def ranged_paths(scn: Scenario) -> list[str]:
    """Dotted paths of every estimate with a range, in the scenario's order."""
    return list(ranged_estimates(scn))


def draw_inputs(
    scn: Scenario, draws: int, seed: int, correlations: dict[tuple[str, str], float] | None = None
) -> tuple[Inputs, dict[str, FloatArray]]:
    """Model inputs for ``draws`` draws, shape (draws, k, n), and the drawn values by path."""
    scn = resolve(scn)
    values = draw_values(scn, draws, seed, correlations)
    return inputs_from_values(scn, values, draws), values


def inputs_from_values(scn: Scenario, values: dict[str, FloatArray], draws: int) -> Inputs:
    """Model inputs (draws, k, n) with the given values at their paths, best values elsewhere
    (paths the models do not read, e.g. conflict.p, are ignored)."""
    base = to_inputs(scn)
    x = np.broadcast_to(base.x, (draws, *base.x.shape)).copy()
    s = np.broadcast_to(base.s, (draws, *base.s.shape)).copy()
    raw = np.array([a.capability.best for a in scn.actors], dtype=float)  # base.c is relative
    c = np.broadcast_to(raw, (draws, *base.c.shape)).copy()
    ref = np.broadcast_to(base.ref, (draws, *base.ref.shape)).copy()
    actors, issues = list(base.actors), list(base.issues)
    for path, v in values.items():
        head, *rest = path.split(".")
        if head == "positions":
            x[:, issues.index(rest[1]), actors.index(rest[0])] = v
        elif head == "salience":
            s[:, issues.index(rest[1]), actors.index(rest[0])] = v
        elif head == "actors" and rest[1] == "capability":
            c[:, :, actors.index(rest[0])] = v[:, None]
        elif head == "issues" and rest[1] == "status_quo":
            ref[:, issues.index(rest[0])] = v
    lo = np.broadcast_to(base.lo, ref.shape).copy()
    hi = np.broadcast_to(base.hi, ref.shape).copy()
    mask = np.broadcast_to(base.mask, x.shape).copy()
    return Inputs(x, c, s, mask, lo, hi, ref, base.actors, base.issues)


def run_model(scn: Scenario, model: str, inputs: Inputs, seed: int, **params: Any) -> FloatArray:
    """``model`` on batched inputs, with the scenario's own model parameters."""
    from multipolar.models.registry import get

    spec = get(model)
    merged = {**scn.models.get(model, {}), **params}
    if spec.prepare is not None:
        merged = {**spec.prepare(scn), **merged}
    return np.asarray(spec.run(inputs, seed=seed, **merged).forecast)


def distribution(v: FloatArray, span: tuple[float, float]) -> dict[str, Any]:
    """Mean, standard deviation, quantiles and a BINS-bin histogram over ``span`` of draws ``v``."""
    lo, hi = span
    counts, edges = np.histogram(v, bins=BINS, range=(lo, hi) if hi > lo else (lo - 1, lo + 1))
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        "quantiles": {f"{q:.2f}": float(np.quantile(v, q)) for q in QUANTILES},
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


@dataclass(frozen=True)
class Simulation:
    model: str
    draws: int
    seed: int
    issues: tuple[str, ...]
    values: FloatArray  # (draws, k)
    scale: list[tuple[float, float]]

    def summary(self) -> dict[str, Any]:
        return {
            issue: distribution(self.values[:, k], self.scale[k])
            for k, issue in enumerate(self.issues)
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "draws": self.draws,
            "seed": self.seed,
            "issues": self.summary(),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar simulate --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per draw, one column per issue: the model's forecast in that draw."""
        import pandas as pd

        frame = pd.DataFrame(self.values, columns=list(self.issues))
        frame.index.name = "draw"
        return frame


def _forecast_chunk(
    values: dict[str, FloatArray], n: int, seed: int, scn: Scenario, model: str,
    params: dict[str, Any],
) -> FloatArray:  # fmt: skip
    """One chunk of ``n`` draws through ``model`` (a task for any backend)."""
    return run_model(scn, model, inputs_from_values(scn, values, n), seed, **params)


_DRAWN: ObjectMemo[dict[str, FloatArray]] = ObjectMemo(2)
_KEEP_DRAWS = 10_000


def draw_values(
    scn: Scenario, draws: int, seed: int, correlations: dict[tuple[str, str], float] | None = None
) -> dict[str, FloatArray]:
    """Seeded draws (draws,) of every ranged estimate of a resolved scenario, by path,
    correlated as ``correlations`` says (by default the scenario's own ``correlations:``).

    The draws of a scenario object with the same settings are drawn once (the Monte Carlo of
    each model, the deal feasibility and the deal analysis all ask); each caller gets its own
    copy of the arrays."""
    extra = (draws, seed, None if correlations is None else tuple(sorted(correlations.items())))
    keep = draws <= _KEEP_DRAWS  # large runs are drawn once anyway: no second copy in memory
    kept = _DRAWN.get_or(scn, lambda: _draw_values(scn, draws, seed, correlations), extra,
                         keep=keep)  # fmt: skip
    return {p: v.copy() for p, v in kept.items()} if keep else kept


def _draw_values(
    scn: Scenario, draws: int, seed: int, correlations: dict[tuple[str, str], float] | None
) -> dict[str, FloatArray]:
    ests = ranged_estimates(scn)  # the scenario's own objects: no dump per path
    paths = list(ests)
    check_draw_memory(draws, len(paths))  # refuse what would not fit in memory, before drawing
    if correlations is None:
        correlations = {(c.between[0], c.between[1]): c.rho for c in scn.correlations}
    u = uniforms(paths, draws, seed, correlations)
    return {p: ppf(ests[p], u[p]) for p in paths}


def simulate(
    scn: Scenario,
    model: str = "compromise",
    *,
    draws: int = DRAWS,
    seed: int = 0,
    correlations: dict[tuple[str, str], float] | None = None,
    backend: Backend | str = Backend.local,
    workers: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
    **params: Any,
) -> Simulation:
    """Run ``model`` on ``draws`` seeded draws of every ranged estimate, batched in fixed
    chunks of draws that run here, in ``workers`` local processes, or as Ray tasks; the same
    seed gives the same numbers on every backend."""
    from multipolar.models.registry import get

    get(model)  # unknown model: fail before drawing
    scn = resolve(scn)
    values = draw_values(scn, draws, seed, correlations)
    out = map_chunks(
        _forecast_chunk, values, draws, seed, (scn, model, params), backend=backend,
        workers=workers, address=address, progress=progress,
    )  # fmt: skip
    scale = [(i.low, i.high) for i in scn.issues]
    issues = tuple(i.id for i in scn.issues)
    return Simulation(model, draws, seed, issues, np.concatenate(out, axis=0), scale)
