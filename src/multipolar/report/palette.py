"""The colours of the charts, defined once: one palette for actors, one for models, one for
everything else (packages, marks). The HTML report reads them here; the web app gets the same
mappings from the API (``/api/meta`` for models, ``/api/scenario`` for a scenario's actors), so
an actor or a model has one colour in every chart of both.

An actor's colour follows its place in the scenario file (every actor, active or not, so an
actor that joins through an event keeps its colour); a model's colour is fixed by its name.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

#: Actors: Tableau 10, then ten more distinct hues; repeats after 20 actors.
ACTOR_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
    "#393b79", "#ad494a", "#637939", "#e7969c", "#5254a3",
    "#8ca252", "#bd9e39", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip

#: Models: ColorBrewer Dark2 (a different family from the actors' colours).
MODEL_PALETTE = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
)  # fmt: skip

#: The registered models' fixed colours; a model registered later gets one by its name.
MODEL_COLOURS = {
    "compromise": MODEL_PALETTE[0],
    "eum": MODEL_PALETTE[1],
    "median": MODEL_PALETTE[2],
    "nash": MODEL_PALETTE[3],
    "smp": MODEL_PALETTE[4],
    "exchange": MODEL_PALETTE[5],
}

#: Series that are neither an actor nor a model (packages, marked values).
OTHER_PALETTE = ("#444444", "#a0522d", "#008b8b", "#8b008b", "#556b2f", "#b8860b", "#4682b4")

#: Scenario-wide series (the zone of agreement, the status quo).
INK = "#000000"


def actor_colours(actor_ids: Iterable[str]) -> dict[str, str]:
    """Each actor's colour, by its place in the scenario's list of actors."""
    return {a: ACTOR_PALETTE[i % len(ACTOR_PALETTE)] for i, a in enumerate(actor_ids)}


def model_colour(name: str) -> str:
    """A model's colour: fixed for the registered models, else chosen by the name (the same
    name always gets the same colour)."""
    if name in MODEL_COLOURS:
        return MODEL_COLOURS[name]
    spare = MODEL_PALETTE[len(MODEL_COLOURS) :]
    return spare[zlib.crc32(name.encode("utf-8")) % len(spare)]


def model_colours(names: Iterable[str]) -> dict[str, str]:
    return {name: model_colour(name) for name in names}


def other_colour(i: int) -> str:
    return OTHER_PALETTE[i % len(OTHER_PALETTE)]
