"""Presenting results: console tables and machine-readable outputs."""

from multipolar._callable import make_callable

make_callable(__name__, "report")  # multipolar.report(...) is multipolar.api.report(...)
