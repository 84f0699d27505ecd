"""Leverage of each actor: weight share, voting power, pull on the forecast, room over its
walk-away value, and the levers one actor has."""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space, utilities
from multipolar.dynamics.apply import resolve
from multipolar.dynamics.power import power_indices
from multipolar.errors import UsageError, did_you_mean
from multipolar.models.api import forecast
from multipolar.scenario.arrays import FloatArray, to_inputs
from multipolar.scenario.paths import with_value
from multipolar.scenario.schema import Scenario

QUOTA = 0.5  # share of total capability a coalition needs, besides every veto player


def pull(
    scn: Scenario, model: str = "compromise", seed: int = 0, method: str = "auto"
) -> FloatArray:
    """∂forecast_k/∂x_ik (issues × actors): the closed form w_i/Σw for the compromise model,
    central finite differences (±1% of the scale) for every other model (or with
    ``method="difference"``); 0 where the actor has no position."""
    inputs = to_inputs(scn)
    if model == "compromise" and method == "auto":
        w = np.where(inputs.mask, inputs.c * inputs.s, 0.0)
        total = w.sum(axis=-1, keepdims=True)
        return np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    out = np.zeros(inputs.x.shape)
    for k, issue in enumerate(scn.issues):
        h = 0.01 * (issue.high - issue.low)
        for j, actor in enumerate(scn.actor_ids):
            if not inputs.mask[k, j]:
                continue
            path = f"positions.{actor}.{issue.id}"
            x = inputs.x[k, j]
            up, down = min(x + h, issue.high), max(x - h, issue.low)
            if up <= down:
                continue
            f_up = forecast(with_value(scn, path, up), model, seed=seed).values[k]
            f_down = forecast(with_value(scn, path, down), model, seed=seed).values[k]
            out[k, j] = (f_up - f_down) / (up - down)
    return out


def leverage(
    scn: Scenario, *, actor: str | None = None, model: str = "compromise", seed: int = 0
) -> dict[str, Any]:
    """Every actor's leverage; with ``actor``, also its levers."""
    scn = resolve(scn)
    ids = scn.actor_ids
    inputs = to_inputs(scn)
    w = np.where(inputs.mask, inputs.c * inputs.s, 0.0)
    share = np.divide(
        w, w.sum(-1, keepdims=True), out=np.zeros_like(w), where=w.sum(-1, keepdims=True) > 0
    )
    space = build_space(scn)
    caps = np.array([a.capability.best for a in scn.actors])
    if not np.isfinite(caps.sum()):  # only ratios matter: keep the total finite
        caps = caps / caps.max()
    power = power_indices(caps, QUOTA * caps.sum(), space.veto, seed=seed)
    best = maxmin(space, leximin=True)
    margin = utilities(space, best.z[None])[0, 0] - space.walk_away[0]
    slopes = pull(scn, model, seed)
    actors: dict[str, Any] = {}
    for j, a in enumerate(ids):
        actors[a] = {
            "weight_share": {i: float(share[k, j]) for k, i in enumerate(scn.issue_ids)},
            "mean_weight_share": float(share[:, j].mean()),
            "shapley_shubik": float(power.shapley_shubik[j]),
            "banzhaf": float(power.banzhaf[j]),
            "pull": {i: float(slopes[k, j]) for k, i in enumerate(scn.issue_ids)},
            "margin_over_walk_away": float(margin[j]),
            "veto": bool(space.veto[j]),
        }
    out: dict[str, Any] = {
        "decision_rule": f"every veto player and {QUOTA:.0%} of total capability",
        "power_exact": power.exact,
        "model": model,
        "actors": actors,
    }
    if actor is not None:
        if actor not in ids:
            raise UsageError(f"unknown actor '{actor}': {did_you_mean(actor, ids)}")
        out["levers"] = levers(scn, actor, model, seed)
    return out


def _own_utility(scn: Scenario, actor: str, model: str, seed: int) -> float:
    space = build_space(scn)
    z = space.to_unit(forecast(scn, model, seed=seed).values)
    return float(utilities(space, z[None])[0, 0, space.actors.index(actor)])


def levers(
    scn: Scenario, actor: str, model: str = "compromise", seed: int = 0, step: float = 0.1
) -> dict[str, Any]:
    """What ``actor`` can do: move its own position (toward the middle, i.e. compromise) or its
    salience, and which other actors to persuade, ranked by the gain in its utility of the
    forecast when that actor moves ``step`` of the scale toward its ideal."""
    base = _own_utility(scn, actor, model, seed)
    own: list[dict[str, Any]] = []
    persuade: list[dict[str, Any]] = []
    for issue in scn.issues:
        mine = scn.positions.get(actor, {}).get(issue.id)
        if mine is None:
            continue
        delta = step * (issue.high - issue.low)
        sal = scn.salience[actor][issue.id].best
        for what, path, value in (
            ("salience +0.1", f"salience.{actor}.{issue.id}", min(1.0, sal + 0.1)),
            ("salience -0.1", f"salience.{actor}.{issue.id}", max(0.0, sal - 0.1)),
        ):
            if value != sal:
                gain = _own_utility(with_value(scn, path, value), actor, model, seed) - base
                own.append({"issue": issue.id, "move": what, "gain": gain})
        for other in scn.actor_ids:
            theirs = scn.positions.get(other, {}).get(issue.id)
            if other == actor or theirs is None or theirs.best == mine.best:
                continue
            target = theirs.best + np.clip(mine.best - theirs.best, -delta, delta)
            changed = with_value(scn, f"positions.{other}.{issue.id}", float(target))
            gain = _own_utility(changed, actor, model, seed) - base
            persuade.append({"actor": other, "issue": issue.id, "to": float(target), "gain": gain})
    return {
        "utility_of_forecast": base,
        "own_moves": sorted(own, key=lambda r: -r["gain"]),
        "persuade": sorted(persuade, key=lambda r: -r["gain"])[:10],
    }
