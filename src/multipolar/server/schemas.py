"""Request and response bodies of the web API (pydantic models, documented at ``/docs``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, model_validator

from multipolar.defaults import DRAWS

Seed = Field(0, ge=0, le=2**32 - 1, description="Seed for stochastic models and draws.")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioRef(_Body):
    """Which scenario: a bundled one by name, scenario text (YAML or JSON) sent in the body, or
    the scenario a saved run ran on (its edits included). File-system paths are never
    accepted."""

    bundled: str | None = Field(None, max_length=200, description="Name of a bundled scenario.")
    text: str | None = Field(None, description="A scenario file's content (YAML or JSON).")
    format: Literal["yaml", "json"] | None = Field(
        None, description="Format of `text` (default: JSON when it starts with '{', else YAML)."
    )
    run: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of a saved run: the scenario it ran on."
    )

    @model_validator(mode="after")
    def _one(self) -> ScenarioRef:
        if sum(x is not None for x in (self.bundled, self.text, self.run)) != 1:
            raise ValueError("give exactly one of 'bundled', 'text' or 'run'")
        return self


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
    models: list[str] | None = Field(None, description="Model names; default: every model.")
    seed: int = Seed


class DealsRequest(ScenarioRequest):
    draws: int = Field(DRAWS, ge=0, description="Monte Carlo draws for P(zone) and P(all accept).")
    top: int = Field(5, ge=1, le=50, description="How many packages to list.")
    seed: int = Seed


class TimelineRequest(ScenarioRequest):
    models: list[str] | None = Field(None, description="Models to track; default: compromise.")
    attribution: bool = Field(
        False, description="Also split each event's change among its effects (slower)."
    )
    seed: int = Seed


class SaveRequest(ScenarioRequest):
    kind: Literal["forecast", "deals", "timeline", "whatif"] = Field(
        "whatif", description="What to run and save; whatif = forecast, deals and timeline."
    )
    models: list[str] | None = None
    draws: int = Field(DRAWS, ge=0)
    top: int = Field(5, ge=1, le=50)
    attribution: bool = False
    seed: int = Seed


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
