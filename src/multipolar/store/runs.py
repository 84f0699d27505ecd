"""Save, list, read and compare runs.

A run keeps the scenario it ran on (canonical JSON of ``to_data(scenario)`` and its sha256), its
kind (``forecast``, ``deals``, ``timeline``, ``whatif``, ...), model(s), parameters, seed, the
package version, the time, and its results as named parts. ``save_run`` writes everything in one
transaction: a run that fails or is killed midway leaves no record behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeGuard

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from multipolar.errors import UsageError
from multipolar.scenario.loader import to_data
from multipolar.scenario.schema import Scenario
from multipolar.store.db import ResultRow, RunRow, ScenarioRow, connect, display_url, resolve_url


class RunNotFoundError(UsageError):
    """No run with the requested id."""


def plain(value: Any) -> Any:
    """JSON-ready data: ``as_dict()`` objects, pydantic models, numpy values and dates become
    plain data; non-finite floats become ``None``. Anything else raises ``TypeError``."""
    kind = type(value)  # the common exact types first (isinstance of an ABC is slow)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if kind is list:
        return [plain(v) for v in value]
    return _plain_other(value)


def _plain_other(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return plain(value.model_dump(mode="json"))
    if callable(getattr(value, "as_dict", None)):
        return plain(value.as_dict())
    raise TypeError(f"cannot store a {type(value).__name__} in a run's results")


def canonical_json(value: Any) -> str:
    """Sorted, compact JSON of ``plain(value)``: equal data gives equal text."""
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(scn: Scenario) -> str:
    """sha256 of the scenario's canonical content."""
    data = to_data(scn)
    try:  # JSON-mode data is already plain, unless it holds a non-finite number
        text = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (ValueError, TypeError):
        text = canonical_json(data)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def package_version() -> str:
    try:
        return version("multipolar")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unknown"


@dataclass(frozen=True)
class RunRecord:
    """A stored run; ``scenario`` and ``results`` are filled by ``get_run`` only."""

    id: int
    created: str
    kind: str
    model: str | None
    seed: int
    version: str
    scenario_hash: str
    title: str
    parameters: dict[str, Any]
    scenario: dict[str, Any] | None = None
    results: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k == "model"}


def save_run(
    scn: Scenario,
    kind: str,
    results: Mapping[str, Any],
    *,
    model: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    seed: int = 0,
    db: str | None = None,
) -> int:
    """Store a run and return its id. ``results`` maps part names to anything ``plain``
    accepts (e.g. ``{"compromise": forecast}``); parts are serialised and written one by one
    inside a single transaction, so an error (or a kill) midway leaves nothing behind."""
    if not kind or len(kind) > 40:
        raise UsageError(f"run kind {kind!r}: expected 1-40 characters, e.g. forecast")
    content = canonical_json(to_data(scn))
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    engine = connect(db)
    with Session(engine) as session, session.begin():
        if session.get(ScenarioRow, digest) is None:
            session.add(ScenarioRow(hash=digest, title=scn.title, content=content))
            session.flush()  # before the run that refers to it
        run = RunRow(
            created=dt.datetime.now(dt.UTC),
            kind=kind,
            model=model,
            seed=int(seed),
            version=package_version(),
            scenario_hash=digest,
            parameters=canonical_json(dict(parameters or {})),
        )
        session.add(run)
        session.flush()
        for position, (name, value) in enumerate(results.items()):
            session.add(
                ResultRow(
                    run_id=run.id, name=str(name), position=position, data=canonical_json(value)
                )
            )
            session.flush()
        return run.id


def _record(run: RunRow, title: str, **extra: Any) -> RunRecord:
    created = run.created if run.created.tzinfo else run.created.replace(tzinfo=dt.UTC)
    return RunRecord(
        id=run.id,
        created=created.isoformat(timespec="seconds"),
        kind=run.kind,
        model=run.model,
        seed=run.seed,
        version=run.version,
        scenario_hash=run.scenario_hash,
        title=title,
        parameters=json.loads(run.parameters),
        **extra,
    )


