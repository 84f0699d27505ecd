"""The console script ends as ``sys.exit`` would (status, atexit handlers, flushed output)
without the interpreter's teardown (multipolar/cli_exit.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from multipolar.cli_exit import status_of

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "scenarios" / "ukraine_2025_08.yaml"
MAIN = "import sys; sys.argv[0] = 'multipolar'; from multipolar.cli import main; main()"


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (True, 1), (256 + 3, 3)])
def test_status_is_that_of_sys_exit(code: int | None, status: int) -> None:
    assert status_of(code) == status


def test_a_message_is_printed_with_status_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert status_of("went wrong") == 1
    assert capsys.readouterr().err == "went wrong\n"


def test_leave_runs_atexit_handlers_and_flushes_output() -> None:
    done = _python(
        "import atexit, sys\n"
        "from multipolar.cli_exit import leave\n"
        "atexit.register(lambda: print('handler ran', end=''))\n"
        "print('partial line, not flushed ', end='')\n"
        "sys.stderr.write('to stderr')\n"
        "leave(3)\n"
    )
    assert done.returncode == 3
    assert done.stdout == "partial line, not flushed handler ran"
    assert done.stderr == "to stderr"


def test_leave_waits_for_a_running_thread() -> None:
    done = _python(
        "import threading, time\n"
        "from multipolar.cli_exit import leave\n"
        "t = threading.Thread(target=lambda: (time.sleep(0.2), print('thread finished')))\n"
        "t.start()\n"
        "leave(None)\n"
    )
    assert done.returncode == 0
    assert done.stdout == "thread finished\n"


def test_the_console_script_prints_everything_and_keeps_its_status(tmp_path: Path) -> None:
    done = _python(MAIN, "validate", str(CASE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{CASE}: valid: 5 actors")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nactors: [\n", encoding="utf-8")
    failed = _python(MAIN, "validate", str(bad))
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1
    assert str(bad) in failed.stderr
    assert "Traceback" not in failed.stderr


def test_a_written_file_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "forecast.json"
    done = _python(MAIN, "forecast", str(CASE), "-m", "compromise", "--format", "json", "-o",
                   str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    in_process = subprocess.run(
        [sys.executable, "-c", MAIN.replace("main()", "app()").replace("import main", "import app"),
         "forecast", str(CASE), "-m", "compromise", "--format", "json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert out.read_text(encoding="utf-8") == in_process.stdout
