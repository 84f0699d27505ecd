"""Docs that cannot drift: generated references are current and complete, every tutorial block
runs and prints what the page shows, and the MkDocs site builds with no warning.

A failure here names its fix: `python -m multipolar.docs_gen` (or `make docs`) regenerates the
pages from the code; the diff it makes is what changed.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

import multipolar
from multipolar.docs_gen import REFERENCES, api_ref, cli_ref, reference_pages, scenario_ref
from multipolar.docs_gen import tutorial as tut
from multipolar.docs_gen.markdown import END, START, cell
from tests.conftest import ROOT

FIX = "fix: python -m multipolar.docs_gen (or make docs)"
TUTORIALS = sorted((ROOT / "docs" / "tutorial").glob("*.md"))


def _diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), name, "generated", lineterm="")
    return "\n".join(list(lines)[:40])


# --- the scenario format ---------------------------------------------------------------------


def test_every_schema_field_and_model_is_documented() -> None:
    assert scenario_ref.undocumented() == [], "add description= to these fields in scenario/*.py"


class Inner(BaseModel):
    """Documented model."""

    bare: int = 0
    told: int = Field(0, description="Has one.")


class Outer(BaseModel):
    """Root."""

    inner: list[Inner] = Field(default_factory=list, description="Nested.")


class Silent(BaseModel):
    x: int = Field(0, description="x.")


def test_undocumented_names_a_field_without_description() -> None:
    assert scenario_ref.undocumented(Outer) == ["Inner.bare"]
    assert scenario_ref.undocumented(Silent) == ["Silent"]


def test_scenario_reference_has_a_row_for_every_field_of_every_block() -> None:
    text = scenario_ref.generate()
    models = scenario_ref.models()
    names = {m.__name__ for m in models}
    assert {"Conflict", "Deal", "Event", "Effect", "Correlation", "PowerShift"} <= names
    sections = {s.split("\n", 1)[0]: s for s in re.split(r"^## ", text, flags=re.M)}
    for model in models:
        section = sections[model.__name__]
        for name, info in model.model_fields.items():
            row = next((ln for ln in section.splitlines() if ln.startswith(f"| `{name}` |")), "")
            assert row, f"{model.__name__}.{name} has no row"
            assert cell(info.description or "") in row
    assert "| `active` | boolean | `true` |" in sections["Actor"]


# --- the command line --------------------------------------------------------------------------


def test_cli_reference_covers_every_command_and_option() -> None:
    import typer

    from multipolar.cli import app

    text = cli_ref.generate()
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="multipolar")
    for full, command, _ in cli_ref._commands(root, ctx, "multipolar"):
        assert f"\n## {full}\n" in text, full
        section = text.split(f"\n## {full}\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            first = param.opts[0] if param.param_type_name == "option" else param.name.upper()
            assert f"`{first}`" in section or f"`{(param.metavar or '').upper()}`" in section, (
                f"{full}: {first} missing"
            )
    assert "multipolar runs diff" in text


# --- the Python API ----------------------------------------------------------------------------


def test_api_reference_follows_all_dynamically(monkeypatch: pytest.MonkeyPatch) -> None:
    def brand_new(scn: multipolar.Scenario, *, seed: int = 0) -> float:
        """A function exported a minute ago."""
        return float(seed)

    monkeypatch.setattr(multipolar, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(multipolar, "__all__", [*multipolar.__all__, "brand_new"])
    text = api_ref.generate()
    assert "### `multipolar.brand_new()`" in text
    assert "A function exported a minute ago." in text
    for name in multipolar.__all__:
        assert re.search(rf"^### .*`multipolar\.{name}(\(\))?`$", text, re.M), name


def test_signatures_read_as_source() -> None:
    def f(a: int, b: str | None = None, *, c: float = 1.0, **kw: object) -> list[int]:
        return [a]

    assert api_ref.signature("f", f) == (
        "f(a: int, b: str | None = None, *, c: float = 1.0, **kw: object) -> list[int]"
    )


# --- every generated page ------------------------------------------------------------------------


@pytest.mark.parametrize("page", sorted(REFERENCES))
def test_reference_page_is_up_to_date(page: str) -> None:
    path = ROOT / page
    expected = reference_pages(ROOT)[path]
    committed = path.read_text(encoding="utf-8")
    assert committed == expected, f"{page} is stale; {FIX}\n{_diff(committed, expected, page)}"


def _table_rows(text: str) -> list[list[str]]:
    """Each Markdown table as its rows' cell counts (escaped pipes and inline HTML aside)."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


