"""A commented starter scenario (``multipolar new``): valid as written, every number a marked
placeholder.

Two parties, a mediator and an outside power (more actors and issues on request), with
sourced ranges, a ``conflict:``, a ``deal:`` and one event. The source is marked as a
placeholder and no estimate quotes it: estimates carry a ``note:``, since a ``quote:`` must be
a source's own words. The text is the same for the same arguments (no date of today in it).
"""

from __future__ import annotations

from pathlib import Path

from multipolar.errors import UsageError
from multipolar.scenario.formats.common import make_id

MAX_ACTORS, MAX_ISSUES = 26, 12
_BASE = (
    ("PARTY_A", "Party A", "party", 50),
    ("PARTY_B", "Party B", "party", 40),
    ("MEDIATOR", "Mediator", "mediator", 20),
    ("OUTSIDE", "Outside power", "outside_power", 60),
)
_NOTE = "PLACEHOLDER: replace, and say why"


def _actors(n: int) -> list[tuple[str, str, str, int]]:
    extra = [(f"ACTOR{k}", f"Actor {k}", "party", 20) for k in range(len(_BASE) + 1, n + 1)]
    return [*_BASE[:n], *extra]


def _position(actor: int, issue: int) -> int:
    """Placeholder positions that differ by actor and issue (the parties far apart)."""
    odd = issue % 2 == 1
    fixed = {0: 20 if odd else 70, 1: 80 if odd else 25, 2: 50, 3: 65 if odd else 40}
    return fixed.get(actor, 30 + (15 * actor + 10 * issue) % 50)


def _range(best: float, width: float, low: float = 0.0, high: float = 100.0) -> str:
    lo, hi = max(low, best - width), min(high, best + width)
    return f'{{low: {lo:g}, best: {best:g}, high: {hi:g}, source: placeholder, note: "{_NOTE}"}}'


def starter_yaml(name: str, actors: int = 4, issues: int = 2) -> str:
    """The YAML text of a starter scenario called ``name`` with ``actors`` actors (2 to 26:
    two parties, then a mediator, an outside power and further parties) and ``issues``
    issues (1 to 12)."""
    if not 2 <= actors <= MAX_ACTORS:
        raise UsageError(f"--actors {actors}: use 2 to {MAX_ACTORS} (two parties at least)")
    if not 1 <= issues <= MAX_ISSUES:
        raise UsageError(f"--issues {issues}: use 1 to {MAX_ISSUES}")
    stem = Path(name).stem or "scenario"
    ident = make_id(stem, "scenario")
    who = _actors(actors)
    ids = [f"issue{k}" for k in range(1, issues + 1)]
    mover = who[2][0] if actors > 2 else who[0][0]
    lines = [
        f"# {stem}: a starter scenario written by `multipolar new`. It validates as it is, but",
        "# EVERY number, name, label and date below is a PLACEHOLDER: replace each with your",
        "# own estimate, cite a real source for it, then check the file with",
        f"#   multipolar validate {stem}.yaml --explain",
        "# Every field: docs/reference/scenario-format.md (or `multipolar schema`). A number is a",
        "# point (0.7) or a range {low, best, high}; forecasts use best, Monte Carlo the range.",
        "# `quote:` holds only a source's own words; put your reasoning in `note:`.",
        "schema_version: 1",
        f"id: {ident}",
        f'title: "{stem} (starter scenario: replace every placeholder)"',
        "description: PLACEHOLDER. What is negotiated, between whom, as of when.",
        "date: 2026-03-01  # PLACEHOLDER: the date the scenario describes",
        "",
        "sources:  # PLACEHOLDER source: replace it with real documents, one entry each",
        "  - id: placeholder",
        '    title: "PLACEHOLDER: not a real source (title of the document)"',
        '    publisher: "PLACEHOLDER: publisher or outlet"',
        "    date: 2026-01-15",
        "    note: Placeholder, not a real source. Point each estimate at a real one by its id.",
        "",
        "actors:  # kind: party, mediator, outside_power or domestic (descriptive)",
    ]
    for k, (aid, label, kind, cap) in enumerate(who):
        lines += [
            f"  - id: {aid}",
            f'    name: "{label} (PLACEHOLDER name)"',
            f"    kind: {kind}",
            f"    capability: {_range(cap, 10, 0, 1e9) if k < 2 else cap}"
            + ("  # relative weight >= 0" if k == 0 else ""),
        ]
    lines += ["", "issues:  # each a continuum between two labelled ends"]
    for k, iid in enumerate(ids):
        lines += [
            f"  - id: {iid}",
            f'    name: "Issue {k + 1} (PLACEHOLDER: name it)"',
            "    scale: [0, 100]",
            '    low_label: "PLACEHOLDER: what 0 means"',
            '    high_label: "PLACEHOLDER: what 100 means"',
            "    status_quo: 50  # PLACEHOLDER: where things stand without a deal",
        ]
        if k == 0:
            lines += [
                "    anchors:  # named points on the scale (optional)",
                '      - {value: 50, label: "PLACEHOLDER: what the middle means"}',
            ]
    lines += ["", "positions:  # positions[actor][issue]: the outcome each actor wants"]
    for a, (aid, *_) in enumerate(who):
        lines.append(f"  {aid}:")
        lines += [f"    {iid}: {_range(_position(a, i + 1), 10)}" for i, iid in enumerate(ids)]
    lines += ["", "salience:  # salience[actor][issue]: attention to the issue, in [0, 1]"]
    for a, (aid, *_) in enumerate(who):
        values = [0.4 if a >= 2 else 0.8 if (a + i) % 2 == 0 else 0.5 for i in range(issues)]
        cells = ", ".join(f"{i}: {v:g}" for i, v in zip(ids, values, strict=True))
        lines.append(f"  {aid}: {{{cells}}}")
    lines += _conflict(who, ids) + _deal(who, ids) + _event(mover, ids[0])
    return "\n".join(lines) + "\n"


