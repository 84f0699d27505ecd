"""Parts of the report computed in a forked child process while this process computes the rest.

The report's slowest parts (the timeline, the war analysis, the Monte Carlo of every model, the
sensitivity analysis) depend only on the scenario, the draws and the seed, so a child forked
once the forecasts are made (both processes read them; no forecast starts a thread) computes
them beside the parent's sections (on a second core) and sends
them back pickled: the report's bytes are the same wherever a part ran. The work is shared, not
split in advance: the child takes the items of ``OFFLOADED`` in order and says when it starts
one; when the parent needs an item, it takes the child's result (waiting if the child has
started it) or claims it and computes it itself. ``multipolar run`` starts the child before its
first step, so the items are computed while the other steps print.

Nothing is forked when it would be unsafe or useless: no ``os.fork``, one usable core, another
thread running (a server, a spinner), or the compiled kernels' OpenMP threads already started
(they do not survive a fork). Then, or when the child fails in any way, the parent computes
everything itself, as it always did.
"""

from __future__ import annotations

import contextlib
import os

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    from multipolar.models.api import Forecasts
    from multipolar.report.blocks import Section
    from multipolar.report.context import Context

#: what the child computes, in this order: whole sections (``section:`` and a section id) and
#: parts of the uncertainty section (``part:`` and a title of sections_uncertainty.PARTS). The
#: timeline last: the parent, busy with the brief's deal analysis meanwhile, reaches it first
#: and claims it (it needs no scipy.stats), while the child does what does
OFFLOADED = ("section:war", "part:Monte Carlo", "part:sensitivity", "section:timeline")
#: the items that need scipy.stats (about 0.7 s of CPU to load): a parent without it leaves
#: them to the child, which loads it
NEEDS_STATS = frozenset(("section:war", "part:sensitivity"))
#: what the parts leave in the context's cache that other sections read (the questions)
SHARED = ("simulations",)
ENABLED = True  # tests switch it off to compare with the report computed in one process

Key = tuple[int, int, int, "tuple[str, str] | None"]
_LEN = 8  # bytes of a frame's length
_STARTED = "started"


def _timeline(ctx: Context) -> Section:
    from multipolar.report.sections_deals import timeline_section

    return timeline_section(ctx)


def _war(ctx: Context) -> Section:
    from multipolar.report.sections_deals import war_section

    return war_section(ctx)


#: the whole sections the child may compute, by id (pure functions of the context)
SECTIONS: dict[str, Callable[[Context], Section]] = {"timeline": _timeline, "war": _war}


def _frame(name: str, value: Any) -> bytes:
    data = pickle.dumps((name, value), pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LEN, "little") + data


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass
class Job:
    """A forked child computing the ``OFFLOADED`` items of one report. Per item it sends a
    frame saying it started it, then one with the result; the parent writes the names of the
    items it computes itself to ``claims`` (the child skips an item claimed before it starts
    it)."""

    scn: Scenario  # kept so that the key's id() stays this scenario's
    forecasts: Forecasts  # of the scenario's state with the job's seed, computed before the fork
    pid: int
    fd: int  # the child's frames
    claims: int  # the parent's claims, one item name per line
    started: set[str] = field(default_factory=set)
    results: dict[str, Any] = field(default_factory=dict)
    done: bool = False

    def _read(self, wait: bool) -> bool:
        """Read one frame (waiting for it if ``wait``); False when there is none to read now
        (or ever: the child ended)."""
        if self.done:
            return False
        if not wait and not select.select([self.fd], [], [], 0)[0]:
            return False
        try:
            size = int.from_bytes(_read_exactly(self.fd, _LEN), "little")
            name, value = pickle.loads(_read_exactly(self.fd, size))
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            self._finish()
            return False
        if value == _STARTED:
            self.started.add(name)
        else:
            self.results[name] = value
        return True

    def take(self, name: str) -> tuple[Any, dict[str, Any]] | None:
        """The child's result of item ``name`` and the cache entries it shares (waited for if
        the child has started the item, or if the item needs scipy.stats and this process has
        not loaded it: the child will come to it); None, and the item claimed, if not: the
        parent computes it."""
        while self._read(wait=False):
            pass
        wait = name in NEEDS_STATS and "scipy.stats" not in sys.modules
        while name not in self.results and (wait or name in self.started) and self._read(wait=True):
            pass
        if name not in self.results and not self.done:
            with contextlib.suppress(OSError):
                os.write(self.claims, name.encode() + b"\n")
        out: tuple[Any, dict[str, Any]] | None = self.results.pop(name, None)
        return out

    def _finish(self) -> None:
        self.done = True
        for fd in (self.fd, self.claims):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError, ChildProcessError):
            os.waitpid(self.pid, 0)

    def cancel(self) -> None:
        """Stop the child (nothing more is wanted from it)."""
        if self.done:
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        self._finish()


