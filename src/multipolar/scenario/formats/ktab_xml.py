"""KTAB SMP XML files (``smpSchema.xsd``): name, desc, prngSeed, ModelParameters, Dimensions,
Actors and IdealAdjustment.

The seed is kept as text in ``metadata.ktab.prng_seed`` (leading zeros matter); the nine model
parameters go to ``models.smp`` with snake_case keys and values (``PropCbc`` -> ``prop_cbc``) and
are written back in KTAB's CamelCase; ``iaPair`` elements become ``ideal_adjustment``. The parser
is expat with entity declarations and external entities refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from multipolar.errors import Problem, ScenarioError, UsageError, did_you_mean
from multipolar.scenario.formats.common import Collector, Imported, fmt_num, read_text
from multipolar.scenario.formats.ktab import (
    RawActor,
    actor_rows,
    build,
    check_actor,
    check_unique,
    dim_name,
)
from multipolar.scenario.limits import MAX_DEPTH
from multipolar.scenario.schema import Scenario

LAYOUT = "a <Scenario> element with <name>, <desc>, <prngSeed> and <Actors>"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# KTAB parameter -> (allowed values, default), in the schema's order
PARAMETERS: dict[str, tuple[tuple[str, ...], str]] = {
    "VictoryProbModel": (("Linear", "Square", "Quartic", "Octic", "Binary"), "Linear"),
    "PCEModel": (("Conditional", "MarkovIncentive", "MarkovUniform"), "Conditional"),
    "StateTransitions": (("Deterministic", "Stochastic"), "Deterministic"),
    "VotingRule": (
        ("Binary", "PropBin", "Proportional", "PropCbc", "Cubic", "ASymProsp"),
        "Proportional",
    ),
    "BigRAdjust": (("Full", "TwoThirds", "Half", "OneThird", "No"), "OneThird"),
    "BigRRange": (("Min", "Mid", "Max"), "Mid"),
    "ThirdPartyCommit": (("NoCommit", "SemiCommit", "FullCommit"), "SemiCommit"),
    "InterVecBrgn": (("S1P1", "S2P2", "S2PMax"), "S2P2"),
    "BargnModel": (("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"), "InitOnlyInterp"),
}
_SPECIAL = {
    "PCEModel": "pce_model",
    "BigRAdjust": "big_r_adjust",
    "BigRRange": "big_r_range",
    "S1P1": "s1p1",
    "S2P2": "s2p2",
    "S2PMax": "s2p_max",
    "PWCompInterp": "pw_comp_interp",
    "ASymProsp": "asym_prosp",
}
#: the spellings of KTAB's own binary (smpc) beside those of its XSD: both are read
SYNONYMS: dict[str, dict[str, str]] = {
    "VotingRule": {"Prop": "Proportional"},
    "BigRAdjust": {"None": "No"},
}
_TOP = ("name", "desc", "prngSeed", "ModelParameters", "Dimensions", "Actors", "IdealAdjustment")


def snake(camel: str) -> str:
    """KTAB's CamelCase in snake_case: ``MarkovIncentive`` -> ``markov_incentive``."""
    return _SPECIAL.get(camel) or re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


@dataclass
class Node:
    """An XML element with the line it starts on."""

    tag: str
    line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def first(self, tag: str) -> Node | None:
        return next((n for n in self.children if n.tag == tag), None)


class _RefusedError(Exception):
    pass


class _DeepError(Exception):
    pass


