"""Open the scenario a request names (bundled by name, or sent as text) and apply its edits.

Every edit goes through ``multipolar.scenario.paths.set_value`` (as ``with_value`` does), which
validates the result, so an edit the schema does not allow is a one-line error naming the path.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from multipolar.data import bundled_scenarios
from multipolar.errors import ScenarioError, UsageError, did_you_mean
from multipolar.memo import ObjectMemo
from multipolar.report.palette import actor_colours
from multipolar.scenario import load
from multipolar.scenario.base import Estimate
from multipolar.scenario.incremental import Edited, Edits
from multipolar.scenario.loader import parse_json, parse_yaml, validate
from multipolar.scenario.paths import get_estimate
from multipolar.scenario.schema import Scenario
from multipolar.server import schemas as api
from multipolar.server.limits import LimitError, Limits, check_count, check_scenario, check_yaml
from multipolar.store.db import resolve_url
from multipolar.store.runs import run_scenario, scenario_hash

UPLOAD = "upload"  # how errors name a scenario sent as text


class UnknownScenarioError(UsageError):
    """No bundled scenario by that name (HTTP 404)."""


@lru_cache(maxsize=16)
def bundled(name: str) -> Scenario:
    return load(bundled_scenarios()[name])


def open_scenario(
    ref: api.ScenarioRef, limits: Limits, db_url: str | None = None
) -> tuple[Scenario, str]:
    """The scenario and where it came from (``bundled:NAME``, ``upload`` or ``run:ID``, a saved
    run's scenario read from the store at ``db_url``)."""
    if isinstance(ref, api.RunRef):
        scn, source = _saved(ref.run, resolve_url(db_url)), f"run:{ref.run}"
    elif isinstance(ref, api.BundledRef):
        names = bundled_scenarios()
        if ref.bundled not in names:
            raise UnknownScenarioError(
                f"scenario.bundled: no bundled scenario '{ref.bundled}'; "
                + did_you_mean(ref.bundled, names)
            )
        scn, source = bundled(ref.bundled), f"bundled:{ref.bundled}"
    else:
        text = ref.text
        fmt = ref.format or ("json" if text.lstrip().startswith("{") else "yaml")
        scn, source = _upload(text, fmt, limits.max_yaml_nodes), UPLOAD
    check_scenario(scn, limits)
    return scn, source


@lru_cache(maxsize=16)  # a saved run never changes
def _saved(run_id: int, url: str) -> Scenario:
    where = f"run {run_id}"
    try:
        return validate(run_scenario(run_id, url), where)
    except ScenarioError as exc:  # saved by another version of the schema
        raise ScenarioError(exc.problems, where) from None


@lru_cache(maxsize=8)  # the page resends an uploaded scenario with every request
def _upload(text: str, fmt: str, max_yaml_nodes: int) -> Scenario:
    if fmt != "json":  # JSON has no aliases to expand (parse_json limits its nesting)
        check_yaml(text, max_yaml_nodes)
    try:
        data, marks = parse_json(text) if fmt == "json" else parse_yaml(text)
        return validate(data, UPLOAD, marks)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, UPLOAD) from None
    except RecursionError:
        raise LimitError(
            "scenario: nested too deeply to read; fix: send a scenario file as written"
        ) from None


def apply_edits(scn: Scenario, edits: list[api.Edit], limits: Limits) -> Scenario:
    """``scn`` with each edit's estimate set to its value, in order (``paths.with_value``)."""
    return _apply(scn, edits, limits)[0]


