"""Address any estimate in a scenario by a dotted path, read it, and change it.

Paths: ``actors.RUS.capability``, ``positions.UKR.donbas``, ``salience.RUS.donbas``,
``issues.donbas.status_quo``, ``conflict.p``, ``conflict.costs.RUS``, ``conflict.discount``,
``conflict.power_shift.now``, ``conflict.guarantee.credibility``, ``deal.walk_away.USA``.
Lists of things with ids (actors, issues) are addressed by id.
"""

from __future__ import annotations

from typing import Any

from multipolar.errors import Problem, ScenarioError, UsageError, did_you_mean
from multipolar.scenario.base import Estimate


def _step(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item.get("id") == part:
                return item
        ids = [str(item.get("id")) for item in node if isinstance(item, dict)]
        raise UsageError(f"path '{path}': no entry '{part}'; {did_you_mean(part, ids)}")
    if isinstance(node, dict) and part in node:
        return node[part]
    keys = [str(k) for k in node] if isinstance(node, dict) else []
    raise UsageError(f"path '{path}': nothing at '{part}'; {did_you_mean(part, keys)}")


def _parent(data: dict[str, Any], path: str) -> tuple[Any, str]:
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        raise UsageError(f"path '{path}': expected a dotted path such as conflict.p")
    node: Any = data
    for part in parts[:-1]:
        node = _step(node, part, path)
    _step(node, parts[-1], path)  # raises when the leaf is missing
    return node, parts[-1]


def get_estimate(scn: Any, path: str) -> Estimate:
    """The estimate at ``path``."""
    node, leaf = _parent(scn.model_dump(mode="json"), path)
    value = node[leaf]
    if isinstance(value, dict) and "best" in value:
        return Estimate.model_validate(value)
    raise UsageError(f"path '{path}' does not name a number")


def with_value(scn: Any, path: str, value: float, *, mode: str = "set") -> Any:
    """A copy of ``scn`` whose estimate at ``path`` is set to, shifted by, or scaled by ``value``.

    The range moves with the best value (a shift/scale applies to low and high too; a set keeps
    the range only if it still contains the new value). The result is validated: a value outside
    what the schema allows raises ``ScenarioError`` naming the path.
    """
    from multipolar.scenario.loader import to_data, validate

    data = to_data(scn)
    node, leaf = _parent(data, path)
    old = node[leaf]
    est = {"best": float(old)} if isinstance(old, int | float) else dict(old)
    if mode == "set":
        est["best"] = float(value)
        if "low" in est and not est["low"] <= value <= est["high"]:
            est.pop("low")
            est.pop("high")
    elif mode in ("shift", "scale"):
        for key in ("best", "low", "high"):
            if key in est:
                est[key] = est[key] + value if mode == "shift" else est[key] * value
    else:
        raise UsageError(f"mode must be set, shift or scale, not {mode!r}")
    node[leaf] = est
    try:
        return validate(data)
    except ScenarioError as exc:
        first = exc.problems[0]
        raise ScenarioError([Problem((path,), first.message, first.fix)]) from None
