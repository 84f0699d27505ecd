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
from numba import njit

from multipolar.models.exchange.layout import NR, NX, jit
from multipolar.models.exchange.rounds import play_round

_LOCK = threading.Lock()  # numba's default (workqueue) threads abort on concurrent launches
_HELPER_FILES = ("layout.py", "bargain.py", "rounds.py")


@jit
def run_one(
    x0: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray, rounds: int, p: float,
    ties: int, eps: float, weights: np.ndarray, key: np.uint64, record: bool,
    voting: np.ndarray, start: np.ndarray, counts: np.ndarray, ext: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """One problem through ``rounds`` rounds, filling ``voting`` and ``start`` (T+1, k, n),
    ``counts`` (T,) and ``ext`` (T, n, 5); returns the exchange records (none unless
    ``record``)."""
    w = np.where(mask, s * c, 0.0)
    W = w.sum(axis=1)
    counter = np.zeros(1, dtype=np.int64)
    rec = np.zeros((64 if record else 0, NR))
    rows = 0
    x = x0.copy()
    voting[0] = x0
    start[0] = x0
    for t in range(rounds):
        vote, nxt, count, rec, rows = play_round(
            x, s, c, w, W, mask, t + 1, p, ties, eps, weights, key, counter, ext[t], rec, rows
        )
        voting[t + 1] = vote
        start[t + 1] = nxt
        counts[t] = count
        x = nxt
    return rec[:rows].copy()


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

    @njit(cache=True, error_model="numpy", parallel=False)
    def _run(
        x0: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray, rounds: int, p: float,
        ties: int, eps: float, weights: np.ndarray, keys: np.ndarray, record: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        B, k, n = x0.shape
        voting = np.empty((B, rounds + 1, k, n))
        start = np.empty((B, rounds + 1, k, n))
        counts = np.zeros((B, rounds), dtype=np.int64)
        ext = np.zeros((B, rounds, n, NX))
        if len(digest) < 0:  # never: it puts the digest into numba's cache key
            return voting, start, counts, ext, np.zeros((0, NR))
        if record:  # one problem, with its exchanges
            rec = run_one(
                x0[0], s[0], c[0], mask[0], rounds, p, ties, eps, weights, keys[0], True,
                voting[0], start[0], counts[0], ext[0],
            )  # fmt: skip
            return voting, start, counts, ext, rec
        for b in range(B):
            run_one(
                x0[b], s[b], c[b], mask[b], rounds, p, ties, eps, weights, keys[b], False,
                voting[b], start[b], counts[b], ext[b],
            )  # fmt: skip
        return voting, start, counts, ext, np.zeros((0, NR))

    return cast(Driver, _run)


_driver = _compile(_sources_digest())


def run(
    x0: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray, *, rounds: int, p: float,
    ties: int, eps: float, weights: tuple[float, float], keys: np.ndarray, record: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Every member of the batch ``(B, k, n)``: voting and start positions (B, T+1, k, n),
    realised exchanges per round (B, T), externalities (B, T, n, 5) and, with ``record`` (one
    member only), the exchange records (rows, layout.NR)."""
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (x0, s, c)]
    m = np.ascontiguousarray(mask, dtype=np.bool_)
    w = np.asarray(weights, dtype=np.float64)
    k = np.ascontiguousarray(keys, dtype=np.uint64)
    with _LOCK:
        return _driver(*arrays, m, int(rounds), float(p), int(ties), float(eps), w, k, record)
