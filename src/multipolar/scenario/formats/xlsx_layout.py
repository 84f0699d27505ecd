"""The layout of a scenario workbook (``.xlsx``), shared by its writer and its reader.

One sheet per part of the scenario. Tables have one header row; the ``positions`` and
``salience`` grids have two (row 1 the issue id over each group of columns, row 2 the field)
and one row per actor from row 3. An estimate takes up to seven columns: ``low``, ``best``,
``high``, ``source``, ``quote``, ``note``, ``dist``; in a table they are named after the field
(``capability low``, ``capability best``, ...), and a point needs only ``best``. Lists of ids
(``belligerents``, an event's ``sources``, owners) are written in one cell, separated by commas.
"""

from __future__ import annotations

import re
from typing import Any, get_args

import yaml

from multipolar.scenario.base import Distribution
from multipolar.scenario.formats.common import NUMBER
from multipolar.scenario.schema import ActorKind

ESTIMATE = ("low", "best", "high", "source", "quote", "note", "dist")
KINDS: tuple[str, ...] = get_args(ActorKind)
DISTS: tuple[str, ...] = get_args(Distribution)
CHANGES = ("set", "shift", "scale", "owner", "join", "leave")
UTILITIES = ("quadratic", "linear")
UNSETTLED = ("average", "nothing", "midpoint")
ENDS = ("low", "high")  # of an issue's scale: columns "scale low", "scale high"
LAST_ROW = 1000  # data validation lists and their targets cover rows up to here


def estimate(prefix: str) -> tuple[str, ...]:
    """The columns of an estimate in a table: ``capability low``, ``capability best``, ..."""
    return tuple(f"{prefix} {field}" for field in ESTIMATE)


SCENARIO_KEYS = ("schema_version", "id", "title", "description", "date")
SOURCES = ("id", "title", "author", "publisher", "date", "url", "note")
ACTORS = ("id", "name", "kind", *estimate("capability"), "notes", "active")
ISSUES = (
    "id",
    "name",
    "scale low",
    "scale high",
    "low_label",
    "high_label",
    *estimate("status_quo"),
    "outcome",
    "description",
)
ANCHORS = ("issue", "value", "label")
KEY_VALUE = ("key", "value")
ESTIMATE_ROWS = ("key", "value", "low", "high", "source", "quote", "note", "dist")
EVENTS = (
    "event",
    "date",
    "title",
    "description",
    "sources",
    "change",
    "path",
    "value",
    "issue",
    "add",
    "remove",
    "actor",
    "source",
    "quote",
    "note",
)
EVENT_FIELDS = ("date", "title", "description", "sources")  # on an event's first row
CORRELATIONS = ("estimate 1", "estimate 2", "rho", "source", "note")
IDEAL = ("actor", "reference", "weight")
MODELS = ("model", "parameter", "value")
QUESTIONS = ("question", "field", "value")  # one row per field of each question
CONSTITUENCIES = ("actor", "field", "value")  # rule fields, then one `member` row per member

#: the tables, in workbook order, with their header row
TABLES: dict[str, tuple[str, ...]] = {
    "scenario": KEY_VALUE,
    "sources": SOURCES,
    "actors": ACTORS,
    "issues": ISSUES,
    "anchors": ANCHORS,
    "conflict": ESTIMATE_ROWS,
    "deal": ESTIMATE_ROWS,
    "constituencies": CONSTITUENCIES,
    "events": EVENTS,
    "correlations": CORRELATIONS,
    "ideal_adjustment": IDEAL,
    "questions": QUESTIONS,
    "models": MODELS,
    "metadata": KEY_VALUE,
}
#: columns a table cannot do without
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "scenario": ("key", "value"),
    "sources": ("id",),
    "actors": ("id",),
    "issues": ("id",),
    "anchors": ("issue", "value"),
    "conflict": ("key", "value"),
    "deal": ("key", "value"),
    "constituencies": CONSTITUENCIES,
    "events": ("event", "change"),
    "correlations": ("estimate 1", "estimate 2", "rho"),
    "ideal_adjustment": IDEAL,
    "questions": QUESTIONS,
    "models": MODELS,
    "metadata": ("key", "value"),
}
GRIDS = ("positions", "salience")
ABOUT = "about"
SHEETS = (
    ABOUT,
    "scenario",
    "sources",
    "actors",
    "issues",
    "anchors",
    *GRIDS,
    "conflict",
    "deal",
    "constituencies",
    "events",
    "correlations",
    "ideal_adjustment",
    "questions",
    "models",
    "metadata",
)
REQUIRED = ("scenario", "actors", "issues", *GRIDS)

