"""What other tools' files trip on: KTAB's two spellings of two SMP parameters, common BDM
headers, a repeated Position column, and a file given to the wrong importer."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from multipolar.errors import ScenarioError
from multipolar.models.api import forecast
from multipolar.models.smp.params import choice
from multipolar.scenario.formats import export_text, import_file
from tests.conftest import shared_path

KTAB_CSV = """Test case,A small test,3,2,
Actor,Description,Influence,Policy Position,Policy Salience,Speed Position,Speed Salience,
A,Alpha,10,20,30,40,50,
B,Beta,20,80,60,10,20,
C,,5,50,50,50,50,
"""
BDM = "Actor,Capability,Position,Salience\nA,10,20,0.5\nB,20,80,0.9\nC,5,50,0.3\n"
DEU = (
    '"isnr"\t"prname"\t"pcom"\t"pep"\t"pde"\t"scom"\t"sep"\t"sde"\t"rp"\t"out"\n'
    '"i1"\t"a"\t10\t50\t90\t50\t50\t50\t0\t40\n'
)
YAML = "title: T\nactors:\n  - {id: A, name: A, capability: 1}\nissues:\n  - {id: t, name: t}\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(fmt: str, path: Path) -> str:
    """The one-line error of importing ``path`` as ``fmt``."""
    with pytest.raises(ScenarioError) as info:
        import_file(fmt, path)
    text = str(info.value)
    assert len(text.splitlines()) == 1, text
    assert text.startswith(f"{path}:1: ")
    return text


# --- 1. KTAB's two spellings -------------------------------------------------------------------


def ktab_xml(voting: str, adjust: str) -> str:
    """A KTAB XML file with the given VotingRule and BigRAdjust."""
    params = {
        "VictoryProbModel": "Linear",
        "PCEModel": "Conditional",
        "StateTransitions": "Deterministic",
        "VotingRule": voting,
        "BigRAdjust": adjust,
        "BigRRange": "Mid",
        "ThirdPartyCommit": "SemiCommit",
        "InterVecBrgn": "S2P2",
        "BargnModel": "InitOnlyInterp",
    }
    actors = [
        ("A", 10, (20, 40), (30, 50)),
        ("B", 20, (80, 10), (60, 20)),
        ("C", 5, (50, 50), (40, 40)),
        ("D", 12, (35, 70), (50, 30)),
    ]
    body = "".join(
        f"<Actor><name>{n}</name><description>{n}</description><capability>{c}</capability>"
        f"<Position>{''.join(f'<dCoord>{x}</dCoord>' for x in pos)}</Position>"
        f"<Salience>{''.join(f'<dSal>{s}</dSal>' for s in sal)}</Salience></Actor>"
        for n, c, pos, sal in actors
    )
    model = "".join(f"<{k}>{v}</{k}>" for k, v in params.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Scenario><name>T</name><desc>d</desc>'
        f"<prngSeed>1</prngSeed><ModelParameters>{model}</ModelParameters>"
        "<Dimensions><dName>P</dName><dName>Q</dName></Dimensions>"
        f"<Actors>{body}</Actors></Scenario>\n"
    )


def test_ktab_binary_and_xsd_spellings_give_identical_results(tmp_path: Path) -> None:
    """KTAB's smpc writes Prop and None, its XSD Proportional and No: the same options."""
    xsd = import_file("ktab", write(tmp_path, "xsd.xml", ktab_xml("Proportional", "No")))
    binary = import_file("ktab", write(tmp_path, "bin.xml", ktab_xml("Prop", "None")))
    a, b = xsd.scenarios[0], binary.scenarios[0]
    assert a.models == b.models
    assert (a.models["smp"]["voting_rule"], a.models["smp"]["big_r_adjust"]) == (
        "proportional",
        "no",
    )
    fa, fb = forecast(a, "smp"), forecast(b, "smp")
    assert fa.values.tobytes() == fb.values.tobytes()
    for name, values in fa.trajectory.items():
        assert np.asarray(values).tobytes() == np.asarray(fb.trajectory[name]).tobytes(), name
    # written back in the XSD's spelling, whichever was read or given
    assert "<VotingRule>Proportional</VotingRule>" in export_text("ktab", [b], xml=True)
    b.models["smp"].update(voting_rule="Prop", big_r_adjust="None")
    out = export_text("ktab", [b], xml=True)
    assert "<VotingRule>Proportional</VotingRule>" in out
    assert "<BigRAdjust>No</BigRAdjust>" in out


