"""Where Monte Carlo draws run: in this process, in local worker processes, or as Ray tasks.

Draws are split into fixed chunks whose boundaries and seeds depend only on the number of draws
and the run's seed, never on the backend or the number of workers, and every chunk is a pure
function of its inputs. The same seed therefore gives the same results, bit for bit, on every
backend (tested).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

from multipolar.errors import UsageError

CHUNK = 2048  # draws per task

T = TypeVar("T")


class Backend(StrEnum):
    local = "local"
    ray = "ray"


def chunks(draws: int, size: int = CHUNK) -> list[slice]:
    """Fixed chunks of ``draws``; independent of the backend and the worker count."""
    return [slice(i, min(draws, i + size)) for i in range(0, draws, size)]


def chunk_seed(seed: int, index: int) -> int:
    """The seed of chunk ``index`` of a run seeded ``seed``."""
    import numpy as np

    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


Progress = Callable[[int], None]  # called with the number of draws just finished


def run_tasks(
    func: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    sizes: Sequence[int],
    *,
    backend: Backend | str = Backend.local,
    workers: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
) -> list[T]:
    """``func(*task)`` for every task, results in task order."""
    backend = Backend(backend)
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if address is not None and backend is not Backend.ray:
        raise UsageError("--address is for --backend ray; fix: add --backend ray")
    tick = progress or (lambda _n: None)
    if backend is Backend.ray:
        return _ray(func, tasks, sizes, workers, address, tick)
    if workers == 1 or len(tasks) == 1:
        out = []
        for task, size in zip(tasks, sizes, strict=True):
            out.append(func(*task))
            tick(size)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: dict[int, T] = {}
    # spawn, not fork: the numba kernels start OpenMP threads, which do not survive a fork
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(func, *task): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            tick(sizes[i])
    return [results[i] for i in range(len(tasks))]


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in one line, fast, when nothing listens at a HOST:PORT address (Ray itself retries
    for minutes). Other forms (``auto``, no port) are left to Ray."""
    import socket

    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout).close()
    except OSError as exc:
        raise UsageError(
            f"--address {address}: nothing answers there ({exc.strerror or exc}); "
            "fix: start the cluster (ray start --head) or check the address"
        ) from None


def map_chunks(
    func: Callable[..., T],
    values: dict[str, Any],
    draws: int,
    seed: int,
    args: tuple[Any, ...] = (),
    *,
    backend: Backend | str = Backend.local,
    workers: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
) -> list[T]:
    """``func(chunk_values, size, chunk_seed, *args)`` for every fixed chunk of the drawn
    ``values`` (arrays of length ``draws`` by path), results in chunk order."""
    parts = chunks(draws)
    sizes = [part.stop - part.start for part in parts]
    tasks = [
        ({path: v[part] for path, v in values.items()}, sizes[i], chunk_seed(seed, i), *args)
        for i, part in enumerate(parts)
    ]
    return run_tasks(
        func, tasks, sizes, backend=backend, workers=workers, address=address, progress=progress
    )


@contextmanager
def _ray_session(workers: int, address: str | None) -> Iterator[Any]:
    try:
        import ray
    except ImportError:
        raise UsageError("--backend ray needs Ray; fix: pip install 'multipolar[ray]'") from None
    started = False
    if address is not None and not ray.is_initialized():
        _reachable(address)
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
        if address is None:
            kwargs.update(num_cpus=max(workers, 1), include_dashboard=False)
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(
                f"--address {address}: cannot connect to Ray ({first}); fix: check the address; "
                "for a cluster with token authentication set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN"
            ) from None
        started = True
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def _ray(
    func: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    sizes: Sequence[int],
    workers: int,
    address: str | None,
    tick: Progress,
) -> list[T]:
    with _ray_session(workers, address) as ray:
        remote = ray.remote(func)
        refs = [remote.remote(*task) for task in tasks]
        index = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                tick(sizes[index[ref]])
        return list(ray.get(refs))


@contextmanager
def progress_bar(label: str, total: int, *, quiet: bool) -> Iterator[Progress]:
    """A rich progress bar on stderr (draws done of ``total``); silent when ``quiet`` or when
    stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda _n: None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
