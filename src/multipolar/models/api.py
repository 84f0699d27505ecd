"""Run registered models on scenarios; results with per-actor diagnostics and a pandas view."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.memo import ObjectMemo
from multipolar.models.registry import ModelOutput, ModelSpec, get, names
from multipolar.models.weights import weight_share
from multipolar.scenario.arrays import BoolArray, FloatArray, Inputs, to_inputs
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Forecast:
    """One model's forecast of every issue of a scenario, with per-actor diagnostics."""

    model: str
    scenario: str
    issues: tuple[str, ...]
    actors: tuple[str, ...]
    values: FloatArray  # (k,) forecast per issue
    positions: FloatArray  # (k, n)
    mask: BoolArray  # (k, n) actor positioned on issue
    share: FloatArray  # (k, n) weight share (c·s) of each actor
    seed: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    trajectory: Mapping[str, FloatArray] = field(default_factory=dict)

    def __getitem__(self, issue: str) -> float:
        return float(self.values[self.issues.index(issue)])

    @property
    def distance(self) -> FloatArray:
        """|position - forecast| per issue and actor (0 where the actor has no position)."""
        return np.where(self.mask, np.abs(self.positions - self.values[:, None]), 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (as ``as_dict``)."""
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: forecast per issue and, per issue, each positioned actor's diagnostics."""
        # whole arrays as Python floats at once (the same floats as ``float`` of each element)
        arrays = (self.positions, self.share, self.distance)
        pos, share, dist = (np.asarray(a, dtype=float).tolist() for a in arrays)
        mask = np.asarray(self.mask, dtype=bool).tolist()
        actors = list(enumerate(self.actors))
        diag: dict[str, dict[str, dict[str, float]]] = {}
        for i, issue in enumerate(self.issues):
            p, w, d, m = pos[i], share[i], dist[i], mask[i]
            diag[issue] = {
                actor: {"position": p[j], "weight_share": w[j], "distance": d[j]}
                for j, actor in actors
                if m[j]
            }
        values = np.asarray(self.values, dtype=float).tolist()
        return {
            "model": self.model,
            "scenario": self.scenario,
            "seed": self.seed,
            "params": dict(self.params),
            "forecast": dict(zip(self.issues, values, strict=True)),
            "actors": diag,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: model, issue, forecast."""
        import pandas as pd

        return pd.DataFrame(
            {"model": self.model, "issue": list(self.issues), "forecast": self.values}
        )

    def diagnostics(self) -> pd.DataFrame:
        """One row per positioned (issue, actor): position, weight share, distance to forecast."""
        import pandas as pd

        rows = [
            {
                "model": self.model,
                "issue": issue,
                "actor": actor,
                "position": self.positions[i, j],
                "weight_share": self.share[i, j],
                "distance": self.distance[i, j],
            }
            for i, issue in enumerate(self.issues)
            for j, actor in enumerate(self.actors)
            if self.mask[i, j]
        ]
        return pd.DataFrame(rows)

    def trace_rows(self) -> list[dict[str, Any]]:
        """The per-round trajectory as tidy rows: model, round, issue, actor, position, and,
        where the model reports them, the actor's risk exponent and the round's median and mean.
        Empty for static models."""
        positions = self.trajectory.get("positions")
        if positions is None:
            return []
        risk = self.trajectory.get("risk")
        median, mean = self.trajectory.get("median"), self.trajectory.get("mean")
        rows = []
        for t in range(positions.shape[0]):
            for i, issue in enumerate(self.issues):
                for j, actor in enumerate(self.actors):
                    if not self.mask[i, j]:
                        continue
                    row: dict[str, Any] = {
                        "model": self.model,
                        "round": t,
                        "issue": issue,
                        "actor": actor,
                        "position": float(positions[t, i, j]),
                    }
                    if risk is not None:
                        r = float(risk[t, i, j])
                        row["risk"] = None if np.isnan(r) else r
                    if median is not None:
                        row["median"] = float(median[t, i])
                    if mean is not None:
                        row["mean"] = float(mean[t, i])
                    rows.append(row)
        return rows

    def trace_frame(self) -> pd.DataFrame:
        """``trace_rows`` as a pandas frame."""
        import pandas as pd

        return pd.DataFrame(self.trace_rows())

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v:.4g}" for k, v in zip(self.issues, self.values, strict=True))
        return f"<Forecast {self.model} of {self.scenario!r}: {body}>"


def forecast(scn: Scenario, model: str = "compromise", *, seed: int = 0, **params: Any) -> Forecast:
    """Forecast every issue of ``scn`` with a registered model.

    Parameters come from the model's ``prepare(scn)`` hook, then the scenario's
    ``models.<name>`` block, then ``params`` (later ones win).
    """
    setup = _Setup.of(scn, model, params)
    return setup.result(setup.spec.run(setup.inputs, seed=seed, **setup.merged), seed)


def forecast_many(
    scns: Sequence[Scenario], model: str = "compromise", *, seed: int = 0
) -> list[Forecast]:
    """``[forecast(s, model, seed=seed) for s in scns]``, computed in batches: scenarios with
    the same actors, issues and model parameters run as one batch of the model's arrays (the
    what-if loop of the web app answers many edits of one scenario this way).

    Forecasts, diagnostics and parameters equal those of separate runs, bit for bit, as long
    as the model draws no random numbers with these parameters (``ModelSpec.seeded``); a run
    that does is made alone, so that its random stream is the one it has alone. Trajectories
    of batch members are padded with their final state to the batch's longest run."""
    import pickle

    setups = [_Setup.of(scn, model, {}, shared=True) for scn in scns]
    groups: dict[bytes, list[int]] = {}
    for index, setup in enumerate(setups):
        if setup.spec.seeded(setup.merged):
            key = b"alone:%d" % index
        else:
            shape = (setup.inputs.actors, setup.inputs.issues, sorted(setup.merged.items()))
            key = pickle.dumps(shape)
        groups.setdefault(key, []).append(index)
    out: list[Forecast | None] = [None] * len(setups)
    for members in groups.values():
        first = setups[members[0]]
        inputs = stack_inputs([setups[i].inputs for i in members])
        run = first.spec.run(inputs, seed=seed, **first.merged)
        for b, i in enumerate(members):
            row = ModelOutput(
                forecast=np.asarray(run.forecast)[b],
                trajectory={k: np.asarray(v)[b] for k, v in run.trajectory.items()},
            )
            out[i] = setups[i].result(row, seed)
    return [f for f in out if f is not None]


def stack_inputs(rows: Sequence[Inputs]) -> Inputs:
    """Inputs of one shape (k, n) stacked into a batch (B, k, n)."""
    first = rows[0]

    def stacked(name: str) -> Any:
        return np.stack([getattr(r, name) for r in rows])

    return Inputs(
        x=stacked("x"),
        c=stacked("c"),
        s=stacked("s"),
        mask=stacked("mask"),
        lo=stacked("lo"),
        hi=stacked("hi"),
        ref=stacked("ref"),
        actors=first.actors,
        issues=first.issues,
    )


#: states whose inputs are kept (the newest): more than a what-if batch
_SHARED: ObjectMemo[tuple[Inputs, FloatArray]] = ObjectMemo(64)


def _shared_inputs(scn: Scenario) -> tuple[Inputs, FloatArray]:
    """``to_inputs(scn)`` and its weight shares, computed once for the latest few states (each
    model of a what-if batch runs on the same states), as read-only arrays."""
    return _SHARED.get_or(scn, lambda: _read_only_inputs(scn))


def _read_only_inputs(scn: Scenario) -> tuple[Inputs, FloatArray]:
    inputs = to_inputs(scn)
    share = weight_share(inputs)
    for array in (*(getattr(inputs, f.name) for f in fields(inputs)), share):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return inputs, share


@dataclass(frozen=True)
class _Setup:
    """What a forecast of one scenario by one model runs on: the state after the events, the
    model, its parameters (``derived`` by its prepare hook, then merged) and its inputs."""

    scn: Scenario
    spec: ModelSpec
    derived: dict[str, Any]
    merged: dict[str, Any]
    inputs: Inputs
    share: FloatArray | None = None  # ``weight_share(inputs)`` if known

    @classmethod
    def of(
        cls, scn: Scenario, model: str, params: Mapping[str, Any], *, shared: bool = False
    ) -> _Setup:
        """With ``shared``, the inputs (read only) are those of the state's other setups."""
        from multipolar.dynamics.apply import resolve

        scn = resolve(scn)  # the state after the scenario's events
        spec = get(model)
        derived = spec.prepare(scn) if spec.prepare is not None else {}
        merged = {**derived, **scn.models.get(model, {}), **params}
        if shared:
            return cls(scn, spec, derived, merged, *_shared_inputs(scn))
        return cls(scn, spec, derived, merged, to_inputs(scn))

    def result(self, out: ModelOutput, seed: int) -> Forecast:
        spec, inputs = self.spec, self.inputs
        return Forecast(
            model=spec.name,
            scenario=self.scn.id or self.scn.title,
            issues=inputs.issues,
            actors=inputs.actors,
            values=np.asarray(out.forecast, dtype=float),
            positions=inputs.x,
            mask=inputs.mask,
            share=weight_share(inputs) if self.share is None else self.share,
            seed=seed,
            params={
                k: v for k, v in {**spec.defaults, **self.merged}.items() if k not in self.derived
            },
            trajectory=out.trajectory,
        )


class Forecasts(list[Forecast]):
    """Several models' forecasts of one scenario: a list of ``Forecast`` (in model order) that
    also looks a model up by name and gives one table."""

    def model(self, name: str) -> Forecast:
        for f in self:
            if f.model == name:
                return f
        raise KeyError(f"no forecast by model {name!r}; models: {[f.model for f in self]}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: model -> its ``Forecast.as_dict()``."""
        return {f.model: f.as_dict() for f in self}

    def to_frame(self) -> pd.DataFrame:
        """One row per issue, one column per model."""
        import pandas as pd

        frame = pd.DataFrame(
            {f.model: f.values for f in self}, index=list(self[0].issues) if self else []
        )
        frame.index.name = "issue"
        return frame


def forecast_all(scn: Scenario, models: Iterable[str] | None = None, *, seed: int = 0) -> Forecasts:
    """Forecasts from each named model (default: every registered model)."""
    return Forecasts(forecast(scn, m, seed=seed) for m in (list(models) if models else names()))