def _apply(scn: Scenario, edits: list[api.Edit], limits: Limits) -> tuple[Scenario, Edited | None]:
    """``apply_edits``, and the last edit as ``scenario.incremental`` judged it (None if it was
    validated in full, or if there are no edits). Every edit is answered as
    ``set_value(copy_path(to_data(scn), path), path, value)`` would, by ``Edits``, which does
    not validate the whole scenario again for the numbers it knows."""
    check_count("edits", len(edits), limits.max_edits)
    edited: Edited | None = None
    for index, edit in enumerate(edits):
        problem = _path_problem(scn, edit.path, remember=index == 0)
        if problem is not None:
            raise UsageError(
                f"edits[{index}].path: {problem}; fix: name a number, e.g. positions.RUS.donbas"
            )
        edits_of = _edits_of(scn) if index == 0 or edited is None else edited.edits()
        made = edits_of.edit(edit.path, edit.value)
        edited = made if isinstance(made, Edited) else None
        scn = made.scenario if isinstance(made, Edited) else made
    return scn, edited


def edited_hash(scn: Scenario, edited: Edited | None) -> str:
    """``scenario_hash(scn)``; for an edit judged incrementally, from its parent's text."""
    if edited is None or edited.scenario is not scn:
        return scenario_hash(scn)
    try:
        text = edited.canonical_text()
    except (ValueError, TypeError):  # a non-finite number somewhere: the store's own way
        return scenario_hash(scn)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_PATHS: ObjectMemo[str | None] = ObjectMemo(64)


def _path_problem(scn: Scenario, path: str, *, remember: bool) -> str | None:
    """Why ``path`` names no number of ``scn`` (``get_estimate``'s error), or None; with
    ``remember`` (a scenario as opened: every what-if on it starts from the same object), kept
    for the last few paths."""
    return _PATHS.get_or(scn, lambda: _problem(scn, path), path, keep=remember)


def _problem(scn: Scenario, path: str) -> str | None:
    try:
        get_estimate(scn, path)
    except UsageError as exc:
        return str(exc)
    return None


_EDITS: ObjectMemo[Edits] = ObjectMemo(16)


def _edits_of(scn: Scenario) -> Edits:
    """The incremental edits of ``scn``, kept for the last few scenarios edited: every what-if
    on a scenario starts from the same data (and the same validated parts)."""
    return _EDITS.get_or(scn, lambda: Edits(scn))


def prepare(
    request: api.ScenarioRequest, limits: Limits, db_url: str | None = None
) -> tuple[Scenario, str]:
    """The edited scenario of a request and its source."""
    scn, source = open_scenario(request.scenario, limits, db_url)
    return apply_edits(scn, request.edits, limits), source


def prepare_hashed(
    request: api.ScenarioRequest, limits: Limits, db_url: str | None = None
) -> tuple[Scenario, str]:
    """The edited scenario of a request and its ``scenario_hash``."""
    scn, _ = open_scenario(request.scenario, limits, db_url)
    edited_scn, edited = _apply(scn, request.edits, limits)
    return edited_scn, edited_hash(edited_scn, edited)


def _range(est: Estimate) -> api.Range:
    return api.Range(low=est.low, best=est.best, high=est.high)


def scenario_info(scn: Scenario) -> api.ScenarioInfo:
    """What the page needs to draw sliders: values as written (the events apply on top)."""
    return api.ScenarioInfo(
        id=scn.id,
        title=scn.title,
        hash=scenario_hash(scn),
        actors=[
            api.ActorInfo(id=a.id, name=a.name, kind=a.kind, capability=_range(a.capability))
            for a in scn.actors
        ],
        issues=[
            api.IssueInfo(
                id=i.id,
                name=i.name,
                scale=i.scale,
                low_label=i.low_label,
                high_label=i.high_label,
                anchors=[api.AnchorInfo(value=a.value, label=a.label) for a in i.anchors],
                status_quo=None if i.status_quo is None else i.status_quo.best,
            )
            for i in scn.issues
        ],
        positions={a: {i: _range(e) for i, e in row.items()} for a, row in scn.positions.items()},
        salience={a: {i: _range(e) for i, e in row.items()} for a, row in scn.salience.items()},
        events=[
            api.EventInfo(
                id=e.id,
                date=e.date.isoformat(),
                title=e.title,
                effects=[f.label() for f in e.effects],
            )
            for e in scn.events
        ],
        actor_colours=actor_colours(a.id for a in scn.actors),
    )
