"""A bounded pool of worker processes for the server's analyses, with a hard time limit.

Each analysis request runs in one of ``size`` worker processes, so that the server's own
process stays free for cheap requests (``/api/meta``, the page, saved runs) however long an
analysis takes. A request waits for a free worker at most until its deadline; a request still
computing at its deadline, or whose client has gone, has its worker killed (and replaced): the
computation stops at once, wherever it is, and the request is answered 503 with one line.

Workers start from a fork server that has already imported the analyses, so a replacement is
ready in a fraction of a second. Everything crossing the pipe is pickled: the job is a
module-level function of :mod:`multipolar.server.jobs` and its arguments (request bodies,
limits), the answer is JSON-ready data or ``(status, lines)`` of a one-line error.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from multipolar.server.limits import LimitError

Job = Callable[..., Any]
#: imported once by the fork server, so that a new worker starts with them loaded
PRELOAD = [
    "multipolar.server.jobs",
    "multipolar.dynamics.apply",
    "multipolar.dynamics.timeline",
    "multipolar.deals.analysis",
    "multipolar.uncertainty.feasibility",
]


class WorkerError(LimitError):
    """An analysis that failed in a worker with a one-line error (HTTP ``status``)."""

    def __init__(self, lines: list[str], status: int) -> None:
        super().__init__(lines[0] if lines else "error", status)
        self._lines = lines or ["error"]

    def lines(self) -> list[str]:
        return list(self._lines)


class Cancelled(Exception):  # noqa: N818 - not an error: the client went away
    """The request's client disconnected; its computation was stopped."""


@dataclass
class Token:
    """One request's cancellation: set by the server when its client disconnects."""

    event: threading.Event = field(default_factory=threading.Event)
    worker: _Worker | None = None


@dataclass
class _Worker:
    process: Any
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.process.pid is not None:
                os.kill(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


def _serve(conn: Connection) -> None:
    """A worker's loop: run each job it is sent, send back its answer. One thread each for
    the compiled kernels: the pool's processes are the parallelism (no oversubscription)."""
    os.environ["NUMBA_NUM_THREADS"] = "1"
    from multipolar.server.jobs import run_job

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        func, args = message
        conn.send(run_job(func, args))


def busy(seconds: float) -> LimitError:
    return LimitError(
        f"server busy: no worker came free within this request's time limit of {seconds:g} s; "
        "fix: try again shortly",
        503,
    )


def too_slow(seconds: float) -> LimitError:
    return LimitError(
        f"the analysis ran past this server's time limit of {seconds:g} s and was stopped; "
        "fix: ask for less (fewer draws, models, rounds or events), or use the command line",
        503,
    )


class WorkerPool:
    """``size`` worker processes; at most ``max_queue`` requests waiting or running."""

    def __init__(self, size: int, max_queue: int, time_limit: float) -> None:
        self.size = size
        self.max_queue = max_queue
        self.time_limit = time_limit
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._all: list[_Worker] = []
        self._pending = 0
        self.threads = ThreadPoolExecutor(max_workers=max_queue, thread_name_prefix="analysis")

    # processes
    def _context(self) -> Any:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx

    def _spawn(self) -> _Worker:
        ctx = self._context()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child,), daemon=True, name="multipolar-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _ensure_started(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._spawn())

    def warm_up(self) -> None:
        """Start the workers and run a small forecast in each (imports, compiled kernels)."""
        self._ensure_started()
        workers = [self._idle.get() for _ in range(self.size)]
        for worker in workers:
            worker.conn.send(("warm_up", ()))
        for worker in workers:
            with contextlib.suppress(EOFError, OSError):
                worker.conn.recv()
            self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        self.threads.shutdown(wait=False, cancel_futures=True)

    # running a job (in one of self.threads: every wait below blocks without polling)
    def run(self, func: str, args: tuple[Any, ...], deadline: float, token: Token) -> Any:
        """``jobs.func(*args)`` in a worker; ``LimitError`` 503 past ``deadline`` (a
        ``time.monotonic()`` value), ``Cancelled`` once ``token`` is set."""
        return self.run_with(lambda: (func, args, deadline), deadline, token)

    def run_with(
        self,
        take: Callable[[], tuple[str, tuple[Any, ...], float] | None],
        deadline: float,
        token: Token,
    ) -> Any:
        """As ``run``, but the job is chosen once a worker is free: ``take()`` gives ``(func,
        args, deadline)``, or None when nothing is left to do (the worker goes back, and the
        answer is None). ``deadline`` bounds the wait for a worker."""
        with self._lock:
            if self._pending >= self.max_queue:
                raise busy(self.time_limit)
            self._pending += 1
        try:
            self._ensure_started()
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise busy(self.time_limit) from None
            job = take()
            if job is None:
                self._idle.put(worker)
                return None
            func, args, until = job
            return self._on(worker, func, args, until, token)
        finally:
            with self._lock:
                self._pending -= 1

    def _on(
        self, worker: _Worker, func: str, args: tuple[Any, ...], deadline: float, token: Token
    ) -> Any:
        token.worker = worker  # from here on, cancel() kills this worker
        healthy = False
        try:
            if token.event.is_set():
                raise Cancelled
            try:
                worker.conn.send((func, args))
                ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
                if token.event.is_set():
                    raise Cancelled
                if not ready:
                    raise too_slow(self.time_limit)
                answer = worker.conn.recv()
            except (EOFError, OSError):
                if token.event.is_set():
                    raise Cancelled from None
                raise LimitError(
                    "the analysis stopped unexpectedly (its worker died); fix: try again, "
                    "or ask for less",
                    503,
                ) from None
            healthy = True
        finally:
            token.worker = None
            if healthy:
                self._idle.put(worker)
            else:  # killed, timed out or cancelled: a fresh worker takes its place
                self._replace(worker)
        return unpack(answer)

    def cancel(self, token: Token) -> None:
        """Stop ``token``'s computation now (its client disconnected)."""
        token.event.set()
        worker = token.worker
        if worker is not None:
            worker.kill()  # its thread sees the pipe close, and replaces the worker


def unpack(answer: tuple[Any, ...]) -> Any:
    """A worker's answer (``jobs.run_job``) as a result, or raised as its error."""
    kind = answer[0]
    if kind == "ok":
        return answer[1]
    if kind == "error":
        raise WorkerError(list(answer[2]), int(answer[1]))
    raise RuntimeError(f"analysis failed in a worker: {answer[1]}")
