"""One self-contained HTML report of a scenario: every analysis of the engine with plotly charts.

The page works offline: plotly.js is inlined from the installed plotly package and nothing is
fetched from anywhere. Figures carry explicit div ids and nothing depends on the clock, so the
same scenario, draws and seed give the same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multipolar import __version__
from multipolar.defaults import DRAWS
from multipolar.errors import UsageError, did_you_mean
from multipolar.params import REPORT_DRAWS, check_output
from multipolar.report import offload
from multipolar.report.blocks import Section
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    from multipolar.report.context import Context

DEFAULT_DRAWS = DRAWS  # one default for every surface (multipolar.defaults)
MAX_DRAWS = int(REPORT_DRAWS.high or 0)  # one declaration: multipolar.params.REPORT_DRAWS
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False}

Progress = Callable[[str], None]


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars and arrays to Python, NaN and infinities to null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist"):
        return _clean(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element (no '<', '>' or '&' unescaped)."""
    out = json.dumps(_clean(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        out = out.replace(raw, escaped)
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def check_settings(scn: Scenario, draws: int, pair: tuple[str, str] | None) -> None:
    """A one-line ``UsageError`` for draws or a pair the report cannot use."""
    REPORT_DRAWS.check(draws, "draws")
    if pair is not None:
        for actor in pair:
            if actor not in scn.actor_ids:
                raise UsageError(
                    f"pair: unknown actor '{actor}'; fix: {did_you_mean(actor, scn.actor_ids)}"
                )
        if pair[0] == pair[1]:
            raise UsageError("pair: the two actors are the same; fix: name two different actors")


def build_sections(
    scn: Scenario,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    pair: tuple[str, str] | None = None,
    progress: Progress | None = None,
    ledger: str | None = None,
) -> list[Section]:
    """Every section of the report, computed (the slow part of ``render_report``)."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all
    from multipolar.report.context import Context

    check_settings(scn, draws, pair)
    say = progress or (lambda _msg: None)
    state = resolve(scn)
    # the slowest parts run in a forked child meanwhile (same bytes): started by `multipolar
    # run` before its first step, or here; it makes the forecasts both processes read
    job = offload.take(scn, draws, seed, pair) or offload.start(scn, draws, seed, pair)
    try:
        say("forecasts")
        forecasts = job.forecasts if job is not None else forecast_all(state, seed=seed)
        ctx = Context(scn, state, forecasts, draws, seed, pair)
        if ledger is not None:
            ctx.cache["ledger"] = ledger
        return _build(ctx, job, say)
    finally:
        if job is not None:
            job.cancel()  # a no-op once collected


def _build(ctx: Context, job: offload.Job | None, say: Progress) -> list[Section]:
    from multipolar.report import sections as s
    from multipolar.report import sections_deals as d
    from multipolar.report import sections_ledger as q
    from multipolar.report import sections_uncertainty as u
    from multipolar.report.sections_assumptions import assumptions_section
    from multipolar.report.sections_ratify import ratification_section

    steps: list[tuple[str, Callable[[Context], Section]]] = [
        ("in brief", s.brief_section),
        ("summary", s.summary_section),
        ("actor maps", s.actors_section),
        ("forecasts", s.forecasts_section),
        ("war", d.war_section),
        ("deals", d.deals_section),
        *([("ratification", ratification_section)] if ctx.state.constituencies else []),
        ("timeline", d.timeline_section),
        ("uncertainty", u.uncertainty_section),
        ("questions", q.questions_section),
        ("assumptions", assumptions_section),
    ]
    out = []
    for name, step in steps:
        say(name)
        if step is u.uncertainty_section and job is not None:
            _parts(ctx, job)
        done = offload.take_item(ctx, job, f"section:{name}") if name in offload.SECTIONS else None
        out.append(done if done is not None else step(ctx))
    return out


def _parts(ctx: Context, job: offload.Job) -> None:
    """The uncertainty section's parts the child computes, in ``ctx.cache``: last first, so
    that those it has not started are claimed and computed here while it finishes the rest."""
    from multipolar.report import sections_uncertainty as u

    for title in reversed(u.planned(ctx)):
        name = f"part:{title}"
        if name in offload.OFFLOADED:
            blocks = offload.take_item(ctx, job, name)
            ctx.cache[name] = u.part(ctx, title) if blocks is None else blocks


def _environment() -> Any:
    try:
        from jinja2 import Environment, PackageLoader, StrictUndefined
    except ImportError:  # pragma: no cover - the server extra is missing
        raise UsageError(
            "the HTML report needs Jinja2 and plotly; fix: pip install 'multipolar[server]'"
        ) from None
    return Environment(
        loader=PackageLoader("multipolar.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def plotly_js() -> str:
    """The plotly.js bundle of the installed plotly package, to inline in the page."""
    try:
        from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the server extra is missing
        raise UsageError(
            "the HTML report needs plotly; fix: pip install 'multipolar[server]'"
        ) from None
    return str(get_plotlyjs())


def render_sections(scn: Scenario, sections: list[Section], *, draws: int, seed: int) -> str:
    """The HTML page of computed sections."""
    figures = [fig for sec in sections for fig in sec.figures]
    template = _environment().get_template("report.html.j2")
    return str(
        template.render(
            title=scn.title,
            scenario=scn.id or scn.title,
            version=__version__,
            draws=draws,
            seed=seed,
            sections=sections,
            figures_json=script_json(figures),
            config_json=script_json(PLOTLY_CONFIG),
            plotly_js=plotly_js(),
        )
    )


def render_report(
    scn: Scenario,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    pair: tuple[str, str] | None = None,
    progress: Progress | None = None,
    ledger: str | None = None,
) -> str:
    """The self-contained HTML report of ``scn``: summary and sources, actor maps, forecasts
    with trajectories, war and deal analysis, timeline, Monte Carlo (``draws`` seeded draws per
    model), sensitivity, the scenario's questions (and, with ``ledger``, that ledger's track
    record), assumptions. ``pair`` picks the two actors of the Pareto frontier
    (default: the belligerents). Same inputs, same bytes."""
    sections = build_sections(
        scn, draws=draws, seed=seed, pair=pair, progress=progress, ledger=ledger
    )
    return render_sections(scn, sections, draws=draws, seed=seed)


def write_report(scn: Scenario, path: Path, **options: Any) -> Path:
    """Write ``render_report(scn, **options)`` to ``path`` (UTF-8); return the path."""
    check_output(path)  # fail before the seconds of analysis, not after
    html = render_report(scn, **options)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror}); fix: check the path") from None
    return path