def parse(text: str, file: str) -> Node:
    """Parse XML into ``Node``s; DTD entities are refused (no entity expansion attacks)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    parts: list[list[str]] = []
    roots: list[Node] = []

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _DeepError
        node = Node(tag, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        parts.append([])

    def end(_tag: str) -> None:
        stack.pop().text = "".join(parts.pop()).strip()

    def chars(data: str) -> None:
        if parts:
            parts[-1].append(data)

    def refuse(*_args: object) -> None:
        raise _RefusedError

    def refuse_ref(_ctx: str, _base: str | None, _sys: str | None, _pub: str | None) -> int:
        raise _RefusedError

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse_ref
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        what = expat.ErrorString(exc.code) or "malformed XML"
        fix = "check that every <tag> is closed and the file is complete"
        problem = Problem((), f"malformed XML: {what}", fix, exc.lineno, exc.offset + 1)
        raise ScenarioError([problem], file) from None
    except _RefusedError:
        fix = "remove the <!ENTITY ...> declarations"
        problem = Problem((), "XML entities are not allowed", fix, parser.CurrentLineNumber)
        raise ScenarioError([problem], file) from None
    except _DeepError:
        fix = "a KTAB file nests 4 levels: check the tags"
        what = f"elements nested more than {MAX_DEPTH} levels deep"
        problem = Problem((), what, fix, parser.CurrentLineNumber)
        raise ScenarioError([problem], file) from None
    return roots[0]


def _children(c: Collector, node: Node, tag: str) -> list[Node]:
    out = []
    for child in node.children:
        if child.tag == tag:
            out.append(child)
        else:
            c.add(child.line, f"unexpected <{child.tag}> in <{node.tag}>", f"use <{tag}>", tag)
    return out


def _text(c: Collector, node: Node, tag: str, required: bool = True) -> tuple[str, int]:
    child = node.first(tag)
    if child is None:
        if required:
            c.add(node.line, f"<{node.tag}> has no <{tag}>", f"add <{tag}>...</{tag}>", tag)
        return "", node.line
    return child.text, child.line


def _numbers(c: Collector, node: Node | None, parent: Node, tag: str, sub: str) -> list[float]:
    if node is None:
        c.add(
            parent.line, f"<{parent.tag}> has no <{tag}>", f"add <{tag}> with <{sub}> values", tag
        )
        return []
    values = [c.number(n.text, n.line, sub, 0.0, 100.0) for n in _children(c, node, sub)]
    return [v for v in values if v is not None]


def _parameters(c: Collector, node: Node) -> dict[str, str]:
    params: dict[str, str] = {}
    for child in node.children:
        if child.tag not in PARAMETERS:
            c.add(
                child.line,
                f"unknown model parameter <{child.tag}>",
                did_you_mean(child.tag, PARAMETERS),
                child.tag,
            )
            continue
        allowed = PARAMETERS[child.tag][0]
        value = SYNONYMS.get(child.tag, {}).get(child.text, child.text)
        if value not in allowed:
            spellings = (*allowed, *SYNONYMS.get(child.tag, {}))
            c.add(
                child.line,
                f"{child.text!r} is not a value of {child.tag}",
                did_you_mean(child.text, spellings),
                child.tag,
            )
            continue
        params[snake(child.tag)] = snake(value)
    for name in PARAMETERS:
        if snake(name) not in params and not any(ch.tag == name for ch in node.children):
            c.add(
                node.line,
                f"<ModelParameters> has no <{name}>",
                f"add <{name}>{PARAMETERS[name][1]}</{name}> (KTAB's default)",
                name,
            )
    return params


def _actor(c: Collector, node: Node, k: int | None) -> RawActor:
    name, _ = _text(c, node, "name")
    description, _ = _text(c, node, "description", required=False)
    cap_text, cap_line = _text(c, node, "capability")
    cap = c.number(cap_text, cap_line, "capability", 0.0) if node.first("capability") else None
    pos = _numbers(c, node.first("Position"), node, "Position", "dCoord")
    sal = _numbers(c, node.first("Salience"), node, "Salience", "dSal")
    actor = RawActor(name, description, cap or 0.0, pos, sal, node.line)
    want = len(pos) if k is None else k
    if len(pos) != want or len(sal) != want:
        c.add(
            node.line,
            f"actor '{name}' has {len(pos)} positions and {len(sal)} saliences "
            f"but there are {want} dimensions",
            "give one <dCoord> and one <dSal> per dimension",
        )
    check_actor(c, actor, want)
    return actor


def _pairs(c: Collector, node: Node, names: set[str]) -> list[tuple[str, str, float]]:
    pairs = []
    for pair in _children(c, node, "iaPair"):
        who, line = _text(c, pair, "adjustingIdeal")
        ref, ref_line = _text(c, pair, "referencePos")
        weight_text, weight_line = _text(c, pair, "adjust")
        for name, at in ((who, line), (ref, ref_line)):
            if name and name not in names:
                c.add(at, f"unknown actor '{name}'", did_you_mean(name, names), "iaPair")
        weight = c.number(weight_text, weight_line, "adjust", 0.0, 1.0) if weight_text else None
        if who in names and ref in names and weight is not None:
            pairs.append((who, ref, weight))
    return pairs


def read_xml(path: Path) -> Imported:
    """Import a KTAB SMP XML file as one scenario."""
    c = Collector(str(path))
    root = parse(read_text(path, LAYOUT), c.file)
    if root.tag != "Scenario":
        c.fail(root.line, f"the root element is <{root.tag}>", "make <Scenario> the root element")
    for child in root.children:
        if child.tag not in _TOP:
            c.add(
                child.line, f"unexpected <{child.tag}> in <Scenario>", did_you_mean(child.tag, _TOP)
            )
    title, _ = _text(c, root, "name")
    description, _ = _text(c, root, "desc", required=False)
    dims_node, actors_node = root.first("Dimensions"), root.first("Actors")
    dims = [] if dims_node is None else [n.text for n in _children(c, dims_node, "dName")]
    k = len(dims) if dims_node is not None else None
    if actors_node is None:
        c.fail(root.line, "<Scenario> has no <Actors>", "add <Actors> with an <Actor> per actor")
    actors = [_actor(c, n, k) for n in _children(c, actors_node, "Actor")]
    if not actors:
        c.fail(actors_node.line, "<Actors> is empty", "add an <Actor> per actor")
    if dims_node is None:
        dims = [dim_name("", j + 1) for j in range(len(actors[0].positions))]
    extra: dict[str, Any] = {}
    params_node = root.first("ModelParameters")
    if params_node is not None:
        extra["models"] = {"smp": _parameters(c, params_node)}
    seed, _ = _text(c, root, "prngSeed", required=False)
    if root.first("prngSeed") is not None:
        extra["metadata"] = {"ktab": {"prng_seed": seed}}
    check_unique(c, actors)
    ia_node = root.first("IdealAdjustment")
    pairs = [] if ia_node is None else _pairs(c, ia_node, {a.name for a in actors})
    c.check()
    scenario, notes = build(c, title, description, dims, actors, extra=extra, pairs=pairs)
    return Imported([scenario], notes)


def _camel(name: str, value: Any) -> str:
    """The XSD's spelling of ``value``, given in snake_case or CamelCase, in the XSD's or the
    binary's spelling (``proportional``, ``Prop``, ``prop`` -> ``Proportional``)."""
    allowed, _ = PARAMETERS[name]
    spellings = {**{v: v for v in allowed}, **SYNONYMS.get(name, {})}
    by_key = {_key(v): xsd for v, xsd in spellings.items()}
    if _key(str(value)) in by_key:
        return by_key[_key(str(value))]
    raise UsageError(
        f"models.smp.{snake(name)} = {value!r} is not a KTAB value; "
        + did_you_mean(str(value), [snake(v) for v in allowed])
    )


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _parameters_xml(root: ET.Element, smp: dict[str, Any]) -> None:
    known = {snake(name): name for name in PARAMETERS}
    for key in smp:
        if key not in known:
            raise UsageError(
                f"unknown KTAB model parameter models.smp.{key}; " + did_you_mean(key, known)
            )
    node = ET.SubElement(root, "ModelParameters")
    for key, name in known.items():
        value = smp.get(key, PARAMETERS[name][1])
        ET.SubElement(node, name).text = _camel(name, value)