def list_runs(
    db: str | None = None, *, limit: int = 50, kind: str | None = None
) -> list[RunRecord]:
    """The latest runs first (without scenario content and results)."""
    query = select(RunRow, ScenarioRow.title).join(ScenarioRow).order_by(RunRow.id.desc())
    if kind is not None:
        query = query.where(RunRow.kind == kind)
    with Session(connect(db, create=False)) as session:
        return [_record(run, title) for run, title in session.execute(query.limit(limit))]


def _run_row(session: Session, run_id: int, db: str | None) -> tuple[RunRow, ScenarioRow]:
    run = session.get(RunRow, run_id) if 0 < run_id < 2**63 else None
    if run is None:
        raise RunNotFoundError(
            f"run {run_id}: not in {display_url(resolve_url(db))}; "
            "fix: see `multipolar runs list` for the ids"
        )
    scenario = session.get(ScenarioRow, run.scenario_hash)
    assert scenario is not None  # a foreign key
    return run, scenario


def get_run(run_id: int, db: str | None = None) -> RunRecord:
    """One run with its scenario content and results; ``RunNotFoundError`` when there is none."""
    with Session(connect(db, create=False)) as session:
        run, scenario = _run_row(session, run_id, db)
        parts = session.scalars(
            select(ResultRow).where(ResultRow.run_id == run_id).order_by(ResultRow.position)
        )
        return _record(
            run,
            scenario.title,
            scenario=json.loads(scenario.content),
            results={p.name: json.loads(p.data) for p in parts},
        )


def run_scenario(run_id: int, db: str | None = None) -> dict[str, Any]:
    """The scenario content a run ran on (as ``to_data`` gives it), without its results."""
    with Session(connect(db, create=False)) as session:
        _, scenario = _run_row(session, run_id, db)
        content: dict[str, Any] = json.loads(scenario.content)
        return content


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of nested data by dotted path; lists of entries with ids are keyed by id (as in
    ``actors.RUS.capability.best``), other lists by index (``packages[0].terms.donbas``).
    Empty lists and mappings have no leaves."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list):
        ids = [item.get("id") if isinstance(item, dict) else None for item in data]
        keyed = all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids)
        out = {}
        for index, item in enumerate(data):
            if keyed:
                rest = {k: v for k, v in item.items() if k != "id"}
                out.update(flatten(rest, f"{prefix}.{ids[index]}" if prefix else str(ids[index])))
            else:
                out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: data}


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def diff_values(a: Any, b: Any) -> list[dict[str, Any]]:
    """Leaves that differ between ``a`` and ``b``: path, both values (``None`` where absent)
    and, for two numbers, ``delta`` = b - a."""
    left, right = flatten(a), flatten(b)
    paths = list(left) + [p for p in right if p not in left]
    out = []
    for path in paths:
        va, vb = left.get(path), right.get(path)
        if path in left and path in right and va == vb:
            continue
        row: dict[str, Any] = {"path": path, "a": va, "b": vb}
        if _number(va) and _number(vb):
            row["delta"] = vb - va
        out.append(row)
    return out


def diff_runs(a: RunRecord, b: RunRecord) -> dict[str, Any]:
    """What changed from run ``a`` to run ``b``: run fields, parameters, scenario content (by
    path) and results (by path)."""
    fields = {
        name: [getattr(a, name), getattr(b, name)]
        for name in ("kind", "model", "seed", "version", "scenario_hash", "title")
        if getattr(a, name) != getattr(b, name)
    }
    return {
        "a": a.id,
        "b": b.id,
        "fields": fields,
        "parameters": diff_values(a.parameters, b.parameters),
        "scenario": diff_values(a.scenario or {}, b.scenario or {}),
        "results": diff_values(a.results or {}, b.results or {}),
    }