#: rows of the conflict sheet: which hold an estimate, a list of ids, or one id
CONFLICT_ESTIMATES = (
    "p",
    "costs",
    "discount",
    "power_shift.now",
    "power_shift.next",
    "guarantee.credibility",
    "side_payment",
)
CONFLICT_IDS = ("belligerents", "stakes")
CONFLICT_ID = ("power_shift.declining", "guarantee.issue")
CONFLICT_ORDER = (
    "belligerents",
    "p",
    "costs",
    "discount",
    "stakes",
    "power_shift.declining",
    "power_shift.now",
    "power_shift.next",
    "guarantee.credibility",
    "guarantee.issue",
    "side_payment",
)
#: rows of the deal sheet (``owners.<issue>``, ``veto.<issue>``, ``walk_away.<actor>``)
DEAL_KEYS = ("utility", "unsettled", "owners", "veto", "walk_away")

ABOUT_TEXT = (
    (
        "A multipolar scenario as a workbook. Import it with: multipolar import xlsx THIS.xlsx -o "
        "scenario.yaml (then multipolar validate scenario.yaml); write one with: multipolar export "
        "xlsx scenario.yaml -o THIS.xlsx. Field meanings: docs/reference/scenario-format.md."
    ),
    "",
    "scenario: key / value rows: schema_version, id, title, description, date (YYYY-MM-DD).",
    "sources: one row per source; estimates and events name a source by its id.",
    (
        "actors: one row per actor; kind is party, mediator, outside_power or domestic; "
        "active FALSE for an actor who enters through an event's join."
    ),
    (
        "issues: one row per issue; scale low < scale high; outcome is an observed result "
        "(backtests). anchors: named points on an issue's scale, one per row."
    ),
    (
        "positions, salience: one row per actor (column A); row 1 names the issue over each group "
        "of columns, row 2 the field. Write a point in best; a range in low, best and high. "
        "Salience is in [0, 1]. An empty group means no estimate."
    ),
    (
        "Estimates: low / best / high, source (an id from sources), quote (only the source's own "
        "words), note (your reasoning), dist (triangular, uniform, pert or normal; default "
        "triangular)."
    ),
    (
        "conflict: one row per key: belligerents (two actor ids, comma-separated), p, "
        "costs.<actor>, discount, stakes (issue ids), power_shift.declining, power_shift.now, "
        "power_shift.next, guarantee.credibility, guarantee.issue, side_payment. value is the "
        "best estimate (or the ids). Leave every value empty for no conflict."
    ),
    (
        "deal: utility (quadratic or linear), unsettled (average, nothing or midpoint), "
        "owners.<issue> and veto.<issue> (actor ids), walk_away.<actor> (an estimate in [0, 1])."
    ),
    (
        "events: one row per effect; the event's date, title, description and sources on its first "
        "row. change is set, shift or scale (with path and value, e.g. positions.RUS.donbas), "
        "owner (issue, add, remove), join or leave (actor)."
    ),
    (
        "correlations: two estimate paths (e.g. conflict.p) and rho. ideal_adjustment: actor, "
        "reference, weight in [0, 1]. models: model, parameter, value. metadata: key, value. "
        "Values in models and metadata are read as YAML (quote text that looks like a number). "
        "constituencies: actor, field (rule, threshold, share, source, quote, note, or member "
        "once per constituency), value; a member's value is its block as YAML."
    ),
    "Sheets with other names are ignored; this sheet is ignored too.",
)


def norm(text: str) -> str:
    """A header or key as compared: lower case, '_' and runs of spaces as one space."""
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def decode(text: str) -> Any:
    """A ``models:`` or ``metadata:`` value written as text: a number when the text is one
    (``1e-17`` too), else the text read as YAML (``true``, ``[1, 2]``, ``"5"``, plain words).
    Raises ``yaml.YAMLError`` for malformed YAML."""
    plain = text.strip()
    if NUMBER.fullmatch(plain):
        return float(plain) if any(c in plain for c in ".eE") else int(plain)
    return yaml.safe_load(text)
