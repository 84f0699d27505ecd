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
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import Request

from multipolar.server.jobs import call, run_job
from multipolar.server.limits import LimitError, Limits
from multipolar.server.pool import Token, WorkerPool, unpack
from multipolar.server.whatif import MAX_BATCH

POLL = 0.25  # seconds between checks that the client is still there
CACHE_SIZE = 256
#: jobs whose waiting requests are answered together by one job (``server.whatif``)
BATCHED = {"forecast": "forecast_batch"}


@dataclass
class _Queued:
    """A request waiting to join a batch: its job's arguments, answer and deadline."""

    args: tuple[Any, ...]
    future: Future[Any]
    deadline: float


@dataclass
class _Flight:
    future: Future[Any]
    token: Token
    waiters: int = 0
    key: str | None = None
    done: bool = field(default=False)
    func: str = ""


def request_key(func: str, body: Any) -> str:
    """A request's identity: the job and its canonical JSON body."""
    text = body.model_dump_json() if hasattr(body, "model_dump_json") else repr(body)
    return func + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _settle_future(
    future: Future[Any], *, result: Any = None, exc: Exception | None = None
) -> None:
    """Answer ``future`` unless it was cancelled (its client left) or answered already."""
    with contextlib.suppress(InvalidStateError):
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)


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


async def _gone(request: Request) -> None:
    """Return once the request's client has disconnected. The body has been read, so the
    server's next message is the disconnect: waited for, not polled (no work per request while
    it waits). A stand-in without ``receive`` (tests) is polled with ``is_disconnected``."""
    receive = getattr(request, "receive", None)
    if receive is None:
        while not await request.is_disconnected():
            await asyncio.sleep(POLL)
        return
    while (await receive()).get("type") != "http.disconnect":
        await asyncio.sleep(POLL)  # not expected once the body is read: never spin


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
        self._queued: dict[str, list[_Queued]] = {name: [] for name in BATCHED}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        else:
            self.threads.shutdown(wait=False, cancel_futures=True)

    def _run(self, func: str, args: tuple[Any, ...], deadline: float, token: Token) -> Any:
        if self.pool is None:
            return call(func, args)
        return self.pool.run(func, args, deadline, token)

    # batches: every queued request of a batched job gets a driver thread, which waits for a
    # worker and then takes whatever is queued (up to MAX_BATCH, oldest first); a driver that
    # finds the queue empty (its request went in another batch) hands the worker back
    def _take(self, func: str, taken: list[_Queued]) -> tuple[str, tuple[Any, ...], float] | None:
        with self._lock:
            queue = self._queued[func]
            taken += queue[:MAX_BATCH]
            del queue[:MAX_BATCH]
        if not taken:
            return None
        _, limits, db_url = taken[0].args
        reqs = [item.args[0] for item in taken]
        return BATCHED[func], (reqs, limits, db_url), min(item.deadline for item in taken)

    def _drive(self, func: str, mine: _Queued) -> None:
        taken: list[_Queued] = []
        try:
            if self.pool is None:
                job = self._take(func, taken)
                answers = None if job is None else unpack(run_job(job[0], job[1]))
            else:
                answers = self.pool.run_with(
                    lambda: self._take(func, taken), mine.deadline, Token()
                )
        except Exception as exc:  # the batch failed as a whole (time limit, busy, worker died)
            if not taken and self._unqueue(func, mine.future):
                taken = [mine]  # no worker came free for it: it fails alone
            for item in taken:
                _settle_future(item.future, exc=exc)
            return
        for item, answer in zip(taken, answers or [], strict=True):
            try:
                _settle_future(item.future, result=unpack(answer))
            except Exception as exc:  # the request's own one-line error
                _settle_future(item.future, exc=exc)

    def _unqueue(self, func: str, future: Future[Any]) -> bool:
        """Take a request out of its queue (its client left, or it cannot be run)."""
        with self._lock:
            queue = self._queued.get(func, [])
            for index, item in enumerate(queue):
                if item.future is future:
                    del queue[index]
                    return True
        return False

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
                if func in BATCHED:
                    item = _Queued(args, Future(), deadline)
                    self._queued[func].append(item)
                    self.threads.submit(self._drive, func, item)
                    future = item.future
                else:
                    future = self.threads.submit(self._run, func, args, deadline, token)
                flight = _Flight(future, token, key=key, func=func)
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
        gone = asyncio.ensure_future(_gone(request))
        try:
            done, _ = await asyncio.wait({waiter, gone}, return_when=asyncio.FIRST_COMPLETED)
            if waiter in done:
                return waiter.result()
            raise LimitError("the client disconnected; the analysis was stopped", 503)
        finally:
            gone.cancel()
            with self._lock:
                flight.waiters -= 1
                orphan = flight.waiters == 0 and not flight.future.done()
                if orphan and flight.key is not None:
                    self._flights.pop(flight.key, None)
            if orphan:  # nobody waits for it any more: stop it now
                self._unqueue(flight.func, flight.future)
                flight.future.cancel()
                if self.pool is not None:
                    self.pool.cancel(flight.token)
