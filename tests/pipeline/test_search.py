"""The search's words when it stops."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from sweep.pipeline.search import failure_hint


@pytest.mark.slow
def test_out_of_memory_hint() -> None:
    study = optuna.create_study()
    for _ in range(2):
        trial = study.ask()
        trial.set_user_attr("run_id", "r")
        trial.set_user_attr("fail_reason", "OutOfMemoryError: CUDA out of memory. Tried ...")
        study.tell(trial, state=TrialState.FAIL)
    assert "lower space.batch" in failure_hint(study, "r")
