"""Scenario workbooks (``multipolar export xlsx`` / ``import xlsx``): lossless round trips, and
malformed workbooks that each give one line naming the sheet and the cell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario import load, to_data, validate
from multipolar.scenario.formats import FORMATS, export_file, import_file
from multipolar.scenario.formats.xlsx_write import workbook
from multipolar.scenario.schema import Scenario
from tests.conftest import ROOT, SCENARIOS, SHARED, shared_path

runner = CliRunner()

SMALL = """\
title: Small
date: 2026-01-01
sources:
  - {id: s1, title: A source, date: 2025-12-01}
  - {id: s2, title: Another}
actors:
  - {id: A, name: Alpha, capability: 2}
  - {id: B, name: Beta, capability: {low: 1, best: 2, high: 3, source: s1}}
  - {id: C, name: Gamma, kind: mediator, capability: 1}
issues:
  - {id: t, name: Territory, scale: [0, 100], status_quo: 40}
  - {id: g, name: Guarantees, scale: [0, 10]}
positions:
  A: {t: 10, g: 2}
  B: {t: 90, g: {low: 6, best: 8, high: 9, source: s1, note: a range}}
  C: {t: 50, g: 5}
salience:
  A: {t: 0.9, g: 0.5}
  B: {t: 0.8, g: 0.6}
  C: {t: 0.3, g: 0.2}
conflict:
  belligerents: [A, B]
  p: 0.5
  costs: {A: 0.05, B: 0.05}
  discount: 0.9
events:
  - id: e1
    date: 2025-12-15
    title: Something
    effects:
      - {path: positions.C.t, shift: 5}
      - {path: conflict.p, set: 0.6, source: s1}
"""

#: every part of the format, and values a spreadsheet could mangle
EVERYTHING = """\
schema_version: 1
id: every.part
title: "=Not a formula"
description: " leading and trailing spaces "
date: 2026-02-03
sources:
  - {id: s1, title: T, author: Au, publisher: Pub, date: 2025-01-02, url: "https://x.org",
     note: "line 1\\nline 2"}
  - {id: "2024", title: "123"}
actors:
  - {id: A, name: Alpha, capability: 0.30000000000000004, notes: "TRUE"}
  - id: B
    name: Beta
    kind: outside_power
    capability: {low: 1, best: 2, high: 3, dist: pert, source: s1, quote: "q", note: "n"}
  - {id: C, name: Gamma, kind: domestic, capability: 1.0e-17, active: false}
issues:
  - id: t
    name: T
    scale: [-1.5, 2.25]
    low_label: lo
    high_label: hi
    status_quo: {low: -1, best: 0, high: 1, dist: uniform}
    anchors: [{value: 0, label: zero}, {value: 1.5, label: "1.5"}]
    description: d
  - {id: g, name: G, scale: [0, 10]}
positions:
  A: {t: -1.0, g: 2}
  B: {t: 2.25, g: {low: 6, best: 8, high: 9, dist: normal}}
salience:
  A: {t: 0.9, g: 0.5}
  B: {t: {low: 0.1, best: 0.2, high: 0.2}, g: 0.6}
outcomes: {t: 0.5}
ideal_adjustment:
  - {actor: A, reference: B, weight: 0.25}
conflict:
  belligerents: [A, B]
  p: {low: 0.4, best: 0.5, high: 0.6, source: s1, quote: "said so"}
  costs: {A: 0.05, B: {low: 0.01, best: 0.02, high: 0.05}}
  discount: 0.9
  stakes: [t]
  power_shift: {declining: B, now: 0.5, next: {low: 0.2, best: 0.3, high: 0.4}}
  guarantee: {credibility: 0.5, issue: g}
  side_payment: 0.1
deal:
  utility: linear
  unsettled: midpoint
  owners: {g: [A, B]}
  veto: {t: [B]}
  walk_away: {A: {low: 0.1, best: 0.2, high: 0.3, note: derived by hand}}