def _conflict(who: list[tuple[str, str, str, int]], ids: list[str]) -> list[str]:
    a, b = who[0][0], who[1][0]
    return [
        "",
        "# The fight (war, strike, walk-out) a deal must beat. Delete the block if there is none.",
        "conflict:",
        f"  belligerents: [{a}, {b}]  # p is the first one's chance of prevailing",
        f"  p: {_range(0.5, 0.1, 0, 1)}",
        "  costs:  # per-period cost of fighting on, in utility units (0-1)",
        f"    {a}: {_range(0.03, 0.02, 0, 1)}",
        f"    {b}: {_range(0.03, 0.02, 0, 1)}",
        "  discount: 0.9  # how much the next period counts, in [0, 1)",
        f"  stakes: [{ids[0]}]  # the issues a victory decides",
        "  # power_shift: {declining: " + b + ", next: 0.3}  # a commitment problem (optional)",
        "  # guarantee: {credibility: 0.5, issue: " + ids[-1] + "}  # caps the power shift",
    ]


def _deal(who: list[tuple[str, str, str, int]], ids: list[str]) -> list[str]:
    lines = [
        "",
        "# Who must accept a package besides the belligerents; how utility is counted.",
        "deal:",
        "  utility: quadratic  # or linear",
    ]
    if len(who) >= 4:
        lines += [
            "  owners:  # issue -> actors who control it and must accept",
            f"    {ids[-1]}: [{who[3][0]}]",
        ]
    lines.append("  # veto: {" + ids[0] + ": [ACTOR]}  # further actors who can block a package")
    return lines


def _event(mover: str, issue: str) -> list[str]:
    return [
        "",
        "# Dated changes; every analysis uses the state after the last event.",
        "events:",
        "  - id: event1",
        "    date: 2026-02-01  # PLACEHOLDER",
        '    title: "PLACEHOLDER: what happened"',
        "    sources: [placeholder]",
        "    effects:  # set, shift or scale a number by its path; or owner, join, leave",
        f"      - path: positions.{mover}.{issue}",
        "        shift: 5",
        "        source: placeholder",
        '        note: "PLACEHOLDER: what moved, by how much and why"',
    ]
