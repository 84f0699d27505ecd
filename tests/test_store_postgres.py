"""The run store on PostgreSQL: the store's tests again, against a throwaway PostgreSQL cluster
started for the session (Debian's postgresql package and psycopg; skipped without them)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from multipolar.store import list_runs
from tests.conftest import VALID
from tests.test_store import (  # noqa: F401  (collected again here, with the PostgreSQL db)
    KILLER,
    counts,
    scn,
    test_diff_names_changed_parameters_scenario_paths_and_results,
    test_failed_serialisation_midway_leaves_no_record,
    test_round_trip_keeps_everything,
    test_scenarios_are_stored_once_and_runs_listed_latest_first,
)

psycopg = pytest.importorskip("psycopg")


def _bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server on a free loopback port for the session; its base URL."""
    folder = _bin()
    if folder is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
    run_as: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="multipolar-pg-", dir="/tmp"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(home, "postgres")
    port = _free_port()
    data = home / "data"

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    try:
        pg(str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        pg(str(folder / "pg_ctl"), "-D", str(data), "-w", "-l", str(home / "log"), "-o",
           f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(home, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        pg(str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def db(postgres: str) -> str:
    """A fresh database for each test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{postgres}/{name}"


def test_run_killed_midway_leaves_no_record_on_postgres(db: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), db, VALID],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert counts(db) == {"scenarios": 0, "runs": 0, "results": 0}
    assert list_runs(db) == []