def write_xml(scn: Scenario) -> str:
    """A KTAB SMP XML file for ``scn``.

    Missing model parameters get KTAB's defaults; without ``metadata.ktab.prng_seed`` the seed is 0.
    """
    rows = actor_rows(scn)
    root = ET.Element(
        "Scenario", {"xmlns:xsi": XSI, "xsi:noNamespaceSchemaLocation": "smpSchema.xsd"}
    )
    ET.SubElement(root, "name").text = scn.title
    ET.SubElement(root, "desc").text = scn.description
    ktab = scn.metadata.get("ktab")
    seed = ktab.get("prng_seed", "0") if isinstance(ktab, dict) else "0"
    ET.SubElement(root, "prngSeed").text = str(seed)
    if "smp" in scn.models:
        _parameters_xml(root, scn.models["smp"])
    dims = ET.SubElement(root, "Dimensions")
    for issue in scn.issues:
        ET.SubElement(dims, "dName").text = issue.name
    actors = ET.SubElement(root, "Actors")
    for ident, name, cap, values in rows:
        actor = ET.SubElement(actors, "Actor")
        ET.SubElement(actor, "name").text = ident
        ET.SubElement(actor, "description").text = name
        ET.SubElement(actor, "capability").text = fmt_num(cap)
        position, salience = ET.SubElement(actor, "Position"), ET.SubElement(actor, "Salience")
        for pos, sal in values:
            ET.SubElement(position, "dCoord").text = pos
            ET.SubElement(salience, "dSal").text = sal
    if scn.ideal_adjustment:
        ia = ET.SubElement(root, "IdealAdjustment")
        for pair in scn.ideal_adjustment:
            node = ET.SubElement(ia, "iaPair")
            ET.SubElement(node, "adjustingIdeal").text = pair.actor
            ET.SubElement(node, "referencePos").text = pair.reference
            ET.SubElement(node, "adjust").text = fmt_num(pair.weight)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
