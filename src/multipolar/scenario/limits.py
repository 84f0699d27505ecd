"""The limits every scenario input is held to, in one place.

Each limit bounds the work or the arithmetic one file can cause; each breach is a one-line error
(``FILE:LINE:COL: place: what; fix: how``, exit code 2). ``docs/explanation/limits.md``
explains them and ``docs/reference/scenario-format.md`` lists them.
"""

from __future__ import annotations

import datetime as dt
import sys

# Reading a file (scenario YAML/JSON and the importers' CSV/XML)
MAX_FILE_BYTES = 5_000_000  # the bundled scenario is 60 kB; PyYAML reads about 1 MB/s
MAX_DEPTH = 40  # nested mappings/lists; a scenario needs 6, metadata gets the rest
MAX_ALIASES = 100  # YAML aliases (*name) in one document
MAX_NODES = 1_000_000  # YAML values once aliases are expanded ("billion laughs")
MAX_INT_CHARS = 700  # longest integer literal read (a float-range integer has <= 309 digits)
MAX_FLOAT = sys.float_info.max  # an integer beyond this has no float value: refused

# The scenario
MAX_EVENTS = 10_000
MAX_EFFECTS_PER_EVENT = 100
MAX_EFFECTS = 20_000  # over all events
ATTRIBUTION_MAX_EFFECTS = 6  # the timeline's Shapley split runs 2^m states; above, file order
DATE_MIN = dt.date(1000, 1, 1)  # dates of the scenario and of its events
DATE_MAX = dt.date(2999, 12, 31)
MAX_SCALE_END = 1e15  # |low| and |high| of an issue's scale
MIN_SCALE_WIDTH = 1e-6  # relative: high - low >= MIN_SCALE_WIDTH * max(1, |low|, |high|)


def scale_problem(low: float, high: float) -> tuple[str, str] | None:
    """What is wrong with an ordered scale [low, high] (message, fix), or None."""
    if max(abs(low), abs(high)) > MAX_SCALE_END:
        return (
            f"scale [{low:g}, {high:g}] reaches beyond ±{MAX_SCALE_END:g}",
            f"express the issue in units where its ends lie within ±{MAX_SCALE_END:g}",
        )
    least = MIN_SCALE_WIDTH * max(1.0, abs(low), abs(high))
    if high - low < least:
        return (
            f"scale [{low:g}, {high:g}] is narrower than {least:g}",
            (
                f"widen it to at least {least:g} (a millionth of its largest end, or of 1), "
                "e.g. by changing its units"
            ),
        )
    return None


def date_problem(value: dt.date) -> tuple[str, str] | None:
    """Why ``value`` is outside the dates a scenario may use (message, fix), or None."""
    if DATE_MIN <= value <= DATE_MAX:
        return None
    return (
        f"date {value.isoformat()} is outside {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}",
        f"give a date from {DATE_MIN.year} to {DATE_MAX.year}",
    )
