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
        ids = [str(item["id"]) for item in node if isinstance(item, dict) and "id" in item]
        hint = did_you_mean(part, ids) if ids else "this list's entries have no ids to name"
        raise UsageError(f"path '{path}': no entry '{part}'; {hint}")
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, dict) and "best" in node:  # an estimate: the path went past its number
        raise UsageError(f"path '{path}': nothing at '{part}'; end the path before '{part}'")
    if not isinstance(node, dict):
        raise UsageError(f"path '{path}': nothing at '{part}'; what comes before it has no parts")
    raise UsageError(f"path '{path}': nothing at '{part}'; {did_you_mean(part, map(str, node))}")


def locate(data: dict[str, Any], path: str) -> tuple[Any, str]:
    """The container holding the value at dotted ``path`` in scenario data, and its key."""
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        raise UsageError(f"path '{path}': expected a dotted path such as conflict.p")
    node: Any = data
    for part in parts[:-1]:
        node = _step(node, part, path)
    _step(node, parts[-1], path)  # raises when the leaf is missing
    return node, parts[-1]


def estimate_in(data: dict[str, Any], path: str) -> Estimate:
    """The estimate at ``path`` in a scenario's ``model_dump(mode="json")``."""
    node, leaf = locate(data, path)
    value = node[leaf]
    if isinstance(value, dict) and "best" in value:
        return Estimate.model_validate(value)
    raise UsageError(f"path '{path}' does not name a number")


def get_estimate(scn: Any, path: str) -> Estimate:
    """The estimate at ``path``."""
    return estimate_in(scn.model_dump(mode="json", exclude={"events"}), path)


def with_value(
    scn: Any,
    path: str,
    value: float,
    *,
    mode: str = "set",
    provenance: dict[str, str] | None = None,
) -> Any:
    """A copy of ``scn`` whose estimate at ``path`` is set to, shifted by, or scaled by ``value``.

    The range moves with the best value: shift and scale apply to low and high too; a set keeps
    the range when it contains the new value and otherwise shifts it by the same amount (so the
    uncertainty is kept), falling back to a point only when the shifted range would leave what
    the schema allows. ``provenance`` (source, quote, note) replaces the estimate's own. The
    result is validated: a value outside what the schema allows raises ``ScenarioError`` naming
    the path.
    """
    from multipolar.scenario.loader import to_data

    return set_value(to_data(scn), path, value, mode=mode, provenance=provenance)


def copy_path(data: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of a scenario's plain data (``loader.to_data``) in which the containers along
    ``path`` are copied and everything else is shared: ``set_value`` on the copy leaves
    ``data`` as it was (many changes of one estimate need one ``to_data``)."""
    out = dict(data)
    node: Any = out
    for part in path.split(".")[:-1]:
        child = _step(node, part, path)
        copied = dict(child) if isinstance(child, dict) else list(child)
        if isinstance(node, list):
            node[next(i for i, item in enumerate(node) if item is child)] = copied
        else:
            node[part] = copied
        node = copied
    return out


def changed(
    old: Any, mode: str, value: float, provenance: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An estimate's plain data (a number or ``{best, low, high, ...}``) after ``set``,
    ``shift`` or ``scale`` by ``value``, with ``provenance`` (source, quote, note) written in.
    A ``set`` outside the range shifts the range along; the second value is then the point
    estimate to fall back on if the shifted range is not allowed (else None)."""
    est = {"best": float(old)} if isinstance(old, int | float) else dict(old)
    fallback: dict[str, Any] | None = None
    if mode == "set":
        delta = float(value) - est["best"]
        est["best"] = float(value)
        if "low" in est and not est["low"] <= value <= est["high"]:
            fallback = {k: v for k, v in est.items() if k not in ("low", "high")}
            est["low"] += delta
            est["high"] += delta
    elif mode in ("shift", "scale"):
        for key in ("best", "low", "high"):
            if key in est:
                est[key] = est[key] + value if mode == "shift" else est[key] * value
    else:
        raise UsageError(f"mode must be set, shift or scale, not {mode!r}")
    for key, text in (provenance or {}).items():
        est[key] = text
        if fallback is not None:
            fallback[key] = text
    return est, fallback


def set_value(
    data: dict[str, Any],
    path: str,
    value: float,
    *,
    mode: str = "set",
    provenance: dict[str, str] | None = None,
) -> Any:
    """``with_value`` on a scenario's plain data, which it changes in place (see ``copy_path``)."""
    from multipolar.scenario.loader import validate

    node, leaf = locate(data, path)
    est, fallback = changed(node[leaf], mode, value, provenance)
    node[leaf] = est
    try:
        return validate(data)
    except ScenarioError as exc:
        if fallback is not None:
            node[leaf] = fallback
            try:
                return validate(data)
            except ScenarioError:
                pass
        first = exc.problems[0]
        raise ScenarioError([Problem((path,), first.message, first.fix)]) from None
