"""Every path that closes a trial goes through one door: its artifacts hook runs before tell,
and `on_trial_end` hears the trial as the study keeps it, exactly once."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from sweep.config.plan import Plan
from sweep.core.events import Callbacks
from sweep.core.record import OOM_CONSTRAINT, Attr, Stop
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.run.telling import train_and_tell
from sweep.study.closing import close_half_asked, close_out_of_memory, close_trial
from sweep.study.orphans import close_orphans
from sweep.testing.fakes import fake_train

GONE_PID = 4_194_304 + 17  # above Linux's largest pid: no such process


class Heard:
    """Callbacks that record what the close path told them."""

    def __init__(self) -> None:
        self.callbacks = Callbacks()
        self.closing: list[tuple[int, TrialState, bool]] = []
        self.ended: list[FrozenTrial] = []
        self.callbacks.add("on_trial_closing", self._closing)
        self.callbacks.add("on_trial_end", self.ended.append)

    def _closing(self, trial: optuna.Trial, state: TrialState) -> None:
        # still running: Optuna takes artifacts now, and no longer once it is told
        running = trial.study.get_trials(deepcopy=False)[trial.number].state == TrialState.RUNNING
        self.closing.append((trial.number, state, running))


def _running(study: optuna.Study, **attrs: Any) -> optuna.Trial:
    trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    for key, value in attrs.items():
        trial.set_user_attr(key, value)
    return trial


def _assert_closed_once(heard: Heard, number: int, state: TrialState) -> FrozenTrial:
    assert heard.closing == [(number, state, True)]
    assert [t.number for t in heard.ended] == [number]
    frozen = heard.ended[0]
    assert frozen.state == state  # the trial as the study keeps it, after tell
    assert OOM_CONSTRAINT in frozen.constraints
    return frozen


def test_a_finished_trial() -> None:
    study, heard = optuna.create_study(direction="maximize"), Heard()
    trial = _running(study)
    close_trial(study, trial, TrialState.COMPLETE, 0.5, attrs={Attr.EPOCHS_RUN: 3},
                callbacks=heard.callbacks)
    frozen = _assert_closed_once(heard, trial.number, TrialState.COMPLETE)
    assert frozen.value == 0.5 and frozen.user_attrs[Attr.EPOCHS_RUN] == 3
    assert frozen.constraints[OOM_CONSTRAINT] == 0.0


def test_a_trial_out_of_memory_is_infeasible_with_the_worst_value() -> None:
    study, heard = optuna.create_study(direction="maximize"), Heard()
    trial = _running(study)
    close_out_of_memory(study, trial, "no fit", attrs={Attr.NOT_TRAINED: True},
                        callbacks=heard.callbacks)
    frozen = _assert_closed_once(heard, trial.number, TrialState.COMPLETE)
    assert frozen.value == 0.0 and frozen.constraints[OOM_CONSTRAINT] == 1.0
    assert frozen.user_attrs[Attr.STOP_REASON] == Stop.OUT_OF_MEMORY
    assert frozen.user_attrs[Attr.NOT_TRAINED] is True


def test_a_half_asked_trial() -> None:
    study, heard = optuna.create_study(), Heard()
    trial = _running(study)  # no pid: the sampler raised before a worker tagged it
    assert close_half_asked(study, "the sampler failed", heard.callbacks) == 1
    frozen = _assert_closed_once(heard, trial.number, TrialState.FAIL)
    assert frozen.user_attrs[Attr.STOP_REASON] == Stop.FAILED


@pytest.mark.parametrize(("out_of_memory", "interrupted", "state", "reason", "retried"), [
    (False, False, TrialState.FAIL, Stop.WORKER_DIED, True),
    (False, True, TrialState.FAIL, Stop.INTERRUPTED, True),
    (True, False, TrialState.COMPLETE, Stop.OUT_OF_MEMORY, False),
])
def test_an_orphan(out_of_memory: bool, interrupted: bool, state: TrialState, reason: str,
                   retried: bool) -> None:
    study, heard = optuna.create_study(), Heard()
    trial = _running(study, **{Attr.HOST: socket.gethostname(), Attr.PID: GONE_PID,
                               Attr.PID_START: 1})
    assert close_orphans(study, out_of_memory=out_of_memory, interrupted=interrupted,
                         callbacks=heard.callbacks) == 1
    frozen = _assert_closed_once(heard, trial.number, state)
    assert frozen.user_attrs[Attr.STOP_REASON] == reason
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert [t.user_attrs.get(Attr.RETRY_OF) for t in waiting] == ([trial.number] if retried
                                                                   else [])


def _trial_plan(tmp_path: Path) -> tuple[Plan, datasets.Dataset]:
    """A plan for one tiny trial on 8 `shapes` images (its training faked by the test)."""
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 8, 4, 64, 0))
    config = {"space": {"batch": {"choices": [8]}, "lr0": {"low": 0.01, "high": 0.1}},
              "train": {"seed": 0, "imgsz": 64},
              "trial": {"fraction": 0.5, "epochs": 2, "patience": 3, "val_images": 4},
              "pruner": {"_target_": "optuna.pruners.NopPruner"},
              "pruning": {"wait_for_stall": True},
              "study": {"metric": "fitness", "direction": "maximize"},
              "workers": {"heartbeat_interval": 10}}
    return Plan(config=config, study_name="s", storage_url="", study_dir=str(tmp_path),
                data_yaml=str(dataset.yaml_path), model="m.yaml", run_id="r"), dataset


def test_a_trained_trial_as_a_worker_or_an_agent_closes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sweep.run.trial.train", fake_train)
    plan, dataset = _trial_plan(tmp_path)
    study, heard = optuna.create_study(direction="maximize"), Heard()
    trial = study.ask({"batch": optuna.distributions.CategoricalDistribution([8]),
                       "lr0": optuna.distributions.FloatDistribution(0.01, 0.1)})
    outcome = train_and_tell(study, trial, plan, dataset, "cpu", "cpu", heard.callbacks)
    assert outcome is not None
    frozen = _assert_closed_once(heard, trial.number, TrialState.COMPLETE)
    assert frozen.user_attrs[Attr.EPOCHS_RUN] == 2
    assert frozen.user_attrs[Attr.STOP_REASON] == Stop.COMPLETED


def test_a_retry_is_queued_as_its_trial_was() -> None:
    """A race candidate (or the baseline) cut off comes back as that candidate: the race's
    result and the baseline's place in it read these attributes."""
    study, heard = optuna.create_study(), Heard()
    study.enqueue_trial({"x": 0.5}, user_attrs={Attr.CANDIDATE_OF: 3, Attr.LOW_FIDELITY: 0.4,
                                                Attr.BASELINE: True})
    trial = _running(study, **{Attr.HOST: socket.gethostname(), Attr.PID: GONE_PID,
                               Attr.PID_START: 1})
    assert close_orphans(study, callbacks=heard.callbacks) == 1
    (retry,) = study.get_trials(states=(TrialState.WAITING,))
    assert retry.user_attrs == {Attr.CANDIDATE_OF: 3, Attr.LOW_FIDELITY: 0.4,
                                Attr.BASELINE: True, Attr.RETRY_OF: trial.number}
    assert retry.system_attrs["fixed_params"] == {"x": 0.5}


def test_an_interrupted_training_is_closed_and_queued_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C, or a SIGTERM W&B did not send (`Interrupted`), during a training."""
    from sweep.run.trial import Interrupted

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise Interrupted("interrupted (SIGTERM, not a stop W&B asked for)")

    monkeypatch.setattr("sweep.run.trial.train", interrupted)
    plan, dataset = _trial_plan(tmp_path)
    study, heard = optuna.create_study(direction="maximize"), Heard()
    trial = study.ask({"batch": optuna.distributions.CategoricalDistribution([8]),
                       "lr0": optuna.distributions.FloatDistribution(0.01, 0.1)})
    assert train_and_tell(study, trial, plan, dataset, "cpu", "cpu", heard.callbacks) is None
    frozen = _assert_closed_once(heard, trial.number, TrialState.FAIL)
    assert frozen.user_attrs[Attr.STOP_REASON] == Stop.INTERRUPTED
    assert frozen.user_attrs[Attr.FAIL_REASON] == "interrupted (SIGTERM, not a stop W&B asked for)"
    (retry,) = study.get_trials(states=(TrialState.WAITING,))
    assert retry.user_attrs[Attr.RETRY_OF] == trial.number
    assert retry.system_attrs["fixed_params"] == trial.params
