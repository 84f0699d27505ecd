"""The run store: every run's scenario, parameters, seed, package version and results, kept
through SQLAlchemy in an SQLite file (default) or a PostgreSQL database (by URL)."""

from multipolar.store.db import DEFAULT_FILE, ENV_VAR, connect, default_url, resolve_url
from multipolar.store.runs import (
    RunRecord,
    canonical_json,
    diff_runs,
    get_run,
    list_runs,
    save_run,
    scenario_hash,
)

__all__ = [
    "DEFAULT_FILE",
    "ENV_VAR",
    "RunRecord",
    "canonical_json",
    "connect",
    "default_url",
    "diff_runs",
    "get_run",
    "list_runs",
    "resolve_url",
    "save_run",
    "scenario_hash",
]
