"""Subpackages that are also the Python API's functions of the same name.

``multipolar.deals``, ``multipolar.war`` and ``multipolar.report`` are packages, and Python
binds a package to its parent's attribute as soon as anything imports it, which would hide a
top-level function of the same name. So these packages are made callable: ``multipolar.deals
(scn)`` calls :func:`multipolar.api.deals` whether or not the package has been imported, and
``multipolar.deals.analysis`` stays the module it always was. (Static type checkers do not see
the call; ``from multipolar.api import deals`` is the typed spelling.)
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    _api_name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from multipolar import api

        return getattr(api, self._api_name)(*args, **kwargs)


def make_callable(module_name: str, api_name: str) -> None:
    """Let the module ``module_name`` be called as ``multipolar.api.<api_name>``."""
    module = sys.modules[module_name]
    module.__class__ = _CallableModule
    module._api_name = api_name  # type: ignore[attr-defined]