@pytest.mark.parametrize("page", sorted(REFERENCES))
def test_generated_tables_keep_their_columns(page: str) -> None:
    """Every row has as many cells as its header (the break `cli.md` had from `simulate` on)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    region = text[text.index(START) : text.index(END)]
    tables = _table_rows(region)
    assert tables
    for rows in tables:
        counts = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
        assert len(counts) == 1, f"{page}: a table row has a different number of cells: {rows[0]}"


def test_cell_escapes_pipes_and_newlines() -> None:
    assert cell("a|b\nc `x|y` `z`") == r"a\|b c <code>x&#124;y</code> `z`"


# --- tutorials ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", TUTORIALS, ids=lambda p: p.name)
def test_tutorial_runs_and_shows_real_output(page: Path, tmp_path: Path) -> None:
    text = page.read_text(encoding="utf-8")
    ran = tut.run(text, tmp_path, page.name)
    assert ran, f"{page.name}: no console block"
    for _, commands in ran:
        for cmd in commands:
            shown, real = tut.normalise(cmd.shown), tut.normalise(cmd.output)
            assert cmd.status == cmd.exit_code, f"`{cmd.line}` exited {cmd.status}:\n" + "\n".join(
                real
            )
            assert shown == real, f"`{cmd.line}`: the page shows other output; {FIX}\n" + "\n".join(
                difflib.unified_diff(shown, real, "page", "real run", lineterm="", n=1)
            )


@pytest.mark.parametrize("page", TUTORIALS, ids=lambda p: p.name)
def test_tutorial_files_shipped_beside_it_are_what_it_builds(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for name, content in tut.final_files(text, page.name).items():
        if f"]({name})" in text:
            shipped = page.parent / name
            assert shipped.read_text(encoding="utf-8") == content, f"{shipped} is stale; {FIX}"


def test_second_tutorial_covers_the_blocks_and_commands_it_teaches() -> None:
    text = (ROOT / "docs" / "tutorial" / "war-deals-events.md").read_text(encoding="utf-8")
    built = tut.final_files(text)["harbour.yaml"]
    for block in ("conflict:", "deal:", "events:", "correlations:"):
        assert f"\n{block}" in built
    lines = [c.line for b in tut.blocks(text) if b.lang == "console" for c in tut.commands(b, "")]
    for command in ("war", "deals", "timeline", "simulate", "report"):
        assert any(line.startswith(f"multipolar {command} ") for line in lines), command
    assert any("-m deals" in line for line in lines)
    scn = multipolar.load(ROOT / "docs" / "tutorial" / "harbour.yaml")
    assert (len(scn.actors), len(scn.issues)) == (4, 3)


PAGE = """\
```yaml title="t.yaml"
title: T
actors: [{id: A, name: A, capability: 1}]
issues: [{id: x, name: X, scale: [0, 10]}]
positions: {A: {x: 5}}
```

```yaml title="t.yaml (continued)"
salience: {A: {x: 0.5}}
```

```console
$ multipolar validate t.yaml
t.yaml: something else
```

<!-- exit: 2 -->
```console
$ multipolar validate missing.yaml
```
"""


def test_refresh_rewrites_outputs_from_a_real_run(tmp_path: Path) -> None:
    first_run, refresh_run, second_run = (tmp_path / d for d in "abc")
    for folder in (first_run, refresh_run, second_run):
        folder.mkdir()
    ran = tut.run(PAGE, first_run)
    shown_wrong, missing = ran[0][1][0], ran[1][1][0]
    assert shown_wrong.status == 0
    assert not shown_wrong.ok  # the page shows other output than the run
    assert missing.status == 2  # the exit status the comment asks for
    assert missing.output
    fresh = tut.refresh(PAGE, refresh_run)
    assert "t.yaml: something else" not in fresh
    assert "t.yaml: valid" in fresh
    assert all(c.ok for _, cmds in tut.run(fresh, second_run) for c in cmds)


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("```text\nhello\n```\n", "does not run"),
        ("```console\n$ ls\n```\n", "only `$ multipolar"),
        ("```console\noutput first\n```\n", "must start with"),
        ("```yaml\nno: title\n```\n", "does not run"),
        ("```console\n$ multipolar models\n", "never closed"),
    ],
)
def test_tutorial_blocks_that_cannot_run_are_refused(
    page: str, problem: str, tmp_path: Path
) -> None:
    with pytest.raises(tut.TutorialError, match=re.escape(problem)):
        tut.run(page, tmp_path)


# --- the site ------------------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
    reason="needs the docs extra: pip install -e '.[docs]'",
)
def test_site_builds_without_a_warning(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    args = ["-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml")]
    result = subprocess.run(
        [sys.executable, *args, "-d", str(tmp_path / "site")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert (tmp_path / "site" / "reference" / "api" / "index.html").exists()