def take_item(ctx: Context, job: Job | None, name: str) -> Any | None:
    """Item ``name`` as the child computed it (its shared cache entries added to ``ctx``), or
    None: the caller computes it."""
    got = job.take(name) if job is not None else None
    if got is None:
        return None
    value, shared = got
    for key, entry in shared.items():
        ctx.cache.setdefault(key, entry)
    return value


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


def _claimed(fd: int, claimed: set[str]) -> set[str]:
    """The items the parent has claimed so far (read without waiting)."""
    while select.select([fd], [], [], 0)[0]:
        data = os.read(fd, 1 << 16)
        if not data:
            break
        claimed.update(data.decode().split())
    return claimed


def _serve(
    scn: Scenario, forecasts: Forecasts, draws: int, seed: int, pair: tuple[str, str] | None,
    out: int, claims: int,
) -> None:  # fmt: skip
    """In the child: each offloaded item not claimed yet, as the parent would compute it (on
    one thread: the parent uses the other core; the kernels' results do not depend on it)."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.jit import set_num_threads
    from multipolar.report import sections_uncertainty as u
    from multipolar.report.context import Context

    set_num_threads(1)
    ctx = Context(scn, resolve(scn), forecasts, draws, seed, pair)
    wanted = {f"part:{title}" for title in u.planned(ctx)} | {f"section:{s}" for s in SECTIONS}
    claimed: set[str] = set()
    for name in OFFLOADED:
        if name not in wanted or name in _claimed(claims, claimed):
            continue
        _write_all(out, _frame(name, _STARTED))
        kind, what = name.split(":", 1)
        value = u.part(ctx, what) if kind == "part" else SECTIONS[what](ctx)
        shared = {k: ctx.cache[k] for k in SHARED if k in ctx.cache}
        _write_all(out, _frame(name, (value, shared)))


def _warm() -> None:
    """Load, once before the fork, what both processes would otherwise each load: scipy.optimize
    (the deals). Nothing starts a thread. (The forecasts, computed before it, have loaded numba
    and the kernels they use.)"""
    import scipy.optimize  # noqa: F401


def _warm_stats() -> None:
    """Load scipy.stats (the war analysis, SALib) before the fork too: for a parent that needs
    it itself (``multipolar run``'s war step). A report alone leaves it to the child, whose
    items (the war section, the sensitivity analysis) are the only ones that need it."""
    import scipy.stats  # noqa: F401


#: the child's pipe holds this much: its results (the Monte Carlo's draws ~0.5 MB) are sent
#: without waiting for the parent to read them, so the child goes on to its next item
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """Make the pipe ``fd`` writes to hold ``PIPE_BYTES`` (Linux; no more than the system's
    limit allows; elsewhere the child waits for the parent to read a large result)."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:  # pragma: no cover - not Linux
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setsize, PIPE_BYTES)


def start(
    scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None, *, stats: bool = False
) -> Job | None:
    """Fork a child computing the offloaded items of the report of ``scn`` with these
    settings (``stats``: with scipy.stats loaded first, for both); None when forking is unsafe
    or useless here."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all

    if not _safe():
        return None
    # the forecasts first: both processes need them (and what loading their kernels loads)
    forecasts = forecast_all(resolve(scn), seed=seed)
    if not _safe():  # pragma: no cover - no forecast starts a thread today
        return None
    _warm()
    if stats:
        _warm_stats()
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    _widen(write)
    claims_read, claims_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit code
        code = 1
        try:
            os.close(read)
            os.close(claims_write)
            _serve(scn, forecasts, draws, seed, pair, write, claims_read)
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(write)
    os.close(claims_read)
    return Job(scn, forecasts, pid, read, claims_write)


def prefetch(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> None:
    """``start`` the child of a report to be built later in this process (``take`` hands it
    over)."""
    key = _key(scn, draws, seed, pair)
    if key not in _JOBS:
        job = start(scn, draws, seed, pair, stats=True)  # the other steps need scipy.stats
        if job is not None:
            _JOBS[key] = job


def take(scn: Scenario, draws: int, seed: int, pair: tuple[str, str] | None) -> Job | None:
    """The job ``prefetch`` started for these settings (no longer pending), if any."""
    job = _JOBS.pop(_key(scn, draws, seed, pair), None)
    if job is not None and job.scn is not scn:  # another scenario at a reused address
        job.cancel()
        return None
    return job


def cancel_all() -> None:
    """Stop every pending child (e.g. ``multipolar run`` stopped before its report)."""
    while _JOBS:
        _JOBS.popitem()[1].cancel()