events:
  - id: e1
    date: 2026-01-01
    title: One
    description: first
    sources: [s1, "2024"]
    effects:
      - {path: positions.A.t, set: 0.5, source: s1, quote: "q", note: n}
      - {path: conflict.p, scale: 1.1}
      - {owner: {issue: g, add: [C], remove: [B]}}
      - {join: C}
  - id: e2
    date: 2026-01-05
    title: Two
    effects: [{leave: C, note: gone}]
correlations:
  - {between: [conflict.p, conflict.costs.B], rho: -0.5, source: s1, note: both}
models:
  smp: {max_turns: 50, victory_prob_model: quartic, stop_ratio: 0.5}
  eum: {}
metadata:
  seed: 12345
  nested: {a: [1, 2.5, "x"]}
  when: "2025-01-01"
  empty: ""
  typed: {rule: "Prop", weight: 5.0, flag: true, text_number: "5", nothing: null}
questions:
  - id: q1
    kind: numeric
    text: "Where does it end?"
    resolution: "Read it off."
    closes: 2030-01-01
    issue: t
    model: compromise
"""


def _scenario(text: str) -> Scenario:
    return validate(yaml.safe_load(text))


def _round_trip(scn: Scenario, path: Path) -> Scenario:
    export_file("xlsx", [scn], path)
    (back,) = import_file("xlsx", path).scenarios
    return back


# --- round trips ------------------------------------------------------------------------------


def _local_scenarios() -> list[Path]:
    return sorted(
        [*SCENARIOS.glob("*.yaml"), *(ROOT / "tests" / "data").glob("*.yaml"),
         *(ROOT / "docs" / "tutorial").glob("*.yaml")]
    )  # fmt: skip


@pytest.mark.parametrize("path", _local_scenarios(), ids=lambda p: p.name)
def test_bundled_scenarios_round_trip(path: Path, tmp_path: Path) -> None:
    scn = load(path)
    assert to_data(_round_trip(scn, tmp_path / "s.xlsx")) == to_data(scn)


def test_every_part_of_the_format_round_trips(tmp_path: Path) -> None:
    scn = _scenario(EVERYTHING)
    back = _round_trip(scn, tmp_path / "every.xlsx")
    assert to_data(back) == to_data(scn)
    assert back == scn
    assert isinstance(back.metadata["typed"]["weight"], float)
    assert back.metadata["typed"]["text_number"] == "5"
    assert back.models["smp"]["stop_ratio"] == 0.5
    assert back.metadata["empty"] == ""
    book = load_workbook(tmp_path / "every.xlsx")
    assert book["scenario"]["B4"].data_type == "s"  # "=Not a formula" stays text


def _shared_yaml() -> list[Path]:
    """Every YAML/JSON scenario the loader accepts under ../shared/data (none today)."""
    found = []
    for path in sorted((SHARED / "data").rglob("*")) if SHARED.is_dir() else []:
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            try:
                load(path)
            except ScenarioError:
                continue
            found.append(path)
    return found


@pytest.mark.shared
@pytest.mark.parametrize(
    "path", _shared_yaml() or [pytest.param(None, marks=pytest.mark.skip("no YAML scenarios"))]
)
def test_shared_yaml_scenarios_round_trip(path: Path, tmp_path: Path) -> None:
    scn = load(path)
    assert to_data(_round_trip(scn, tmp_path / "s.xlsx")) == to_data(scn)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("fmt", "rel", "count"),
    [
        ("ktab", "ktab/dummyData_3Dim.csv", 1),
        ("ktab", "ktab/variants/SOE-Pol-Comp-P.xml", 1),
        ("bdm", "eum/emission_standards.csv", 1),
        ("deu", "deu/deu3.csv", 1),
    ],
)
def test_shared_data_round_trips(fmt: str, rel: str, count: int, tmp_path: Path) -> None:
    """The shared files, imported, go through a workbook unchanged (parameters, seeds too)."""
    for scn in import_file(fmt, shared_path("data", *rel.split("/"))).scenarios[:count]:
        assert to_data(_round_trip(scn, tmp_path / "s.xlsx")) == to_data(scn)


def test_workbook_has_drop_down_lists(tmp_path: Path) -> None:
    export_file("xlsx", [_scenario(SMALL)], tmp_path / "s.xlsx")
    book = load_workbook(tmp_path / "s.xlsx")

    def lists(sheet: str) -> dict[str, str]:
        return {
            str(dv.sqref): str(dv.formula1) for dv in book[sheet].data_validations.dataValidation
        }

    assert lists("actors")["C2:C1000"] == '"party,mediator,outside_power,domestic"'
    assert lists("actors")["G2:G1000"] == "sources!$A$2:$A$1000"
    assert lists("positions")["A3:A1000"] == "actors!$A$2:$A$1000"
    assert '"triangular,uniform,pert,normal"' in lists("salience").values()
    assert lists("events")["F2:F1000"] == '"set,shift,scale,owner,join,leave"'
    assert lists("events")["I2:I1000"] == "issues!$A$2:$A$1000"
    assert lists("anchors")["A2:A1000"] == "issues!$A$2:$A$1000"


# --- malformed workbooks: one line naming the sheet and the cell --------------------------------


def _set(sheet: str, cell: str, value: object) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        book[sheet][cell] = value

    return edit


def _delete(sheet: str) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        del book[sheet]

    return edit


MALFORMED = [
    ("bad number", _set("positions", "C3", "abc"),
     "positions!C3: positions.A.t.best: 'abc' is not a number; fix: write a plain number"),
    ("NaN text", _set("salience", "J4", "NaN"),
     "salience!J4: salience.B.g.best: 'NaN' is not a number"),
    ("decimal comma", _set("actors", "E2", "0,5"),
     "actors!E2: actors[0].capability.best: '0,5' is not a number; fix: use '.' as the decimal"),
    ("missing sheet", _delete("positions"),
     "the workbook has no sheet 'positions'; fix: add a sheet named 'positions'"),
    ("unknown actor in positions", _set("positions", "A5", "Z"),
     "positions!A5: positions.Z: unknown actor 'Z'; fix: "),
    ("low > high", _set("positions", "I4", 9.5),
     "positions!I4: positions.B.g: range has low 9.5 > high 9; fix: sort them"),
    ("empty id", _set("actors", "A3", None),
     "actors!A3: the actor id is empty; fix: give every actor an id"),
    ("duplicate id", _set("sources", "A3", "s1"),
     "sources!A3: sources[1].id: duplicate source id 's1'; fix: give every entry its own id"),
    ("bad date", _set("sources", "E2", "2025-13-01"),
     "sources!E2: sources[0].date: '2025-13-01' is not a date; fix: write the date as YYYY-MM-DD"),
    ("unknown kind", _set("actors", "C4", "mediater"),
     "actors!C4: actors[2].kind: 'mediater' is not allowed; fix: use 'party', 'mediator'"),
    ("salience out of range", _set("salience", "C3", 7),
     "salience!C3: salience.A.t: salience 7 is outside [0, 1]; fix: use a value between 0 and 1"),
    ("unknown change", _set("events", "F2", "shfit"),
     "events!F2: events[0].effects[0]: unknown change 'shfit'; fix: did you mean 'shift'?"),
    ("unknown column", _set("actors", "B1", "nmae"),
     "actors!B1: unknown column 'nmae'; fix: did you mean 'name'?"),
    ("unknown conflict key", _set("conflict", "A6", "discont"),
     "conflict!A6: unknown key 'discont'; fix: did you mean 'discount'?"),
    ("event rows disagree", _set("events", "B3", "2025-12-16"),
     "events!B3: events[0].date: event 'e1' has another date here than on row 2"),
    ("formula never computed", _set("positions", "C3", "=1+1"),
     "positions!C3: a formula with no saved value; fix: open and save the workbook"),
    ("unknown issue in an anchor", _set("anchors", "A2", "tt"),
     "anchors!A2: unknown issue 'tt'; fix: did you mean 't'?"),
    ("half a range", _set("actors", "F3", None),
     "actors!F3: actors[1].capability: a range needs both low and high; fix: write high too"),
    ("unknown source", _set("positions", "L4", "s9"),
     "positions!L4: positions.B.g.source: unknown source 's9'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_workbook_one_line_naming_the_cell(
    edit: Callable[[Workbook], None], expected: str, tmp_path: Path
) -> None:
    book = workbook(_scenario(SMALL))
    _set("anchors", "A2", "t")(book)  # one anchor, for the anchor case
    _set("anchors", "B2", 50)(book)
    _set("anchors", "C2", "middle")(book)
    edit(book)
    path = tmp_path / "S.xlsx"
    book.save(path)
    with pytest.raises(ScenarioError) as err:
        import_file("xlsx", path)
    lines = err.value.lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:"), lines[0]
    assert expected in lines[0], lines[0]


def test_cli_import_error_is_one_line_exit_2(tmp_path: Path) -> None:
    book = workbook(_scenario(SMALL))
    book["salience"]["C3"] = 7
    book.save(tmp_path / "S.xlsx")
    result = runner.invoke(app, ["import", "xlsx", str(tmp_path / "S.xlsx"), "-o", "x.yaml"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{tmp_path / 'S.xlsx'}:salience!C3: salience.A.t: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("S.xlsx", b"title: x\nactors: []\nissues: []\n", "this looks like a multipolar scenario"),
        ("S.xls", b"\xd0\xcf\x11\xe0 old binary", "a .xls file is not an .xlsx workbook"),
        ("S.xlsx", b"PK\x03\x04 truncated", "not an .xlsx workbook"),
    ],
)
def test_files_that_are_not_workbooks(
    name: str, content: bytes, needle: str, tmp_path: Path
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ScenarioError, match=needle) as err:
        import_file("xlsx", tmp_path / name)
    assert len(err.value.lines()) == 1


def test_other_importers_and_validate_point_a_workbook_to_import_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "S.xlsx"
    export_file("xlsx", [_scenario(SMALL)], path)
    with pytest.raises(ScenarioError, match=f"fix: multipolar import xlsx {path} -o"):
        import_file("bdm", path)
    with pytest.raises(ScenarioError, match=f"fix: multipolar import xlsx {path} -o"):
        load(path)


def test_other_sheets_are_ignored_with_a_note(tmp_path: Path) -> None:
    book = workbook(_scenario(SMALL))
    book.create_sheet("my notes")["A1"] = "scratch"
    book.save(tmp_path / "S.xlsx")
    result = import_file("xlsx", tmp_path / "S.xlsx")
    assert result.notes == ["ignored sheets not in the layout: my notes"]
    assert result.scenarios == [_scenario(SMALL)]


# --- the command line -------------------------------------------------------------------------


def test_cli_export_and_import(tmp_path: Path) -> None:
    src = tmp_path / "s.yaml"
    src.write_text(SMALL, encoding="utf-8")
    assert "xlsx" in FORMATS
    for args, name in ((["export", "xlsx", str(src)], "a.xlsx"), (["export", str(src)], "b.xlsx")):
        result = runner.invoke(app, [*args, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    back = tmp_path / "back.yaml"
    result = runner.invoke(app, ["import", "xlsx", str(tmp_path / "b.xlsx"), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert load(back) == _scenario(SMALL)
    result = runner.invoke(app, ["import", "xlsx", str(tmp_path / "a.xlsx")])
    assert _scenario(result.stdout) == _scenario(SMALL)
    for args, needle in (
        (["export", "xlsx", str(src)], "an xlsx workbook is not text; fix: give -o FILE.xlsx"),
        (["export", str(src)], "cannot tell the format from no output file; fix:"),
        (["export", str(src), "-o", "x.txt"], "cannot tell the format from 'x.txt'; fix:"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert needle in result.stderr


def test_export_refuses_text_a_workbook_cannot_hold(tmp_path: Path) -> None:
    scn = _scenario(SMALL.replace("title: Small", 'title: "bell\\a"'))
    with pytest.raises(UsageError, match="control character"):
        export_file("xlsx", [scn], tmp_path / "s.xlsx")
