"""All rounds of the exchange model for every batch member (Monte Carlo draw), compiled.

Inputs are ``(B, k, n)`` arrays on the model's 0..100 scale; each member runs on its own, with
its own random stream (``keys[b]``) when a random rule is on, in parallel over members.

Only the driver ``_run`` is cached (in ``__pycache__``); numba keys a cache on the function's
own file, so its key also carries a digest of the files its helpers come from.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np

from multipolar.models.exchange.compiled import once
from multipolar.models.exchange.layout import NF, NI, NR, NX
from multipolar.models.exchange.rounds import copy, first_list, play_round
from multipolar.models.jit import njit

_LOCK = threading.Lock()  # numba's default (workqueue) threads abort on concurrent launches
_HELPER_FILES = ("layout.py", "compiled.py", "bargain.py", "rounds.py")
BATCH, RECORD, FIRST_LIST = 0, 1, 2  # the driver's modes


@once
def run_one(
    x0: np.ndarray, s: np.ndarray, c: np.ndarray, w: np.ndarray, W: np.ndarray,
    mask: np.ndarray, rounds: int, p: float, ties: int, eps: float, weights: np.ndarray,
    key: np.uint64, record: bool, voting: np.ndarray, start: np.ndarray, counts: np.ndarray,
    ext: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """One problem through ``rounds`` rounds, filling ``voting`` and ``start`` (T+1, k, n),
    ``counts`` (T,) and ``ext`` (T, n, 5); returns the exchange records (none unless
    ``record``)."""
    counter = np.zeros(1, dtype=np.int64)
    rec = np.zeros((64 if record else 0, NR))
    rows = 0
    x = x0
    copy(x0, voting[0])
    copy(x0, start[0])
    for t in range(rounds):
        vote, nxt, count, rec, rows = play_round(
            x, s, c, w, W, mask, t + 1, p, ties, eps, weights, key, counter, ext[t], rec, rows
        )
        copy(vote, voting[t + 1])
        copy(nxt, start[t + 1])
        counts[t] = count
        x = nxt
    out = np.empty((rows, NR))
    copy(rec[:rows], out)
    return out


def _sources_digest() -> str:
    """A digest of the files the driver's helpers come from (empty if they cannot be read)."""
    try:
        parts = [Path(__file__).with_name(f).read_bytes() for f in _HELPER_FILES]
    except OSError:
        return ""
    return hashlib.sha256(b"".join(parts)).hexdigest()


Driver = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def _compile(digest: str) -> Driver:
    """The parallel driver, cached under a key that includes ``digest``."""

    @njit(cache=True, error_model="numpy")
    def _run(
        x0: np.ndarray, s: np.ndarray, c: np.ndarray, w: np.ndarray, W: np.ndarray,
        mask: np.ndarray, rounds: int, p: float, ties: int, eps: float, weights: np.ndarray,
        keys: np.ndarray, mode: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        B, k, n = x0.shape
        voting = np.empty((B, rounds + 1, k, n))
        start = np.empty((B, rounds + 1, k, n))
        counts = np.zeros((B, rounds), dtype=np.int64)
        ext = np.zeros((B, rounds, n, NX))
        table = np.zeros((0, NR))
        if len(digest) < 0:  # never: it puts the digest into numba's cache key
            return voting, start, counts, ext, table
        if mode == FIRST_LIST:  # member 0's first candidate list, integer then float columns
            counter = np.zeros(1, dtype=np.int64)
            st = first_list(x0[0], s[0], w[0], W[0], mask[0], p, eps, keys[0], counter)[2]
            ci, cf = st[0], st[1]
            table = np.empty((ci.shape[0], NI + NF))
            for e in range(ci.shape[0]):
                for j in range(NI):
                    table[e, j] = ci[e, j]
                for j in range(NF):
                    table[e, NI + j] = cf[e, j]
            return voting, start, counts, ext, table
        record = mode == RECORD
        for b in range(B):
            table = run_one(
                x0[b], s[b], c[b], w[b], W[b], mask[b], rounds, p, ties, eps, weights, keys[b],
                record, voting[b], start[b], counts[b], ext[b],
            )  # fmt: skip
        return voting, start, counts, ext, table

    return cast(Driver, _run)


_driver = _compile(_sources_digest())


def run(
    x0: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray, *, rounds: int, p: float,
    ties: int, eps: float, weights: tuple[float, float], keys: np.ndarray, mode: int = BATCH,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Every member of the batch ``(B, k, n)``: voting and start positions (B, T+1, k, n),
    realised exchanges per round (B, T), externalities (B, T, n, 5) and a table: with
    ``mode=RECORD`` (one member) its exchange records (rows, layout.NR); with ``FIRST_LIST``
    member 0's first candidate list before any realisation (``ci`` then ``cf`` columns, and
    nothing else is run)."""
    m = np.ascontiguousarray(mask, dtype=np.bool_)
    x, s, c = (np.ascontiguousarray(a, dtype=np.float64) for a in (x0, s, c))
    w = np.ascontiguousarray(np.where(m, s * c, 0.0))
    W = np.ascontiguousarray(w.sum(axis=-1))
    fixed = np.asarray(weights, dtype=np.float64)
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    with _LOCK:
        return _driver(x, s, c, w, W, m, int(rounds), float(p), int(ties), float(eps), fixed, k,
                       int(mode))  # fmt: skip
