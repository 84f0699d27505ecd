"""`python -m multipolar.models.warm` (run by make after installing): builds each model's
compiled kernels by running it on its compiled path, and refuses unknown models in one line."""

from __future__ import annotations

import pytest

from multipolar.models import warm
from multipolar.models.smp import switch


def test_unknown_model_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert warm.main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown model 'nope'" in err
    assert "fix: use one of eum, smp, exchange" in err


def test_smp_build_takes_the_compiled_path_and_restores_the_switch() -> None:
    import sys

    assert warm.build("smp") >= 0.0
    assert "multipolar.models.smp.compiled.contests" in sys.modules  # the kernels ran
    assert switch.COMPILED is None


def test_every_model_with_kernels_is_registered() -> None:
    from multipolar.models import get

    for model in warm.MODELS:
        assert get(model).name == model


def test_load_compiled_makes_small_work_take_the_compiled_paths() -> None:
    """What a server worker does at start: afterwards small work runs compiled, with the numbers
    of the numpy paths."""
    import multipolar
    from multipolar.models.eum import _round_functions, _step_numpy

    ukraine = multipolar.load("scenarios/ukraine_2025_08.yaml")
    warm.load_compiled()
    assert _round_functions(1)[0] is not _step_numpy
    assert switch.use_compiled("proportional", 1)
    compiled = multipolar.forecast(ukraine, "smp").as_dict()
    switch.COMPILED = False
    try:
        assert multipolar.forecast(ukraine, "smp").as_dict() == compiled
    finally:
        switch.COMPILED = None
