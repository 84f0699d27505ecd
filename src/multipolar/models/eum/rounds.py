"""One round of the expected utility model: risk, expected utilities, offers, moves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from multipolar.models.eum.core import (
    expected_utility,
    median_position,
    pair_mask,
    risk_exponents,
    win_probability_paper,
    win_probability_reference,
)
from multipolar.scenario.arrays import BoolArray, FloatArray

Mode = Literal["reference", "paper"]
NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
OFFER_NAMES = {NONE: "", CONFRONTATION: "confrontation", COMPROMISE: "compromise",
               CAPITULATION: "capitulation"}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    mode: Mode
    q: float
    t: int | None
    fix_capitulation: bool


@dataclass(frozen=True)
class Round:
    """Everything one round computed; dyad arrays are ``[b, receiver i, other actor j]``."""

    r: FloatArray  # (B, n) risk exponents used this round
    P: FloatArray  # (B, n, n) probability that i beats j
    eu_i: FloatArray  # E^i(U_ij): i's expected utility of challenging j
    eu_j: FloatArray  # E(U_ji): j challenging i (i's view in reference mode, j's in paper mode)
    offer: FloatArray  # (B, n, n) offer type for receiver i (NONE, CONFRONTATION, ...)
    target: FloatArray  # (B, n, n) where i would move if it accepted j's offer
    new_x: FloatArray  # (B, n) positions after the round


def _probability(
    x: FloatArray, w: FloatArray, r: FloatArray, R: FloatArray, mask: BoolArray, mode: Mode
) -> FloatArray:
    if mode == "reference":
        return win_probability_reference(x, w, r, R, mask)
    return win_probability_paper(x, w)


def _both_views(
    x: FloatArray, s: FloatArray, P: FloatArray, r: FloatArray, R: FloatArray,
    mu: FloatArray, cfg: Settings,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """E^i(U_ij) with i's exponent, and E(U_ji) with the perspective the mode prescribes."""
    own = expected_utility(x, s, P, r[:, :, None], R, mu, cfg.q, cfg.t)
    if cfg.mode == "paper":  # each actor judges its own challenge: E^j(U_ji)
        return own, own.transpose(0, 2, 1)
    seen_by_receiver = expected_utility(x, s, P, r[:, None, :], R, mu, cfg.q, cfg.t)
    return own, seen_by_receiver.transpose(0, 2, 1)


def _classify(
    x: FloatArray, a: FloatArray, b: FloatArray, pairs: BoolArray, fix: bool
) -> tuple[FloatArray, FloatArray]:
    """Offer type and destination for receiver i, from a = E^i(U_ij) and b = E(U_ji)."""
    xi, xj = x[:, :, None], x[:, None, :]
    conflict = (b > a) & (a > 0)
    compromise = (b > 0) & (a < 0) & (b > np.abs(a))
    # The replication code tests `b < abs(b)` here, which never holds (eum.md §A.4.4).
    capitulate = (b > 0) & (a < 0) & (b < np.abs(a)) if fix else np.zeros_like(conflict)
    offer = np.select(
        [pairs & conflict, pairs & compromise, pairs & capitulate],
        [CONFRONTATION, COMPROMISE, CAPITULATION],
        NONE,
    ).astype(float)
    ratio = np.divide(np.abs(a), np.abs(b), out=np.zeros_like(a), where=b != 0)
    target = np.where(offer == COMPROMISE, xi + (xj - xi) * ratio, np.broadcast_to(xj, a.shape))
    return offer, np.where(offer == NONE, np.broadcast_to(xi, a.shape), target)


def _select(
    x: FloatArray, a: FloatArray, b: FloatArray, offer: FloatArray, target: FloatArray,
    mode: Mode,
) -> FloatArray:  # fmt: skip
    """Each actor accepts at most one offer: a confrontation it loses (smallest move), else a
    compromise, else a capitulation; the update is synchronous."""
    move = np.abs(target - x[:, :, None])
    if mode == "reference":  # Scholz's code: the lowest EU-weighted average position
        weight = np.abs(a) + np.abs(b)
        key = np.divide(
            np.abs(a) * x[:, :, None] + np.abs(b) * x[:, None, :], weight,
            out=np.zeros_like(a), where=weight > 0,
        )  # fmt: skip
    else:
        key = move
    new_x = x.copy()
    chosen = np.zeros(x.shape, dtype=bool)
    for kind, rank in ((CONFRONTATION, move), (COMPROMISE, key), (CAPITULATION, move)):
        ok = (offer == kind) & ~chosen[:, :, None]
        has = ok.any(axis=2)
        pick = np.argmin(np.where(ok, rank, np.inf), axis=2)
        dest = np.take_along_axis(target, pick[:, :, None], axis=2)[:, :, 0]
        new_x = np.where(has, dest, new_x)
        chosen |= has
    return new_x


def play_round(
    x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray, cfg: Settings
) -> Round:
    """Risk pass with r = 1, then the decision pass with the new exponents (Appendix 1–11).

    ``w`` are the voting weights c·s (0 for actors without a position), ``s`` the saliences.
    """
    pairs = pair_mask(mask)
    mu = median_position(x, w, mask)
    ones = np.ones_like(x)
    P1 = _probability(x, w, ones, R, mask, cfg.mode)
    eu1 = expected_utility(x, s, P1, ones[:, :, None], R, mu, cfg.q, cfg.t)
    security = np.sum(np.where(pairs, eu1, 0.0), axis=1)  # Σ_j E(U_ji): column sums
    r = risk_exponents(security, mask)
    P = _probability(x, w, r, R, mask, cfg.mode)
    a, b = _both_views(x, s, P, r, R, mu, cfg)
    offer, target = _classify(x, a, b, pairs, cfg.fix_capitulation)
    new_x = _select(x, a, b, offer, target, cfg.mode)
    return Round(r=r, P=P, eu_i=a, eu_j=b, offer=offer, target=target, new_x=new_x)
