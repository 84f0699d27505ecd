"""KTAB SMP CSV files, and what the CSV and XML readers/writers share.

Layout: line 1 ``name, description, numActors, numDims``; line 2 a header ``Actor, Description,
Influence`` then ``<dim> Position, <dim> Salience`` per dimension; then one row per actor.
Positions and saliences are on 0-100; each actor's saliences sum to at most 100. On import the
issue scale is [0, 100] and saliences are divided by 100; the export multiplies them back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multipolar.errors import UsageError
from multipolar.scenario.formats.common import (
    Collector,
    IdMaker,
    Imported,
    Row,
    csv_rows,
    fmt_num,
    fmt_percent,
    make_id,
    read_text,
    tidy,
    to_percent,
)
from multipolar.scenario.formats.sniff import ktab_csv_line1, refuse_other
from multipolar.scenario.loader import validate
from multipolar.scenario.schema import Scenario

LAYOUT = "line 1 'name,description,actors,dimensions', a header line, then one row per actor"
SALIENCE_NOTE = "salience read on KTAB's 0-100 scale and divided by 100"
SCALE_NOTE = "positions kept on KTAB's 0-100 scale: every issue has scale [0, 100]"
_STEM = (
    re.compile(r"(?i)\s*(.*?)(?:^|[\s_:\-]+)(?:position|pstn|pos)\s*"),
    re.compile(r"(?i)\s*(?:position|pstn|pos)[\s_:\-]*(.*?)\s*"),
)


@dataclass
class RawActor:
    """One actor as a KTAB file gives it (0-100 scales), with the line it came from."""

    name: str
    description: str
    capability: float
    positions: list[float]
    saliences: list[float]
    line: int


def check_actor(c: Collector, actor: RawActor, k: int, place: str = "") -> None:
    """KTAB's own rules: k positions and saliences, each salience row summing to <= 100."""
    if not actor.name:
        c.add(actor.line, "the actor has no name", "give every actor a short name", place)
    total = sum(actor.saliences)
    if len(actor.saliences) == k and total > 100.0 + 1e-9:
        c.add(
            actor.line,
            f"saliences of '{actor.name}' sum to {total:g} > 100",
            "KTAB needs each actor's saliences to sum to at most 100: scale them down",
            place,
        )


def check_unique(c: Collector, actors: list[RawActor]) -> None:
    """Raise on actors that share a name (KTAB refers to actors by name)."""
    seen: dict[str, int] = {}
    for actor in actors:
        if actor.name in seen:
            c.add(
                actor.line,
                f"duplicate actor '{actor.name}' (first on line {seen[actor.name]})",
                "give every actor its own name",
            )
        seen.setdefault(actor.name, actor.line)
    c.check()


def build(
    c: Collector,
    title: str,
    description: str,
    dims: list[str],
    actors: list[RawActor],
    *,
    extra: dict[str, Any],
    pairs: Sequence[tuple[str, str, float]] = (),
) -> tuple[Scenario, list[str]]:
    """Validate KTAB data as a scenario.

    ``extra`` adds fields (models, metadata); ``pairs`` are ideal adjustments by actor name.
    """
    check_unique(c, actors)
    actor_ids, issue_ids = IdMaker("actor"), IdMaker("dim")
    aids = [actor_ids(a.name) for a in actors]
    iids = [issue_ids(d) for d in dims]
    data: dict[str, Any] = {
        "id": make_id(title, "ktab"),
        "title": title or "KTAB scenario",
        "description": description,
        "actors": [
            {"id": aid, "name": a.description or a.name, "capability": a.capability}
            for aid, a in zip(aids, actors, strict=True)
        ],
        "issues": [
            {"id": iid, "name": d, "scale": [0.0, 100.0]} for iid, d in zip(iids, dims, strict=True)
        ],
        "positions": {
            aid: dict(zip(iids, a.positions, strict=True))
            for aid, a in zip(aids, actors, strict=True)
        },
        "salience": {
            aid: {i: tidy(s / 100.0) for i, s in zip(iids, a.saliences, strict=True)}
            for aid, a in zip(aids, actors, strict=True)
        },
        **extra,
    }
    if pairs:
        to_id = dict(zip((a.name for a in actors), aids, strict=True))
        data["ideal_adjustment"] = [
            {"actor": to_id[who], "reference": to_id[ref], "weight": weight}
            for who, ref, weight in pairs
        ]
    notes = [SALIENCE_NOTE, SCALE_NOTE, *actor_ids.note("actor"), *issue_ids.note("dimension")]
    return validate(data, c.file), notes


def dim_name(header: str, index: int) -> str:
    """'Policy Position' -> 'Policy'; 'Pstn1' or 'Position' -> 'Dim1' / 'Dim<index>'."""
    stem = header.strip()
    for pattern in _STEM:
        match = pattern.fullmatch(stem)
        if match:
            stem = match.group(1).strip()
            break
    if not stem or stem.isdigit():
        return f"Dim{stem or index}"
    return stem


