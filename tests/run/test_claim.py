"""Claiming trials: a sampler that fails in ask() leaves no trial running."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sweep.config.plan import Plan
from sweep.run.claim import SamplerFailed, ask_trial
from sweep.testing.fakes import BrokenSampler


def test_a_trial_whose_sampler_fails_in_ask_is_closed_not_left_running(tmp_path: Path) -> None:
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}", sampler=BrokenSampler())
    plan = Plan(config={"space": {"x": {"low": 0.0, "high": 1.0}}, "train": {}}, study_name="s",
                storage_url="", study_dir=str(tmp_path), data_yaml="", model="", run_id="r")
    with pytest.raises(SamplerFailed):
        ask_trial(study, plan, "cpu#0")
    (trial,) = study.get_trials()
    assert trial.state == TrialState.FAIL
    assert "asking the sampler failed: ImportError" in trial.user_attrs["fail_reason"]
