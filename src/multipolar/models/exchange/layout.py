"""The exchange model's state as flat arrays, for the compiled kernels (bargain.py, rounds.py).
Plain constants: importing this module loads no compiler (compiled.py does).

One round of one problem keeps its candidate exchanges in two tables, one row per candidate:
``ci`` (integers) and ``cf`` (floats), with the columns named below. Side 0 of a candidate is
the reference's actor *i* (supplies the pair's second issue q, demands the first issue p),
side 1 is *j* (supplies p, demands q); a per-side column is ``COLUMN + side``. Each
candidate's update map (reference §3.7 b) is ``upd[e, side, actor]`` (the position recorded for
``actor`` on that side's supply issue) with ``has[e, side, actor]`` saying whether there is one;
``F_USUM + side`` keeps the map's total shift of the weighted sum, so that an outcome with the
map applied costs O(1) from the round-start sums ``xw`` (k,) = sum of w·x per issue.

A side's move history (reference §3.5) is kept as what its checks need: the committed entries'
sum, minimum and maximum, and the current last entry (``LAST``), which a recalculation replaces.
"""

from __future__ import annotations

import numpy as np

#: the problem (x, s, w, W, xw) and a round's candidate tables (ci, cf, upd, has), as tuples
Problem = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
State = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

#: positions live on 0..100 inside the model (decide normalises every issue's scale to it)
SPAN = 100.0
#: moves and gains below this are no moves or gains (decide's floor)
FLOOR = 1e-10
#: boundary tolerance of the overshoot test and the position bounds (reference §5, "R9S")
EPS = 1e-9
#: gains are ranked rounded to this many decimals; equal rounded gains are ties (reference §5)
KEY_DECIMALS = 9

# integer columns
I_ACT = 0  # + side: the actor
I_SUP = 2  # + side: its supply issue (side 0: q, side 1: p)
I_GROUP = 4  # 0: groups a and d, 1: groups b and c
I_PAIR = 5  # index of the issue pair (p, q) in combinations order
I_VALID = 6
I_INDEX = 7  # position in the round's initial list
NI = 8

# float columns
F_XI = 0  # + side: current supply position (the round start, or moved by realised exchanges)
F_TAU = 2  # + side: target, the partner's round-start position on this side's supply issue
F_Y = 4  # + side: voting position after this exchange
F_LAST = 6  # + side: the move (the last entry of the history)
F_HSUM = 8  # + side: sum of the committed history entries
F_HMIN = 10  # + side
F_HMAX = 12  # + side
F_N0 = 14  # + side: outcome on the supply issue before this side's move
F_N1 = 16  # + side: and after
F_EU = 18  # + side: utility gain of the side
F_EUMAX = 20  # + side: REX maximum utility
F_GAIN = 22  # the equal gain (p = 0), the ranking key before rounding
F_KEY = 23  # the gain rounded to KEY_DECIMALS
F_DP = 24  # outcome shifts as decide stores them (dp: j's supply issue unless rescaled)
F_DQ = 25
F_U = 26  # REX draws
F_V = 27
F_Z = 28
F_USUM = 29  # + side: sum of w·(u - x) over the side's update map (keeps outcomes O(1))
NF = 31

# exchange record columns (one row per realised exchange)
R_ROUND = 0
R_ORDER = 1
R_GROUP = 2
R_GAIN = 3
R_DP = 4
R_DQ = 5
R_SIDE = 6  # first per-side column; side s occupies R_SIDE + s * R_PER_SIDE ...
R_ACTOR = 0  # offsets within a side's block
R_SUPPLY = 1
R_X = 2
R_MOVE = 3
R_Y = 4
R_TARGET = 5
R_SAL_SUPPLY = 6
R_SAL_DEMAND = 7
R_POWER = 8
R_EU = 9
R_N0 = 10
R_N1 = 11
R_PER_SIDE = 12
NR = R_SIDE + 2 * R_PER_SIDE

# externality columns (per actor and round): inner/outer positive/negative and own
X_IP, X_IN, X_OP, X_ON, X_OWN = 0, 1, 2, 3, 4
NX = 5
