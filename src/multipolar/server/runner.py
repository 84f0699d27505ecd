"""How the server runs an analysis request: from a cache of recent answers, by joining an
identical request already computing, or in the worker pool, while watching for the client
leaving (its computation is then stopped, unless another identical request still waits).

The analyses are deterministic (same scenario, edits, settings and seed: same answer), so an
answer computed once serves every identical request that follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import Request

from multipolar.server.jobs import call
from multipolar.server.limits import LimitError, Limits
from multipolar.server.pool import Token, WorkerPool

POLL = 0.25  # seconds between checks that the client is still there
CACHE_SIZE = 256


@dataclass
class _Flight:
    future: Future[Any]
    token: Token
    waiters: int = 0
    key: str | None = None
    done: bool = field(default=False)


def request_key(func: str, body: Any) -> str:
    """A request's identity: the job and its canonical JSON body."""
    text = body.model_dump_json() if hasattr(body, "model_dump_json") else repr(body)
    return func + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _settle(source: Future[Any], waiter: asyncio.Future[Any]) -> None:
    if waiter.done():
        return
    if source.cancelled():
        waiter.cancel()
    elif source.exception() is not None:
        waiter.set_exception(source.exception())  # type: ignore[arg-type]
    else:
        waiter.set_result(source.result())


def _waiter(source: Future[Any]) -> asyncio.Future[Any]:
    """An asyncio future of the running loop that follows ``source`` (and that a closed loop
    ignores, unlike ``asyncio.wrap_future``, whose cancellation would cancel ``source``)."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[Any] = loop.create_future()

    def done(f: Future[Any]) -> None:
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(_settle, f, waiter)

    source.add_done_callback(done)
    return waiter


class Runner:
    """Runs jobs for one app (see the module docstring)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pool = (
            WorkerPool(limits.workers, limits.max_queue, limits.max_seconds)
            if limits.workers > 0
            else None
        )
        self.threads = (
            self.pool.threads if self.pool else ThreadPoolExecutor(4, thread_name_prefix="inline")
        )
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        else:
            self.threads.shutdown(wait=False, cancel_futures=True)

    def _run(self, func: str, args: tuple[Any, ...], deadline: float, token: Token) -> Any:
        if self.pool is None:
            return call(func, args)
        return self.pool.run(func, args, deadline, token)

    def _finished(self, flight: _Flight, future: Future[Any]) -> None:
        with self._lock:
            if flight.key is not None and self._flights.get(flight.key) is flight:
                del self._flights[flight.key]
                if not future.cancelled() and future.exception() is None:
                    self._cache[flight.key] = future.result()
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)

    def _flight(self, func: str, args: tuple[Any, ...], key: str | None) -> _Flight:
        with self._lock:
            flight = self._flights.get(key) if key is not None else None
            new = flight is None
            if flight is None:
                token = Token()
                deadline = time.monotonic() + self.limits.max_seconds
                future = self.threads.submit(self._run, func, args, deadline, token)
                flight = _Flight(future, token, key=key)
                if key is not None:
                    self._flights[key] = flight
            flight.waiters += 1
        if new:  # outside the lock: a finished future runs the callback here and now
            flight.future.add_done_callback(partial(self._finished, flight))
        return flight

    async def __call__(
        self, request: Request, func: str, args: tuple[Any, ...], key: str | None = None
    ) -> Any:
        """The answer of ``jobs.JOBS[func](*args)``; ``key`` (see ``request_key``) lets
        identical requests share one computation and its cached answer."""
        if key is not None:
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
        flight = self._flight(func, args, key)
        waiter = _waiter(flight.future)
        try:
            while True:
                done, _ = await asyncio.wait({waiter}, timeout=POLL)
                if done:
                    return waiter.result()
                if await request.is_disconnected():
                    raise LimitError("the client disconnected; the analysis was stopped", 503)
        finally:
            with self._lock:
                flight.waiters -= 1
                orphan = flight.waiters == 0 and not flight.future.done()
                if orphan and flight.key is not None:
                    self._flights.pop(flight.key, None)
            if orphan:  # nobody waits for it any more: stop it now
                flight.future.cancel()
                if self.pool is not None:
                    self.pool.cancel(flight.token)