def test_parameter_spellings_in_the_model() -> None:
    for spelling in ("Prop", "prop", "Proportional", "proportional"):
        assert choice("voting_rule", spelling) == "proportional"
    for spelling in ("None", "none", "No", "no"):
        assert choice("big_r_adjust", spelling) == "no"


def test_a_wrong_parameter_value_still_names_both_spellings(tmp_path: Path) -> None:
    path = write(tmp_path, "k.xml", ktab_xml("Propp", "OneThird"))
    with pytest.raises(ScenarioError, match="'Propp' is not a value of VotingRule; fix: did you"):
        import_file("ktab", path)


@pytest.mark.shared
def test_variant_p_reads_prop() -> None:
    path = shared_path("data", "ktab", "variants", "SOE-Pol-Comp-P.xml")
    assert "<VotingRule>Prop</VotingRule>" in path.read_text(encoding="utf-8")
    assert import_file("ktab", path).scenarios[0].models["smp"]["voting_rule"] == "proportional"


# --- 2. BDM headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "renames"),
    [
        ("Stakeholder,Resources,Position,Salience",
         {"Stakeholder": "Actor", "Resources": "Capability"}),
        ("Actor,Influence,Position,Salience", {"Influence": "Capability"}),
        ("Player,Power,Stance,Importance", {"Player": "Actor", "Power": "Capability",
                                           "Stance": "Position", "Importance": "Salience"}),
        ("Actor,Capability,Pos1,Sal1", {"Pos1": "Position", "Sal1": "Salience"}),
        ("Actor,Capabilty,Positon,Salience", {"Capabilty": "Capability", "Positon": "Position"}),
    ],
)  # fmt: skip
def test_bdm_suggests_renames_for_common_headers(
    header: str, renames: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "t.csv", header + "\nA,1,50,0.5\nB,2,60,0.4\n")
    text = error("bdm", path)
    message, fix = text.split("; fix: ")
    assert set(re.findall(r"'(\w+)'", message)) == set(renames.values())
    assert sorted(re.findall(r"'(\w+)' to '(\w+)'", fix)) == sorted(renames.items())
    renamed = header
    for old, new in renames.items():
        renamed = renamed.replace(old, new)
    fixed = write(tmp_path, "fixed.csv", renamed + "\nA,1,50,0.5\nB,2,60,0.4\n")
    assert import_file("bdm", fixed).scenarios[0].actor_ids == ["A", "B"]


def test_bdm_missing_column_without_a_candidate(tmp_path: Path) -> None:
    text = error("bdm", write(tmp_path, "t.csv", "Actor,Capability,Position,Notes\nA,1,2,x\n"))
    assert "missing column 'Salience'; fix: add 'Salience' (needed: Actor" in text


def test_bdm_repeated_position_column_is_explained(tmp_path: Path) -> None:
    body = "Actor,Capability,Position,Position,Salience\nA,1,20,30,0.5\nB,2,80,40,0.9\n"
    text = error("bdm", write(tmp_path, "t.csv", body))
    message, fix = text.split("; fix: ")
    assert "column 'Position' appears 2 times (columns 3, 4)" in message
    assert "one Position column per issue (a wide table)" in message
    assert "one row per actor per issue and add an Issue column" in fix
    assert "for one issue keep a single Position column" in fix
    # the fix it gives works
    long = "Issue,Actor,Capability,Position,Salience\nx,A,1,20,0.5\nx,B,2,80,0.9\n"
    long += "y,A,1,30,0.5\ny,B,2,40,0.9\n"
    assert import_file("bdm", write(tmp_path, "long.csv", long)).scenarios[0].issue_ids == [
        "x",
        "y",
    ]


def test_bdm_wide_table_is_explained(tmp_path: Path) -> None:
    head = "Actor,Capability,Position Policy,Salience Policy,Position Trade,Salience Trade\n"
    text = error("bdm", write(tmp_path, "t.csv", head + "A,1,2,0.3,4,0.5\n"))
    assert "2 position columns (Position Policy, Position Trade)" in text
    assert "2 salience columns (Salience Policy, Salience Trade)" in text
    assert "rename" not in text


# --- 3. the wrong importer ---------------------------------------------------------------------

