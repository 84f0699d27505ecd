"""Request and response bodies of the web API (pydantic models, documented at ``/docs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

from multipolar import params
from multipolar.models.registry import names

if TYPE_CHECKING:
    ModelName = str
else:  # the registered models, so that the schema lists the names a request may use
    ModelName = Literal.__getitem__(tuple(names()))

# every numeric field is declared once, in multipolar.params (as the CLI's options)
JSON_SEED = params.SEED.with_(high=params.MAX_JSON_INT)  # see multipolar.params
Seed = Annotated[int, JSON_SEED.field(description="Seed for stochastic models and draws.")]
Draws = Annotated[int, params.DRAWS.field()]
Top = Annotated[int, params.TOP.field()]
Models = Annotated[
    list[ModelName] | None,
    Field(None, max_length=20, description="Model names; default: every model."),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BundledRef(_Body):
    """A bundled scenario, by name (see /api/meta)."""

    bundled: str = Field(max_length=200, description="Name of a bundled scenario.")


class TextRef(_Body):
    """A scenario file's content sent in the body."""

    text: str = Field(description="A scenario file's content (YAML or JSON).")
    format: Literal["yaml", "json"] | None = Field(
        None, description="Format of `text` (default: JSON when it starts with '{', else YAML)."
    )


class RunRef(_Body):
    """The scenario a saved run ran on (its edits included)."""

    run: int = params.RUN_ID.with_(high=params.MAX_JSON_INT).field(
        description="Id of a saved run: the scenario it ran on."
    )


#: Which scenario: exactly one of a bundled one by name, scenario text (YAML or JSON) sent in
#: the body, or the scenario a saved run ran on. File-system paths are never accepted.
ScenarioRef = BundledRef | TextRef | RunRef


class Edit(_Body):
    """Set one estimate's best value (its range moves with it), e.g. a slider move."""

    path: str = Field(
        max_length=300,
        description="Dotted path: positions.ACTOR.ISSUE, salience.ACTOR.ISSUE, "
        "actors.ACTOR.capability, issues.ISSUE.status_quo, conflict.p, ...",
        examples=["positions.RUS.donbas"],
    )
    value: FiniteFloat


class ScenarioRequest(_Body):
    scenario: ScenarioRef
    edits: list[Edit] = Field(default_factory=list, description="Applied in order.")


class ForecastRequest(ScenarioRequest):
    models: Models = None
    seed: Seed = params.SEED.default


class DealsRequest(ScenarioRequest):
    draws: Draws = params.DRAWS.default
    top: Top = params.TOP.default
    seed: Seed = params.SEED.default


class TimelineRequest(ScenarioRequest):
    models: Annotated[
        list[ModelName] | None,
        Field(None, max_length=20, description="Models to track; default: compromise."),
    ] = None
    attribution: bool = Field(
        False, description="Also split each event's change among its effects (slower)."
    )
    seed: Seed = params.SEED.default


class SaveRequest(ScenarioRequest):
    kind: Literal["forecast", "deals", "timeline", "whatif"] = Field(
        "whatif", description="What to run and save; whatif = forecast, deals and timeline."
    )
    models: Models = None
    draws: Draws = params.DRAWS.default
    top: Top = params.TOP.default
    attribution: bool = False
    seed: Seed = params.SEED.default


class ErrorResponse(BaseModel):
    """Every 4xx answer: the first problem on one line, and all of them."""

    error: str
    problems: list[str] = Field(default_factory=list)


class ModelInfo(BaseModel):
    name: str
    title: str
    stochastic: bool


class LimitsInfo(BaseModel):
    max_body_bytes: int
    max_actors: int
    max_issues: int
    max_events: int
    max_edits: int
    max_draws: int
    max_attribution_effects: int
    max_seconds: float = Field(description="Hard time limit of one analysis request, seconds.")
    max_cost: float = Field(
        description="Compute budget of one request: its estimated work, in seconds of one core."
    )
    workers: int = Field(description="Worker processes that run analyses (0: in the server).")


class BundledInfo(BaseModel):
    name: str
    title: str


class MetaResponse(BaseModel):
    version: str
    models: list[ModelInfo]
    model_colours: dict[str, str] = Field(
        description="Each registered model's colour in every chart (as in the HTML report)."
    )
    bundled: list[BundledInfo]
    limits: LimitsInfo


class Range(BaseModel):
    low: float | None = None
    best: float
    high: float | None = None


class ActorInfo(BaseModel):
    id: str
    name: str
    kind: str
    capability: Range


class AnchorInfo(BaseModel):
    value: float
    label: str


class IssueInfo(BaseModel):
    id: str
    name: str
    scale: tuple[float, float]
    low_label: str
    high_label: str
    anchors: list[AnchorInfo]
    status_quo: float | None


class EventInfo(BaseModel):
    id: str
    date: str
    title: str
    effects: list[str]


class ScenarioInfo(BaseModel):
    """A scenario as the sliders need it (values as written, before its events)."""

    id: str | None
    title: str
    hash: str = Field(description="sha256 of the canonical content (after the edits).")
    actors: list[ActorInfo]
    issues: list[IssueInfo]
    positions: dict[str, dict[str, Range]]
    salience: dict[str, dict[str, Range]]
    events: list[EventInfo]
    actor_colours: dict[str, str] = Field(
        description="Each actor's colour in every chart (as in the HTML report)."
    )


class ForecastResponse(BaseModel):
    scenario_hash: str
    forecasts: list[dict[str, Any]] = Field(description="One per model: forecast per issue, …")


class DealsResponse(BaseModel):
    scenario_hash: str
    deals: dict[str, Any]


class TimelineResponse(BaseModel):
    scenario_hash: str
    timeline: dict[str, Any]


class RunSummary(BaseModel):
    id: int
    created: str
    kind: str
    model: str | None
    seed: int
    version: str
    scenario_hash: str
    title: str
    parameters: dict[str, Any]


class RunDetail(RunSummary):
    scenario: dict[str, Any]
    results: dict[str, Any]


class Change(BaseModel):
    path: str
    a: Any = None
    b: Any = None
    delta: float | None = None


class RunDiff(BaseModel):
    a: int
    b: int
    fields: dict[str, list[Any]]
    parameters: list[Change]
    scenario: list[Change]
    results: list[Change]