def _count(c: Collector, cell: str, line: int, what: str, place: str) -> int:
    if not re.fullmatch(r"\d{1,9}", cell) or int(cell) < 1:
        c.fail(
            line,
            f"the number of {what} {cell!r} is not a positive whole number",
            f"write the number of {what} as a whole number",
            place,
        )
    return int(cell)


def _actor_row(c: Collector, line: int, cells: list[str], k: int) -> RawActor:
    cap = c.number(cells[2], line, "capability", 0.0)
    pos = [c.number(cells[3 + 2 * j], line, f"position {j + 1}", 0.0, 100.0) for j in range(k)]
    sal = [c.number(cells[4 + 2 * j], line, f"salience {j + 1}", 0.0, 100.0) for j in range(k)]
    actor = RawActor(
        cells[0],
        cells[1],
        cap or 0.0,
        [p for p in pos if p is not None],
        [s for s in sal if s is not None],
        line,
    )
    check_actor(c, actor, k)
    return actor


def read_csv(path: Path) -> Imported:
    """Import a KTAB SMP CSV file as one scenario."""
    c = Collector(str(path))
    text = read_text(path, LAYOUT)
    rows = csv_rows(text, ",", c.file, LAYOUT, trim=True)
    line1, first = rows[0]
    if not ktab_csv_line1(first):
        refuse_other(c, line1, text, "ktab", "a KTAB SMP CSV file")
    if len(first) < 4:
        c.fail(
            line1,
            f"line 1 has {len(first)} value(s); KTAB's first line needs 4",
            "write 'name,description,number of actors,number of dimensions'",
        )
    n = _count(c, first[2], line1, "actors", "numActors")
    k = _count(c, first[3], line1, "dimensions", "numDims")
    if len(rows) < 2:
        c.fail(
            line1 + 1,
            "the header line is missing",
            "add 'Actor,Description,Influence,<dim> Position,<dim> Salience,...'",
        )
    line2, header = rows[1]
    need = 3 + 2 * k
    if len(header) != need:
        c.fail(
            line2,
            f"the header has {len(header)} columns but {k} dimension(s) need {need}",
            "give Actor, Description, Influence, then a Position and a Salience column per "
            "dimension, and the number of dimensions on line 1",
        )
    body: list[Row] = rows[2:]
    if len(body) != n:
        c.add(
            line1,
            f"line 1 declares {n} actors but {len(body)} actor rows follow",
            f"set the number of actors on line 1 to {len(body)}, or add the missing rows",
        )
    actors = []
    for line, cells in body:
        if len(cells) != need:
            c.add(
                line,
                f"the row has {len(cells)} values but the header has {need} columns",
                "give name, description, influence, then position and salience per dimension",
            )
            continue
        actors.append(_actor_row(c, line, cells, k))
    c.check()
    dims = [dim_name(header[3 + 2 * j], j + 1) for j in range(k)]
    scenario, notes = build(c, first[0], first[1], dims, actors, extra={})
    return Imported([scenario], notes)


def actor_rows(scn: Scenario) -> list[tuple[str, str, float, list[tuple[str, str]]]]:
    """(id, name, capability, [(position, salience)] on 0-100) per actor, or a ``UsageError``."""
    out = []
    for actor in scn.actors:
        pairs = []
        for issue in scn.issues:
            pos = scn.positions.get(actor.id, {}).get(issue.id)
            sal = scn.salience.get(actor.id, {}).get(issue.id)
            if pos is None or sal is None:
                raise UsageError(
                    f"KTAB needs every actor on every issue, but '{actor.id}' has no position on "
                    f"'{issue.id}'; add it or drop the issue before exporting"
                )
            pairs.append((fmt_num(to_percent(pos.best, issue.scale)), fmt_percent(sal.best)))
        total = sum(scn.salience[actor.id][i.id].best for i in scn.issues)
        if total > 1.0 + 1e-9:
            raise UsageError(
                f"KTAB needs each actor's saliences to sum to at most 1 (100), but '{actor.id}' "
                f"has {total:g}; scale them down before exporting"
            )
        out.append((actor.id, actor.name, actor.capability.best, pairs))
    return out


def write_csv(scn: Scenario) -> str:
    """A KTAB SMP CSV file for ``scn`` (positions moved linearly onto 0-100 if needed)."""
    rows = actor_rows(scn)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([scn.title, scn.description, len(scn.actors), len(scn.issues)])
    header = ["Actor", "Description", "Influence"]
    for issue in scn.issues:
        header += [f"{issue.name} Position", f"{issue.name} Salience"]
    writer.writerow(header)
    for ident, name, cap, pairs in rows:
        writer.writerow([ident, name, fmt_num(cap), *(v for pair in pairs for v in pair)])
    return buf.getvalue()
