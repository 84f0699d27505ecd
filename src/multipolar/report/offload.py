"""Parts of the report computed in a forked child process while this process computes the rest.

The report's slowest parts (the Monte Carlo of every model and the sensitivity analysis) depend
only on the scenario, the draws and the seed, so a child forked before any model runs computes
them beside the parent's sections (on a second core) and sends their blocks back pickled: the
report's bytes are the same wherever a part ran. ``multipolar run`` starts the child before its
first step, so the parts are computed while the other steps print.

Nothing is forked when it would be unsafe or useless: no ``os.fork``, one usable core, another
thread running (a server, a spinner), or the compiled kernels' OpenMP threads already started
(they do not survive a fork). Then, or when the child fails in any way, the parent computes the
parts itself, as it always did.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from multipolar.scenario.schema import Scenario

#: the uncertainty section's parts computed in the child (sections_uncertainty.PARTS); the deal
#: feasibility stays in the parent, which solves the same draws for the verdict anyway
OFFLOADED = ("Monte Carlo", "sensitivity")
#: what the parts leave in the context's cache that other sections read (the questions)
SHARED = ("simulations",)
ENABLED = True  # tests switch it off to compare with the report computed in one process

Key = tuple[int, int, int, "tuple[str, str] | None"]


@dataclass
class Job:
    """A forked child computing the offloaded parts of one report."""

    scn: Scenario  # kept so that the key's id() stays this scenario's
    pid: int
    fd: int
    done: bool = field(default=False)

    def collect(self) -> dict[str, Any]:
        """The child's cache entries (``part:TITLE`` blocks and ``SHARED``); empty if it
        failed, in which case the parent computes the parts itself."""
        if self.done:
            return {}
        self.done = True
        try:
            with os.fdopen(self.fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            return {}
        if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return {}
        try:
            out: dict[str, Any] = pickle.loads(data)
        except Exception:
            return {}
        return out

    def cancel(self) -> None:
        """Stop the child (its results are not wanted)."""
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ChildProcessError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


_JOBS: dict[Key, Job] = {}


def _key(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> Key:
    return (id(scn), draws, seed, pair)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _openmp_started() -> bool:
    """Whether numba's parallel kernels have started their threads in this process."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return bool(getattr(parallel, "_is_initialized", False)) if parallel is not None else False


def _safe() -> bool:
    return (
        ENABLED
        and hasattr(os, "fork")
        and _cores() >= 2
        and threading.active_count() == 1
        and not _openmp_started()
    )


def _compute(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> dict[str, Any]:
    """In the child: the offloaded parts, as the parent's sections would compute them (on one
    thread: the parent uses the other core; the kernels' results do not depend on it)."""
    import numba

    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all
    from multipolar.report import sections_uncertainty as u
    from multipolar.report.context import Context

    numba.set_num_threads(1)
    state = resolve(scn)
    ctx = Context(scn, state, forecast_all(state, seed=seed), draws, seed, pair)
    out: dict[str, Any] = {}
    for title in u.planned(ctx):
        if title in OFFLOADED:
            out[f"part:{title}"] = u.part(ctx, title)
    out.update({name: ctx.cache[name] for name in SHARED if name in ctx.cache})
    return out


def prefetch(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> None:
    """``start`` the child of a report to be built later (``take`` hands it over)."""
    key = _key(scn, draws, seed, pair)
    if key not in _JOBS:
        job = start(scn, draws, seed, pair)
        if job is not None:
            _JOBS[key] = job


def _warm() -> None:
    """Load, once before the fork, what both processes would otherwise each load: scipy.stats
    (the war analysis here, SALib there), scipy.optimize, numba with the models' kernels and
    the registries numba loads with the first compiled kernel taken from its cache. Nothing
    starts a thread."""
    import scipy.optimize
    import scipy.stats  # noqa: F401
    from numba.core.registry import cpu_target

    import multipolar.models.eum.kernel
    import multipolar.models.exchange.run  # noqa: F401

    cpu_target.target_context.refresh()


def start(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> Job | None:
    """Fork a child computing the offloaded parts of the report of ``scn`` with these
    settings; None when forking is unsafe or useless here."""
    if not _safe():
        return None
    _warm()
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit code
        code = 1
        try:
            os.close(read)
            data = pickle.dumps(_compute(scn, draws, seed, pair), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(write)
    return Job(scn, pid, read)


def take(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> Job | None:
    """The job started for these settings (removed from the pending ones), if any."""
    job = _JOBS.pop(_key(scn, draws, seed, pair), None)
    if job is not None and job.scn is not scn:  # another scenario at a reused address
        job.cancel()
        return None
    return job


def cancel_all() -> None:
    """Stop every pending child (e.g. ``multipolar run`` stopped before its report)."""
    while _JOBS:
        _JOBS.popitem()[1].cancel()
