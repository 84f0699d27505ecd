"""The exchange model's records as rows: who traded what with whom, the moves and the gains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from multipolar.models.exchange import layout as lay
from multipolar.scenario.arrays import FloatArray

#: the externality sums per actor and round (reference §4): inner/outer positive/negative, own
EXTERNALITIES = ("inner_positive", "inner_negative", "outer_positive", "outer_negative", "own")
GROUPS = ("a-d", "b-c")


def exchange_rows(
    trajectory: Mapping[str, FloatArray],
    actors: Sequence[str],
    issues: Sequence[str],
    lo: Sequence[float] | FloatArray,
    hi: Sequence[float] | FloatArray,
) -> list[dict[str, Any]]:
    """One dict per realised exchange, in realisation order: round, order in the round, the
    groups (a-d or b-c), the equal gain, and per side (``i``: supplies the pair's second issue,
    ``j``: the first) the actor, the issue it gives way on (``supplies``), its position there
    before and after (``from``, ``to``, on the issue's scale), the partner's position it moves
    toward (``target``) and its utility gain (``eu``). Empty without an ``exchanges`` record
    (batched runs keep none)."""
    rec = trajectory.get("exchanges")
    if rec is None:
        return []
    lo_a, hi_a = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    width = np.where(hi_a > lo_a, hi_a - lo_a, 1.0) / lay.SPAN
    rows = []
    for r in np.asarray(rec):
        row: dict[str, Any] = {
            "round": int(r[lay.R_ROUND]),
            "order": int(r[lay.R_ORDER]),
            "groups": GROUPS[int(r[lay.R_GROUP])],
            "gain": float(r[lay.R_GAIN]),
        }
        for side, name in enumerate("ij"):
            o = lay.R_SIDE + side * lay.R_PER_SIDE
            issue = int(r[o + lay.R_SUPPLY])
            scale = float(width[issue])
            row[f"{name}_actor"] = actors[int(r[o + lay.R_ACTOR])]
            row[f"{name}_supplies"] = issues[issue]
            row[f"{name}_from"] = float(lo_a[issue] + r[o + lay.R_X] * scale)
            row[f"{name}_to"] = float(lo_a[issue] + r[o + lay.R_Y] * scale)
            row[f"{name}_target"] = float(lo_a[issue] + r[o + lay.R_TARGET] * scale)
            row[f"{name}_eu"] = float(r[o + lay.R_EU])
        rows.append(row)
    return rows
