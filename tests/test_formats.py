"""Importers and exporters for KTAB, BDM and DEU files (``multipolar.scenario.formats``)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario.formats import FORMATS, export_file, export_text, import_file
from multipolar.scenario.loader import dumps, validate
from multipolar.scenario.schema import Scenario

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
F = TypeVar("F", bound=Callable[..., None])


def shared(test: F) -> F:
    """Mark a test as needing ../shared, and skip it cleanly when that is absent."""
    skip = pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared beside the checkout")
    marked: F = pytest.mark.shared(skip(test))
    return marked


PARAMETERS = ("VictoryProbModel", "PCEModel", "StateTransitions", "VotingRule", "BigRAdjust",
              "BigRRange", "ThirdPartyCommit", "InterVecBrgn", "BargnModel")  # fmt: skip
SHARED_FILES = [
    ("ktab", "ktab/dummyData_3Dim.csv"),
    ("ktab", "ktab/SOE-Pol-Comp.csv"),
    ("ktab", "ktab/dummyData-a040.csv"),
    ("ktab", "ktab/dummyData-a080.csv"),
    ("ktab", "ktab/dummyData-a160.csv"),
    ("ktab", "ktab/smpExample.xml"),
    ("bdm", "eum/emission_standards.csv"),
    ("deu", "deu/deu3.csv"),
    ("decide", "exchange/dutch2012_input_decide.csv"),
    ("decide", "exchange/sample_input_decide.txt"),
]
SCENARIO: dict[str, Any] = {
    "title": "Small",
    "actors": [
        {"id": "A", "name": "Alpha", "capability": 2.0},
        {"id": "B", "name": "Beta", "capability": 1.0},
        {"id": "C", "name": "Gamma", "capability": 1.5},
    ],
    "issues": [{"id": "t", "name": "Territory", "scale": [0, 10]}],
    "positions": {"A": {"t": 1.0}, "B": {"t": 9.0}, "C": {"t": 5.0}},
    "salience": {"A": {"t": 0.9}, "B": {"t": 0.8}, "C": {"t": 0.3}},
}
KTAB_CSV = """Test case,A small test,3,2,
Actor,Description,Influence,Policy Position,Policy Salience,Speed Position,Speed Salience,
A,Alpha,10,20,30,40,50,
B,Beta,20,80,60,10,20,
C,,5,50,50,50,50,
"""
DEU_HEAD = (
    '"isnr"\t"prname"\t"pcom"\t"pep"\t"pde"\t"pfr"\t"scom"\t"sep"\t"sde"\t"sfr"\t"rp"\t"out"\n'
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def small() -> Scenario:
    return validate(SCENARIO)


# --- round trips on every shared file ----------------------------------------------------------


@shared
@pytest.mark.parametrize(("fmt", "rel"), SHARED_FILES)
def test_round_trip_same_format(fmt: str, rel: str, tmp_path: Path) -> None:
    src = DATA / rel
    first = import_file(fmt, src)
    assert first.scenarios
    out = tmp_path / src.name
    export_file(fmt, first.scenarios, out)
    assert import_file(fmt, out).scenarios == first.scenarios


@shared
@pytest.mark.parametrize(("fmt", "rel"), SHARED_FILES)
def test_round_trip_through_yaml(fmt: str, rel: str) -> None:
    for scn in import_file(fmt, DATA / rel).scenarios:
        assert validate(yaml.safe_load(dumps(scn, "yaml"))) == scn


@shared
def test_deu_round_trip_keeps_unscoreable_rows(tmp_path: Path) -> None:
    first = import_file("deu", DATA / "deu/deu3.csv", scoreable_only=False)
    assert len(first.scenarios) == 364
    out = tmp_path / "deu3.csv"
    export_file("deu", first.scenarios, out)
    assert import_file("deu", out, scoreable_only="false").scenarios == first.scenarios


# --- BDM ---------------------------------------------------------------------------------------


@shared
def test_bdm_line_endings(tmp_path: Path) -> None:
    raw = (DATA / "eum/emission_standards.csv").read_bytes().replace(b"\r\n", b"\n")
    results = []
    for name, end in (("lf", b"\n"), ("crlf", b"\r\n"), ("cr", b"\r")):
        (tmp_path / name).mkdir()
        path = write(tmp_path / name, "emission_standards.csv", raw.replace(b"\n", end))
        results.append(import_file("bdm", path).scenarios)
    assert results[0] == results[1] == results[2]
    scn = results[0][0]
    assert len(scn.actors) == 10
    assert scn.issues[0].scale == (4.0, 10.0)
    assert scn.salience["UK"]["issue"].best == 0.9


def test_bdm_salience_percent_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "actor;CAPABILITY;Position;salience\nA;1;10;80\nB;2;20;40\n")
    got = import_file("bdm", path)
    scn = got.scenarios[0]
    assert scn.salience["A"]["issue"].best == pytest.approx(0.8)
    assert any("0-100" in n and "divided by 100" in n for n in got.notes)
    tabs = "Actor\tCapability\tPosition\tSalience\nA\t1\t10\t0.8\nB\t2\t20\t1\n"
    unit = import_file("bdm", write(tmp_path, "u.csv", tabs))
    assert unit.scenarios[0].salience["B"]["issue"].best == 1.0
    assert any("0-1 scale" in n for n in unit.notes)


def test_bdm_long_table_scale_and_names(tmp_path: Path) -> None:
    text = (
        "Issue,Actor,Name,Capability,Position,Salience\n"
        "Tax rate,A,Alpha,1,10,0.5\nTax rate,B b,Beta,2,30,0.4\n"
        "Budget,A,Alpha,1,70,0.2\nBudget,B b,Beta,2,70,0.1\n"
    )
    path = write(tmp_path, "long.csv", text)
    got = import_file("bdm", path)
    scn = got.scenarios[0]
    assert scn.issue_ids == ["Tax_rate", "Budget"]
    assert scn.issue("Tax_rate").scale == (10.0, 30.0)
    assert scn.issue("Budget").scale == (69.0, 71.0)  # all equal: widened by 1
    assert scn.actor("B_b").name == "Beta"
    assert any("widened" in n for n in got.notes)
    fixed = import_file("bdm", path, scale=(0, 100)).scenarios[0]
    assert fixed.issue("Budget").scale == (0.0, 100.0)
    out = export_text("bdm", [scn])
    assert out.splitlines()[0] == "Issue,Actor,Name,Capability,Position,Salience"
    assert "\r" not in out
    (tmp_path / "x").mkdir()
    again = write(tmp_path / "x", "long.csv", out)
    assert import_file("bdm", again).scenarios == [scn]


# --- KTAB --------------------------------------------------------------------------------------


@shared
def test_ktab_xml_parameters_pairs_and_seed() -> None:
    src = DATA / "ktab/smpExample.xml"
    scn = import_file("ktab", src).scenarios[0]
    smp = scn.models["smp"]
    assert len(smp) == 9
    assert smp["victory_prob_model"] == "linear"
    assert smp["pce_model"] == "markov_incentive"
    assert smp["voting_rule"] == "prop_cbc"
    assert smp["big_r_adjust"] == "one_third"
    assert smp["inter_vec_brgn"] == "s2p2"
    assert smp["bargn_model"] == "init_only_interp"
    assert len(scn.ideal_adjustment) == 6
    assert (scn.ideal_adjustment[4].actor, scn.ideal_adjustment[4].reference) == ("Carol", "David")
    assert scn.metadata["ktab"]["prng_seed"] == "03507583219545544127"
    assert scn.salience["Alice"]["FirstDim"].best == pytest.approx(0.323)
    pattern = rf"<({'|'.join(PARAMETERS)})>\s*(\w+)\s*<"
    original = re.findall(pattern, src.read_text(encoding="utf-8-sig"))
    assert len(original) == 9
    assert re.findall(pattern, export_text("ktab", [scn], xml=True)) == original


def test_ktab_csv_small_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "\ufeff" + KTAB_CSV)
    got = import_file("ktab", path)
    scn = got.scenarios[0]
    assert scn.title == "Test case"
    assert scn.issue_ids == ["Policy", "Speed"]
    assert scn.actor("A").name == "Alpha"
    assert scn.actor("C").name == "C"
    assert scn.salience["B"]["Policy"].best == pytest.approx(0.6)
    assert any("divided by 100" in n for n in got.notes)
    xml = write(tmp_path, "t.xml", export_text("ktab", [scn], xml=True))
    assert import_file("ktab", xml).scenarios[0].positions == scn.positions


def test_ktab_export_rescales_positions_onto_0_100(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    export_file("ktab", [small()], path)
    scn = import_file("ktab", path).scenarios[0]
    assert scn.positions["A"]["Territory"].best == pytest.approx(10.0)
    assert scn.salience["C"]["Territory"].best == pytest.approx(0.3)


# --- DEU ---------------------------------------------------------------------------------------


@shared
def test_deu_351_scoreable_and_compromise_mae() -> None:
    got = import_file("deu", DATA / "deu/deu3.csv")
    assert len(got.scenarios) == 351
    assert any("GDP" in n for n in got.notes)
    assert any(n.startswith("skipped 13 unscoreable") for n in got.notes)
    errors = []
    for scn in got.scenarios:
        iid = scn.issues[0].id
        w = {a: scn.actor(a).capability.best * scn.salience[a][iid].best for a in scn.positions}
        pred = sum(w[a] * scn.positions[a][iid].best for a in w) / sum(w.values())
        errors.append(abs(pred - scn.outcomes[iid]))
    assert sum(errors) / len(errors) == pytest.approx(23.64, abs=0.01)


def test_deu_small_file(tmp_path: Path) -> None:
    text = (
        DEU_HEAD
        + "\t\t\t\t1.5\t2.1\t\t\t\t\t\t\n"  # a GDP row: skipped
        + '"x1i1"\t"alpha"\t100\t0\t40\t999\t50\t999\t80\t\t30\t60\n'
        + '"x1i2"\t"alpha"\t100\t0\t\t\t50\t50\t\t\t999\t999\n'
    )
    path = write(tmp_path, "d.csv", text)
    got = import_file("deu", path)
    assert [s.id for s in got.scenarios] == ["x1i1"]
    scn = got.scenarios[0]
    assert scn.actor_ids == ["com", "ep", "de"]
    assert scn.salience["ep"]["x1i1"].best == 0.0
    assert scn.issues[0].status_quo is not None
    assert scn.issues[0].status_quo.best == 30.0
    assert scn.outcomes == {"x1i1": 60.0}
    assert scn.title == "alpha, issue 1"
    assert any("1 positioned actor(s) had no salience" in n for n in got.notes)
    assert any(n.startswith("skipped line 2: a GDP row") for n in got.notes)
    every = import_file("deu", path, scoreable_only=False).scenarios
    assert len(every) == 2
    assert every[1].outcomes == {}
    out = write(tmp_path, "e.csv", export_text("deu", every))
    assert import_file("deu", out, scoreable_only=False).scenarios == every


# --- errors ------------------------------------------------------------------------------------

BH = "Actor,Capability,Position,Salience\n"
BAD = [
    ("bdm", "a.csv", "Actor,Capability,Position\nA,1,2\n", 1, "missing column 'Salience'"),
    ("bdm", "a.csv", "Actor,Capability,Position,Salienc\nA,1,2,3\n", 1, "rename column"),
    ("bdm", "a.csv", BH + "A,abc,2,0.5\n", 2, "'abc' is not a"),
    ("bdm", "a.csv", BH + "A,1,2,.5\nB,-1,2,.5\n", 3, "-1 is below 0"),
    ("bdm", "a.csv", BH + "A,1,2,.5\nA,1,3,.5\n", 3, "duplicate"),
    ("bdm", "a.csv", BH + "A,1,nan,.5\n", 2, "'nan' is not a"),
    ("bdm", "a.csv", BH + "A,1,2,.5,7\n", 2, "has 5 values"),
    ("bdm", "a.csv", BH + "A,1,2,\n", 2, "the cell is empty"),
    ("bdm", "a.csv", "", 1, "the file is empty"),
    ("bdm", "a.csv", BH.encode() + b"A\xe9,1,2,.5\n", 2, "not UTF-8"),
    ("ktab", "k.csv", KTAB_CSV.replace(",3,2,", ",4,2,"), 1, "declares 4 actors but 3"),
    ("ktab", "k.csv", KTAB_CSV.replace(",3,2,", ",3,3,"), 2, "3 dimension(s) need 9"),
    ("ktab", "k.csv", KTAB_CSV.replace("20,80,60", "20,80,90"), 4, "sum to 110"),
    ("ktab", "k.csv", KTAB_CSV.replace("5,50,50", "5,50,5o"), 5, "'5o' is not a"),
    ("ktab", "k.csv", "\n\n", 1, "the file is empty"),
    ("ktab", "k.xml", "<Scenario>\n  <name>x</name>\n  <Actors>\n", 4, "malformed XML"),
    ("ktab", "k.xml", '<!DOCTYPE s [\n<!ENTITY a "aaaa">\n]>\n<Scenario/>\n', 2, "entities"),
    ("deu", "d.csv", DEU_HEAD + '"i1"\t"a"\t10\tx\t1\t1\t1\t1\t1\t1\t1\t1\n', 2, "'x' is not a"),
    ("deu", "d.csv", DEU_HEAD + '"i1"\t"a"\t10\t1\t1\n', 2, "has 5 values"),
    ("deu", "d.csv", DEU_HEAD + '""\t"a"\t10\t1\t1\t1\t1\t1\t1\t1\t1\t1\n', 2, "no issue id"),
    ("deu", "d.csv", '"prname"\t"pcom"\n"a"\t1\n', 1, "missing column 'isnr'"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"{c[0]}-{c[4]}" for c in BAD])
def test_malformed_input_one_line_error(
    case: tuple[str, str, str | bytes, int, str], tmp_path: Path
) -> None:
    fmt, name, content, line, text = case
    path = write(tmp_path, name, content)
    with pytest.raises(ScenarioError) as info:
        import_file(fmt, path)
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"{path}:{line}:"), first
    assert text in first
    assert "; fix: " in first


@shared
def test_unknown_xml_parameter_value(tmp_path: Path) -> None:
    src = (DATA / "ktab/smpExample.xml").read_text(encoding="utf-8-sig")
    line = src.splitlines().index("    <VictoryProbModel>Linear</VictoryProbModel>") + 1
    path = write(tmp_path, "k.xml", src.replace(">Linear<", ">Lineer<"))
    with pytest.raises(ScenarioError) as info:
        import_file("ktab", path)
    assert str(info.value) == (
        f"{path}:{line}: VictoryProbModel: 'Lineer' is not a value of VictoryProbModel; "
        "fix: did you mean 'Linear'?"
    )


@pytest.mark.parametrize("fmt", ["ktab", "bdm", "deu", "yaml", "json"])
@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02", b",,,\n,,,\n", b"<a>", b"a\n", b'"unterminated\n', b"Actor\n\n\n"],
)
def test_garbage_raises_only_scenario_error(fmt: str, content: bytes, tmp_path: Path) -> None:
    path = write(tmp_path, "g.xml" if content.startswith(b"<") else "g.csv", content)
    with pytest.raises(ScenarioError) as info:
        import_file(fmt, path)
    assert all(str(path) in ln and "fix: " in ln for ln in str(info.value).splitlines())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        import_file("bdm", tmp_path / "nope.csv")


# --- dispatch, yaml/json and usage errors -------------------------------------------------------


def test_unknown_format_and_option(tmp_path: Path) -> None:
    assert FORMATS == ("ktab", "bdm", "deu", "decide", "xlsx", "yaml", "json")
    with pytest.raises(UsageError, match="did you mean 'ktab'"):
        import_file("ktb", tmp_path / "x.csv")
    with pytest.raises(UsageError, match="did you mean 'scale'"):
        import_file("bdm", tmp_path / "x.csv", scael=(0, 1))
    with pytest.raises(UsageError, match="did you mean 'json'"):
        export_text("jsn", [small()])


def test_yaml_and_json_delegate(tmp_path: Path) -> None:
    scn = small()
    for fmt in ("yaml", "json"):
        path = tmp_path / f"s.{fmt}"
        export_file(fmt, [scn], path)
        assert import_file(fmt, path).scenarios == [scn]
        with pytest.raises(UsageError, match="one file per scenario"):
            export_text(fmt, [scn, scn])


def test_exports_refuse_what_the_format_cannot_hold() -> None:
    data = copy.deepcopy(SCENARIO)
    data["issues"].append({"id": "u", "name": "U", "scale": [0, 10]})
    data["positions"]["A"]["u"] = 5.0
    data["salience"]["A"]["u"] = 0.05
    two = validate(data)
    with pytest.raises(UsageError, match="'B' has no position on 'u'"):
        export_text("ktab", [two])
    with pytest.raises(UsageError, match="one issue"):
        export_text("deu", [two])
    with pytest.raises(UsageError, match="not a DEU actor"):
        export_text("deu", [small()])
    with pytest.raises(UsageError, match="one file per scenario"):
        export_text("bdm", [small(), small()])


@pytest.mark.parametrize(
    ("fmt", "name", "content"),
    [
        ("ktab", "k.csv", KTAB_CSV),
        ("bdm", "b.csv", "Actor,Capability,Position,Salience\nA,1,10,0.5\nB,2,30,0.4\n"),
        ("deu", "d.csv", DEU_HEAD + '"x1i1"\t"alpha"\t100\t0\t40\t20\t50\t50\t80\t50\t30\t60\n'),
    ],
)
def test_imports_write_an_explicit_scale(fmt: str, name: str, content: str, tmp_path: Path) -> None:
    """A scale is required (no silent 0-100): every importer writes one for every issue."""
    for scn in import_file(fmt, write(tmp_path, name, content)).scenarios:
        data = yaml.safe_load(dumps(scn))
        assert all(len(issue["scale"]) == 2 for issue in data["issues"])
        assert validate(data) == scn
