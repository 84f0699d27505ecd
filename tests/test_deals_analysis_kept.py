"""The deal analysis of a scenario object is made once per settings and sliced to each
caller's ``top``: the same as analysing afresh with that ``top``, and each caller owns its
copy (``multipolar run``'s deals step and its report both ask)."""

from __future__ import annotations

import json
from pathlib import Path

from multipolar.deals import analysis
from multipolar.deals.analysis import analyse_deals
from multipolar.scenario import load

CASE = Path(__file__).parent / "data" / "commitment_binds.yaml"


def _json(report: analysis.DealReport) -> str:
    return json.dumps(report.as_dict(), sort_keys=True, default=str)


def test_kept_analysis_is_the_fresh_analysis_for_every_top() -> None:
    scn = load(CASE)
    fresh = {}
    for top in (1, 3, 5, 50):
        analysis._ANALYSED.clear()
        fresh[top] = _json(analyse_deals(scn, top=top, draws=40, seed=2))
    analysis._ANALYSED.clear()
    for top in (3, 50, 1, 5):  # any order: the kept analysis is cut to each top
        got = analyse_deals(scn, top=top, draws=40, seed=2)
        assert _json(got) == fresh[top]
        got.walk_away.clear()  # a caller changing its copy changes no other caller's
        got.packages.clear()
    assert _json(analyse_deals(scn, top=5, draws=40, seed=2)) == fresh[5]
    assert _json(analyse_deals(scn, top=5, draws=40, seed=3)) != fresh[5]  # other settings