FILES = {"bdm.csv": BDM, "ktab.csv": KTAB_CSV, "deu.csv": DEU, "scenario.yaml": YAML}
#: (file, importer given, what the error must say, the command it must suggest)
WRONG = [
    ("bdm.csv", "ktab", "a BDM table (header Actor, Capability, Position, Salience)", "bdm"),
    ("bdm.csv", "deu", "a BDM table (header Actor, Capability, Position, Salience)", "bdm"),
    ("ktab.csv", "bdm", "a KTAB SMP CSV file (line 1: name, description, 3 actors, 2 dimensions)",
     "ktab"),
    ("ktab.csv", "deu", "a KTAB SMP CSV file (line 1: name, description, 3 actors, 2 dimensions)",
     "ktab"),
    ("ktab.xml", "bdm", "a KTAB SMP XML file", "ktab"),
    ("ktab.xml", "deu", "a KTAB SMP XML file", "ktab"),
    ("deu.csv", "ktab", "a DEU III table", "deu"),
    ("deu.csv", "bdm", "a DEU III table", "deu"),
    ("scenario.yaml", "ktab", "a multipolar scenario already", None),
    ("scenario.yaml", "bdm", "a multipolar scenario already", None),
    ("scenario.yaml", "deu", "a multipolar scenario already", None),
]  # fmt: skip
THIS = {"ktab": "a KTAB SMP CSV file", "bdm": "a BDM table", "deu": "a DEU III table"}


@pytest.mark.parametrize(("name", "fmt", "what", "right"), WRONG)
def test_the_wrong_importer_names_the_right_one(
    name: str, fmt: str, what: str, right: str | None, tmp_path: Path
) -> None:
    files = {**FILES, "ktab.xml": ktab_xml("Prop", "OneThird")}
    path = write(tmp_path, name, files[name])
    text = error(fmt, path)
    assert f"this looks like {what}" in text
    assert f", not {THIS[fmt]}; fix: " in text
    assert "not a positive whole number" not in text
    if right is None:
        assert text.endswith(f"fix: use it as it is, e.g. multipolar validate {path}")
        return
    command = text.split("; fix: ")[1]
    assert command.startswith(f"multipolar import {right} {shlex.quote(str(path))}")
    assert import_file(right, path).scenarios  # the suggested importer reads it


def test_a_path_with_spaces_is_quoted_in_the_command(tmp_path: Path) -> None:
    path = write(tmp_path, "my table.csv", BDM)
    assert error("ktab", path).endswith(f"fix: multipolar import bdm '{path}'")


def test_ktab_xml_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario.csv", ktab_xml("Prop", "None"))
    scn = import_file("ktab", path).scenarios[0]
    assert scn.models["smp"]["voting_rule"] == "proportional"
    with pytest.raises(ScenarioError, match="line 1 has 1 value"):
        import_file("ktab", path, xml=False)  # an explicit choice is kept


def test_files_of_no_known_format_keep_their_own_errors(tmp_path: Path) -> None:
    assert "missing columns 'Actor', 'Capability', 'Position', 'Salience'" in error(
        "bdm", write(tmp_path, "t.csv", "a,b,c\n1,2,3\n")
    )
    text = error("ktab", write(tmp_path, "k.csv", "a,b,c,d\n1,2,3,4\n"))
    assert "the number of actors 'c' is not a positive whole number" in text


@pytest.mark.shared
@pytest.mark.parametrize(
    ("rel", "fmt", "right"),
    [
        (("eum", "emission_standards.csv"), "ktab", "bdm"),
        (("ktab", "SOE-Pol-Comp.csv"), "bdm", "ktab"),
        (("ktab", "smpExample.xml"), "bdm", "ktab"),
        (("deu", "deu3.csv"), "ktab", "deu"),
        (("deu", "deu3.csv"), "bdm", "deu"),
        (("ktab", "dummyData_3Dim.csv"), "deu", "ktab"),
        (("exchange", "dutch2012_input_decide.csv"), "bdm", "decide"),
        (("exchange", "sample_input_decide.txt"), "ktab", "decide"),
        (("exchange", "dutch2012_input_decide.csv"), "deu", "decide"),
        (("eum", "emission_standards.csv"), "decide", "bdm"),
    ],
)
def test_the_shared_files_given_to_the_wrong_importer(
    rel: tuple[str, str], fmt: str, right: str
) -> None:
    path = shared_path("data", *rel)
    assert f"fix: multipolar import {right} {path}" in error(fmt, path)
