"""The seeded train/test split of DEU III, by proposal, committed before any fitting.

Issues of one proposal are negotiated together, so whole proposals go to one side: with
``SPLIT_SEED`` the proposals (sorted by id) are shuffled by ``numpy.random.default_rng`` and the
first half (rounded) is the train split. The result is written once to
``multipolar/data/council/deu3_split.csv`` and read from there; parameters are fitted on the
train issues only and scored once on the test issues.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Literal

import numpy as np

from multipolar.backtest.data import DeuIssue
from multipolar.errors import UsageError

Side = Literal["train", "test"]
SPLIT_SEED = 20250808
TRAIN_SHARE = 0.5
FILE = "deu3_split.csv"


def make_split(
    issues: Sequence[DeuIssue], seed: int = SPLIT_SEED, train_share: float = TRAIN_SHARE
) -> dict[str, Side]:
    """Issue id -> "train" or "test", whole proposals to one side."""
    if not 0.0 < train_share < 1.0:
        raise UsageError(f"train_share must be in (0, 1), not {train_share}")
    proposals = sorted({i.proposal for i in issues})
    order = np.random.default_rng(seed).permutation(len(proposals))
    n_train = round(len(proposals) * train_share)
    train = {proposals[k] for k in order[:n_train]}
    return {i.id: "train" if i.proposal in train else "test" for i in issues}


def split_text(issues: Sequence[DeuIssue], split: Mapping[str, Side], seed: int) -> str:
    """The split as CSV (issue, proposal, split) with a header comment saying how it was drawn."""
    buf = io.StringIO()
    n_train = sum(1 for i in issues if split[i.id] == "train")
    buf.write(
        f"# DEU III train/test split by proposal: seed {seed}, {TRAIN_SHARE:.0%} of the "
        f"proposals in train ({n_train} of {len(issues)} issues).\n"
        "# Drawn by multipolar.backtest.split.make_split and committed before any parameter "
        "was fitted.\n"
    )
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["issue", "proposal", "split"])
    writer.writerows([i.id, i.proposal, split[i.id]] for i in issues)
    return buf.getvalue()


def committed_path() -> Path:
    return Path(str(files("multipolar.data") / "council" / FILE))


def read_split(path: Path | None = None) -> dict[str, Side]:
    """Issue id -> side from a split file (default: the committed one)."""
    p = committed_path() if path is None else path
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"{p}: cannot read the split ({exc.strerror}); fix: check the path"
        ) from None
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    out: dict[str, Side] = {}
    for row in csv.DictReader(lines):
        side = row.get("split", "")
        if side not in ("train", "test"):
            raise UsageError(f"{p}: issue {row.get('issue')}: split must be train or test")
        out[row["issue"]] = "train" if side == "train" else "test"
    return out


def split_for(issues: Sequence[DeuIssue], path: Path | None = None) -> tuple[dict[str, Side], str]:
    """The committed split restricted to ``issues``, and where it came from.

    Issues missing from the committed file (another DEU file) get a fresh split drawn with
    ``SPLIT_SEED``, and the origin says so.
    """
    committed = read_split(path)
    if all(i.id in committed for i in issues):
        return {i.id: committed[i.id] for i in issues}, f"the committed {FILE}"
    return make_split(issues), f"drawn afresh with seed {SPLIT_SEED}: issues missing from {FILE}"
