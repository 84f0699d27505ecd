"""Build the compiled kernels' caches before first use: ``python -m multipolar.models.warm``.

numba compiles a kernel the first time it runs with given argument types and keeps the machine
code in ``__pycache__`` beside the source; every later process loads it in a fraction of a
second. Compiling takes tens of seconds per model, so ``make`` runs this once after installing
(and whenever a kernel's source changed, the next run of that model compiles it again). Each
model's kernels are compiled in a process of their own, two at a time: the EUM's, SMP's (those
the DEU backtest and large batches use) and the exchange model's, by running each model on a
small case big enough to take its compiled path. Prints one line per model with the seconds.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from multipolar.scenario.arrays import Inputs, from_arrays

#: the models with compiled kernels, in the order they are built
MODELS = ("eum", "smp", "exchange")


#: the emission case (Bueno de Mesquita's EU emission standards, ten actors on a 4–10 scale)
EMISSION_X = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
EMISSION_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EMISSION_S = np.array([0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7])


def emission_draws(draws: int, seed: int = 0) -> Inputs:
    """``draws`` seeded perturbations of the emission case (positions ±0.5, capabilities
    ×0.8–1.2, saliences ±0.05): the batch that warms the kernels, benches and tests them."""
    rng = np.random.default_rng(seed)
    return from_arrays(
        np.clip(EMISSION_X + rng.normal(0, 0.5, (draws, 1, 10)), 4, 10),
        EMISSION_C * rng.uniform(0.8, 1.2, (draws, 1, 10)),
        np.clip(EMISSION_S + rng.normal(0, 0.05, (draws, 1, 10)), 0, 1),
        lo=4,
        hi=10,
    )


def load_compiled() -> None:
    """Load every model's compiled kernels in this process, so that from now on small work
    takes the compiled paths too (the same numbers, bit for bit; a long-lived process such as a
    server worker pays the loading once and saves on every call)."""
    import multipolar.models.eum.kernel
    import multipolar.models.exchange.run
    import multipolar.models.smp.compiled  # noqa: F401


def build(model: str) -> float:
    """Run ``model`` on its compiled path (compiling and caching its kernels if needed); the
    seconds it took."""
    from multipolar.models import get

    start = time.perf_counter()
    spec = get(model)
    if model == "smp":
        from multipolar.models.smp import switch

        switch.COMPILED = True  # every call compiled, whatever its size
        try:
            spec.run(emission_draws(4))
        finally:
            switch.COMPILED = None
    elif model == "eum":
        spec.run(emission_draws(200))  # 200 × 10³ per round: above the EUM's KERNEL_WORK
    else:
        spec.run(emission_draws(1))  # one run records its exchanges
        spec.run(emission_draws(4))  # a batch does not
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    models = list(argv if argv is not None else sys.argv[1:]) or list(MODELS)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        print(f"multipolar.models.warm: unknown model {unknown[0]!r}; fix: use one of "
              f"{', '.join(MODELS)}", file=sys.stderr)  # fmt: skip
        return 2
    with ProcessPoolExecutor(max_workers=2) as pool:
        for model, seconds in zip(models, pool.map(build, models), strict=True):
            print(f"compiled kernels of {model}: ready ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
