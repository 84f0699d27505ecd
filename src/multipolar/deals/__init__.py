"""Multi-issue deals: bargaining solutions, package spaces, acceptance and what it would take."""

from multipolar.deals.shares import (
    baron_ferejohn_share,
    rubinstein_share,
    rubinstein_share_continuous,
    unanimity_share,
)

__all__ = [
    "baron_ferejohn_share",
    "rubinstein_share",
    "rubinstein_share_continuous",
    "unanimity_share",
]

from multipolar._callable import make_callable

make_callable(__name__, "deals")  # multipolar.deals(...) is multipolar.api.deals(...)
