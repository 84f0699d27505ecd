"""Tables of results for pandas users: every result's ``to_frame()`` goes through here, so each
result is one tidy table (one row per thing, one column per measure) built the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def records(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame of one row per record (columns in first-seen order)."""
    import pandas as pd

    return pd.DataFrame.from_records(list(rows))


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as dotted paths: {"a": {"b": [1, 2]}} -> {"a.b[0]": 1, ...}."""
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def key_values(data: Mapping[str, Any]) -> pd.DataFrame:
    """A nested result as two columns, ``path`` and ``value``."""
    return records({"path": k, "value": v} for k, v in flatten(data).items())
