"""Leaving the process once a command has finished, without the interpreter's teardown.

At exit CPython frees every module and object one by one; after a command that loaded numba's
compiled kernels, scipy and plotly that alone took 0.3-0.6 s of CPU (and of the wait) on the
2-core machine, for nothing: the process ends anyway. So the console script ends as
``sys.exit`` would (the same status, the ``atexit`` handlers run, the output flushed) and then
calls ``os._exit``. With another thread still running the usual exit is kept, as it waits for
non-daemon threads. Nothing else is lost: every file the commands write is closed when written.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

#: the status Python itself exits with when it cannot flush standard output at exit
FLUSH_FAILED = 120


def status_of(code: str | int | None) -> int:
    """The status ``sys.exit(code)`` ends the process with (a message for anything else than
    None or an int is printed to stderr, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code) & 0xFF
    print(code, file=sys.stderr)
    return 1


def leave(code: str | int | None) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, without freeing everything first."""
    if threading.active_count() > 1:
        sys.exit(code)
    status = status_of(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or FLUSH_FAILED
    os._exit(status)


def run(app: object) -> NoReturn:
    """Run the console script's ``app`` (a Typer app: it ends with ``SystemExit``) and leave."""
    try:
        app()  # type: ignore[operator]
    except SystemExit as done:
        leave(done.code if isinstance(done.code, str | int | None) else str(done.code))
    leave(0)
