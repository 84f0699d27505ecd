"""Readers for KTAB's SMP reference run logs, and KTAB's pseudo-random number generator.

The logs (``20170530_ref-*.txt``) print, per turn, each actor's chosen target, the bargain
queues, the PCE over each queue and the chosen bargain, then every actor's new position (4
decimals, 0-100 scale); at the end, the number of states and the history of positions and
position probabilities.

KTAB's PRNG (``KBase::PRNG``) is the 64-bit Mersenne Twister (MT19937-64) seeded with the
scenario seed; each ``uniform()`` output ``s`` is passed through ``q(s) = (s + a)(2s + 3) mod
2^64`` with ``a = 0xE08C1D668B756F83`` and divided by ``2^64 - 1``. ``probSel`` picks the first
option whose cumulative probability reaches that number.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

_FLOAT = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_QUEUE = re.compile(r"^Bargains involving actor\s+(\d+):\s*(.*)$")
_ITEM = re.compile(r"\[(\d+),\s*(\d+):(\d+)\]")
_TARGET = re.compile(r"^In turn (\d+) actor (\d+) has most advantageous target (\d+) worth")
_DOING = re.compile(r"^Doing scalarPCE for the (\d+) bargains of actor (\d+)")
_CHOSEN = re.compile(r"^Chosen bargain \(\s*(\w+)\s*\):\s*(\d+)\s+(\d+) out of (\d+)")
_POSTN = re.compile(r"^(postn|ideal)\s+(\d+)\s*,\s*\d+\s*:?\s*$")
_HISTORY = re.compile(r"^(.*?),\s*([^,]*?)\s*:\s*((?:" + _FLOAT + r"\s*)+)$")
_STATES = re.compile(r"^There were (\d+) states")
_RATIO = re.compile(r"^Fractional change compared to first step:\s*(" + _FLOAT + ")")


@dataclass
class Turn:
    """One turn of a log: targets, queues (bargain ids and init:rcvr), resolution."""

    targets: dict[int, int] = field(default_factory=dict)
    queues: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    probs: dict[int, list[float]] = field(default_factory=dict)
    chosen: dict[int, int] = field(default_factory=dict)  # 0-based index into the queue


@dataclass
class KtabLog:
    """What the replication tests need from one log (positions on KTAB's 0-100 scale)."""

    states: int
    positions: np.ndarray  # (states - 1, n, k): after each turn, 4 decimals
    ideals: np.ndarray  # (states - 1, n, k)
    history: dict[str, list[list[float]]]  # actor -> per dimension, per state (1 decimal)
    prob: dict[str, list[float]]  # actor -> per state
    risk: list[list[float]]  # per state, each actor's inferred risk attitude
    ratios: list[float]
    turns: list[Turn]


def _numbers(line: str) -> list[float]:
    return [float(v) for v in re.findall(_FLOAT, line)]


def _read_turns(lines: list[str]) -> list[Turn]:
    turns: list[Turn] = []
    current = -1
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("Starting Model::run iteration"):
            turns.append(Turn())
        elif m := _TARGET.match(line):
            turns[-1].targets[int(m.group(2))] = int(m.group(3))
        elif m := _QUEUE.match(line):
            items = [(int(a), int(b), int(c)) for a, b, c in _ITEM.findall(m.group(2))]
            turns[-1].queues[int(m.group(1))] = items
        elif m := _DOING.match(line):
            current = int(m.group(2))
            turns[-1].order.append(current)
        elif line == "Probability Opt_i" and current >= 0:
            size = len(turns[-1].queues[current])
            turns[-1].probs[current] = [_numbers(lines[i + 1 + r])[0] for r in range(size)]
        elif m := _CHOSEN.match(line):
            turns[-1].chosen[current] = int(m.group(3)) - 1
            current = -1
    return turns


def _read_risk(lines: list[str]) -> list[list[float]]:
    risk: list[list[float]] = []
    for i, line in enumerate(lines):
        if line.strip().startswith("Inferred risk attitudes"):
            values: list[float] = []
            for nxt in lines[i + 1 :]:
                if not re.fullmatch(r"\s*" + _FLOAT + r"\s*", nxt):
                    break
                values.append(float(nxt))
            risk.append(values)
    return risk


def read_log(path: Path) -> KtabLog:
    """Parse one KTAB SMP run log (plain text, or gzip if the name ends in ``.gz``)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    lines = raw.decode("utf-8", errors="replace").splitlines()
    blocks: dict[str, list[list[float]]] = {"postn": [], "ideal": []}
    history: dict[str, list[list[float]]] = {}
    prob: dict[str, list[float]] = {}
    ratios: list[float] = []
    states = 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        if m := _POSTN.match(line):
            blocks[m.group(1)].append(_numbers(lines[i + 1]))
        elif m := _RATIO.match(line):
            ratios.append(float(m.group(1)))
        elif m := _STATES.match(line):
            states = int(m.group(1))
        elif states and (m := _HISTORY.match(line)):
            name, what, vals = m.group(1).strip(), m.group(2).strip(), _numbers(m.group(3))
            if what == "prob":
                prob[name] = vals
            else:
                history.setdefault(name, []).append(vals)
    shape = (-1, len(history), len(blocks["postn"][0]))
    return KtabLog(
        states=states,
        positions=np.array(blocks["postn"]).reshape(shape),
        ideals=np.array(blocks["ideal"]).reshape(shape),
        history=history,
        prob=prob,
        risk=_read_risk(lines),
        ratios=ratios,
        turns=_read_turns(lines),
    )


_M64 = (1 << 64) - 1


class KtabPrng:
    """KTAB's ``KBase::PRNG``: MT19937-64 (Matsumoto & Nishimura) followed by KTAB's ``qTrans``."""

    _N, _M = 312, 156

    def __init__(self, seed: int) -> None:
        self.state = [seed & _M64]
        for i in range(1, self._N):
            prev = self.state[-1]
            self.state.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & _M64)
        self.index = self._N

    def _twist(self) -> None:
        s = self.state
        for i in range(self._N):
            x = (s[i] & 0xFFFFFFFF80000000) | (s[(i + 1) % self._N] & 0x7FFFFFFF)
            xa = (x >> 1) ^ (0xB5026F5AA96619E9 if x & 1 else 0)
            s[i] = s[(i + self._M) % self._N] ^ xa
        self.index = 0

    def raw(self) -> int:
        """The next MT19937-64 output."""
        if self.index >= self._N:
            self._twist()
        x = self.state[self.index]
        self.index += 1
        x ^= (x >> 29) & 0x5555555555555555
        x ^= (x << 17) & 0x71D67FFFEDA60000
        x ^= (x << 37) & 0xFFF7EEE000000000
        x ^= x >> 43
        return x & _M64

    def uniform(self) -> float:
        """KTAB ``uniform(0, 1)``."""
        s = self.raw()
        q = ((s + 0xE08C1D668B756F83) * (2 * s + 3)) & _M64
        return q / float(_M64)


def prob_sel(p: list[float] | np.ndarray, u: float) -> int:
    """KTAB ``probSel``: the first index whose cumulative probability reaches ``u``."""
    total = 0.0
    for i, pi in enumerate(p):
        total += float(pi)
        if u <= total:
            return i
    return len(p) - 1


def log_chooser(log: KtabLog, seed: int, n: int) -> Callable[[int, int, np.ndarray, list], int]:
    """A queue chooser that replays a stochastic KTAB run.

    KTAB 2017 resolved the actors' queues in parallel threads sharing one PRNG, and filled the
    queues in thread order, so both the order of the draws and the order of the options inside
    a queue are logged rather than fixed. This chooser takes the draw that KTAB's PRNG gave the
    actor in the logged resolution order (one draw per actor per turn) and applies ``probSel``
    to our PCE probabilities arranged in the logged queue order.
    """
    prng = KtabPrng(seed)
    draws = [prng.uniform() for _ in range(n * len(log.turns))]

    def choose(turn: int, actor: int, p: np.ndarray, keys: list) -> int:
        logged = log.turns[turn]
        u = draws[n * turn + logged.order.index(actor)]
        where = {(init, rcvr): m for m, (init, rcvr, _view) in enumerate(keys)}
        order = [where[(init, rcvr)] for _id, init, rcvr in logged.queues[actor]]
        return order[prob_sel(p[order], u)]

    return choose


def log_arranger(log: KtabLog) -> Callable[[int, int, list], list[int]]:
    """A queue arranger (``simulate(arrange=...)``) that replays KTAB's logged queue order.

    KTAB filled each queue in the order its threads finished, and votes on each pair of options
    once (``pce.coalitions``): with the ``ASymProsp`` voting rule the probabilities depend on
    that order, so replaying a log needs it."""

    def arrange(turn: int, actor: int, keys: list) -> list[int]:
        where = {(init, rcvr): m for m, (init, rcvr, _view) in enumerate(keys)}
        return [where[(init, rcvr)] for _id, init, rcvr in log.turns[turn].queues[actor]]

    return arrange


def _row(scn: Any, log: KtabLog, mode: str, choose: Any = None, arrange: Any = None) -> str:
    """One table row: our run of ``scn`` against ``log`` (0-100 scale)."""
    from multipolar.models.smp import config, prepare, simulate
    from multipolar.models.smp.inputs import to_unit
    from multipolar.scenario.arrays import to_inputs

    pos, sal, cap, _ = to_unit(to_inputs(scn), ())
    params = scn.models.get("smp", {})
    affinity = prepare(scn).get("affinity")
    run = simulate(
        pos, sal, cap, config(**params), affinity=affinity, choose=choose, arrange=arrange
    )
    ours = 100.0 * run.positions
    common = min(run.turns, log.positions.shape[0])
    per_turn = np.max(np.abs(ours[1 : common + 1] - log.positions[:common]))
    final = np.max(np.abs(ours[-1] - log.positions[-1]))
    logged = np.array(list(log.prob.values())).T
    prob = np.max(np.abs(run.prob[: logged.shape[0]] - logged[: run.prob.shape[0]]))
    return (
        f"| {mode} | {run.turns + 1} / {log.states} | {per_turn:.2g} | {final:.2g} | {prob:.2g} |"
    )


HEADER = (
    "| states (ours / KTAB) | max per-turn deviation | max final deviation "
    "| max probability deviation |"
)


def replication_table(folder: Path) -> str:
    """A markdown table: our SMP against KTAB's three reference logs (0-100 scale)."""
    from multipolar.scenario.formats import import_file

    rows = ["| scenario | mode " + HEADER, "|---|---|---|---|---|---|"]
    cases = [
        ("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt", "deterministic (defaults)"),
        ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt", "deterministic (defaults)"),
        ("smpExample.xml", "20170530_ref-smpExample.txt", "stochastic, KTAB PRNG replay"),
    ]
    for name, log_name, mode in cases:
        scn = import_file("ktab", folder / name).scenarios[0]
        log = read_log(folder / log_name)
        choose = None
        if "stochastic" in mode:
            seed = int(scn.metadata["ktab"]["prng_seed"])
            choose = log_chooser(log, seed, len(scn.actors))
        rows.append(f"| {name} " + _row(scn, log, mode, choose=choose))
    return "\n".join(rows)


def variants_table(folder: Path) -> str:
    """A markdown table: our SMP against KTAB's logs of SOE-Pol-Comp's parameter variants, in
    our own queue order and replaying KTAB's (0-100 scale)."""
    from multipolar.scenario.formats import import_file

    rows = ["| variant | queue order " + HEADER, "|---|---|---|---|---|---|"]
    for log_path in sorted(folder.glob("log_SOE-Pol-Comp-*.txt.gz")):
        name = log_path.name.removeprefix("log_SOE-Pol-Comp-").removesuffix(".txt.gz")
        scn = import_file("ktab", folder / f"SOE-Pol-Comp-{name}.xml").scenarios[0]
        log = read_log(log_path)
        rows.append(f"| {name} " + _row(scn, log, "ours"))
        rows.append(f"| {name} " + _row(scn, log, "KTAB's, replayed", arrange=log_arranger(log)))
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    default = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ktab"
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print(replication_table(folder))
    print()
    print(variants_table(folder / "variants"))
