"""Coalitions: alignment and blocs over time, wedges, pivotal actors and who can mediate.

Modules: ``alignment`` (alignment, cohesion, blocs), ``blocs`` (blocs at every revision
point), ``wedge``, ``shapley`` (pivotal actors), ``mediators`` (bridge scores) and ``analysis``
(the whole analysis). See docs/models/coalitions.md. ``multipolar.coalitions(scn)`` is
:func:`multipolar.api.coalitions` (the package is callable, like ``multipolar.deals``).
"""

from multipolar._callable import make_callable

make_callable(__name__, "coalitions")  # multipolar.coalitions(...) is multipolar.api.coalitions
