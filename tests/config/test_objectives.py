"""A second objective (study.objectives=[fitness, latency_ms]): the refusals before training, an
Optuna multi-objective study whose trials are told both values and never pruned, the Pareto
front raced at full size and reported. Trials train with the fake trainer, whose value grows
with lr0 and image size, and report a latency that grows with image size."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
from omegaconf import DictConfig

from sweep.config.plan import Plan
from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks
from sweep.core.record import WORST_LATENCY_MS
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.finalist.race import candidates, open_race
from sweep.finalist.race_result import pareto_summary, race_summary
from sweep.review.best_yaml import write_best_yaml
from sweep.review.plots import study_plots
from sweep.review.summary import summary
from sweep.run.telling import train_and_tell
from sweep.study.closing import close_out_of_memory
from sweep.study.open import open_study
from sweep.study.queries import best_trial, pareto_front
from sweep.testing.fakes import fake_train, fake_trial_plan
from tests.conftest import resolved


@pytest.mark.parametrize(("overrides", "problem"), [
    (["study.objectives=[fitness,speed]"], "unknown objective 'speed'"),
    (["study.objectives=[accuracy,latency_ms]"], "unknown objective 'accuracy'"),
    (["study.objectives=[latency_ms,fitness]"], "unknown objective 'latency_ms' (the first"),
    (["study.objectives=[map50,latency_ms]"], "the first objective is the metric"),
    (["study.objectives=[fitness]"], "two objectives"),
    (["study.objectives=[fitness,latency_ms]", "latency.measure=false"],
     "latency.measure=false"),
    (["study.objectives=[fitness,latency_ms]", "sampler=cmaes"], "optimises one objective"),
    (["study.objectives=[fitness,latency_ms]", "tracking.wandb.sweep=abc123"],
     "W&B sweeps optimise one metric"),
])
def test_what_a_multi_objective_study_cannot_be_is_refused_before_training(
        compose_cfg: Callable[..., DictConfig], overrides: list[str], problem: str) -> None:
    from sweep.config.validate import validate

    with pytest.raises(ConfigError) as err:
        validate(compose_cfg(*overrides))
    assert err.value.key == "study.objectives" and problem in str(err.value)


def test_a_direction_that_is_not_one_is_refused(compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.config.validate import validate

    with pytest.raises(ConfigError) as err:
        validate(compose_cfg("study.objectives=[fitness,latency_ms]", "study.direction=up"))
    assert err.value.key == "study.direction"


def test_the_objectives_are_the_study_s_identity_and_measure_latency(
        compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.config.latency import wanted
    from sweep.config.validate import validate
    from sweep.study.naming import study_name

    multi = compose_cfg("study.objectives=[fitness,latency_ms]", "sampler=nsga2")
    validate(multi)
    assert wanted(multi) and not wanted(compose_cfg())
    assert study_name(multi, {"experiment": "e"}) != study_name(compose_cfg(), {"experiment": "e"})


def test_a_multi_objective_study_has_no_w_and_b_sweep(
        compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.wandb_sweeps.export import sweep_config

    with pytest.raises(ConfigError) as err:
        sweep_config(resolved(compose_cfg("study.objectives=[fitness,latency_ms]")), [], "s")
    assert "W&B sweeps optimise one metric" in str(err.value)


@pytest.mark.slow
@pytest.mark.parametrize(("module", "overrides", "says"), [
    ("sweep", ["study.objectives=[fitness,speed]"], "unknown objective 'speed'"),
    ("sweep.wandb_sweep", ["study.objectives=[fitness,latency_ms]"],
     "W&B sweeps optimise one metric"),
])
def test_a_refusal_is_one_line_and_exit_2_through_the_command(
        sweep_env: dict[str, str], tmp_path: Path, module: str, overrides: list[str],
        says: str) -> None:
    import subprocess
    import sys

    from sweep.testing.commands import one_error_line
    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", module, "+experiment=yolo11n",
                             f"paths.root={tmp_path}", *overrides], env=sweep_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("error: study.objectives=") and says in line
    assert not list(tmp_path.glob("*/trials"))  # nothing trained


SPACE = {"batch": optuna.distributions.CategoricalDistribution([8]),
         "lr0": optuna.distributions.FloatDistribution(0.01, 0.2),
         "imgsz": optuna.distributions.CategoricalDistribution([64, 96, 128])}


def _plan(tmp_path: Path) -> tuple[Plan, datasets.Dataset]:
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 8, 4, 64, 0))
    plan = fake_trial_plan(
        tmp_path, dataset.yaml_path, space={"imgsz": {"choices": [64, 96, 128]}},
        train={"plots": False},
        final={"candidates": 2, "epochs": 3, "fraction": 1.0, "patience": 10, "plots": False},
        pruner={"_target_": "optuna.pruners.MedianPruner"}, pruning={"wait_for_stall": False},
        study={"objectives": ["fitness", "latency_ms"], "name": "s", "n_trials": 4,
               "baseline": True, "timeout": None, "artifacts": None})
    return plan, dataset


def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A larger image learns faster (fitness lr0 x 5 x epochs x imgsz/128) and is slower
    (imgsz / 10 ms)."""
    def train(model: str, data_yaml: Path, project: Path, name: str, args: dict[str, Any],
              **kwargs: Any) -> Any:
        return fake_train(model, data_yaml, project, name,
                          {**args, "lr0": args["lr0"] * args["imgsz"] / 128}, **kwargs)

    def timed(weights: Path, image: Path, imgsz: int, settings: Any) -> dict[str, Any]:
        return {"ms": imgsz / 10, "device": "cpu", "threads": 1, "format": "torch"}

    monkeypatch.setattr("sweep.run.trial.train", train)
    monkeypatch.setattr("sweep.run.latency_measure.measure", timed)


# (lr0, imgsz, baseline): at 2 epochs 0.5 at 12.8 ms, 0.25 at 6.4, the defaults 0.2 at 12.8
# (dominated by both), 0.3 at 9.6
TRIALS = [(0.05, 128, False), (0.05, 64, False), (0.02, 128, True), (0.04, 96, False)]


def _study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Plan, optuna.Study,
                                                                      datasets.Dataset]:
    _fakes(monkeypatch)
    plan, dataset = _plan(tmp_path)
    study = open_study(plan.config, "s", plan.storage_url, SPACE)
    for lr0, imgsz, baseline in TRIALS:
        study.enqueue_trial({"batch": 8, "lr0": lr0, "imgsz": imgsz},
                            user_attrs={"baseline": baseline})
        assert train_and_tell(study, study.ask(SPACE), plan, dataset, "cpu", "cpu", Callbacks())
    return plan, study, dataset


def test_trials_are_told_both_values_and_never_pruned(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, study, _ = _study(tmp_path, monkeypatch)
    assert study.metric_names == ["fitness", "latency_ms"]
    trials = study.get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE"] * 4  # MedianPruner is not asked
    assert [t.values for t in trials] == [[0.5, 12.8], [0.25, 6.4], [0.2, 12.8], [0.3, 9.6]]
    assert all(not t.intermediate_values for t in trials)  # Optuna takes none per epoch
    assert [t.number for t in pareto_front(study)] == [0, 3, 1]  # by fitness, best first
    assert best_trial(study).number == 0  # the most accurate member
    assert [t.number for t in candidates(study, 2)] == [0, 1, 2]  # both ends, the defaults
    assert [t.number for t in candidates(study, 5)] == [0, 3, 1, 2]


def test_an_out_of_memory_trial_is_never_on_the_front(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, study, _ = _study(tmp_path, monkeypatch)
    trial = study.ask(SPACE)
    close_out_of_memory(study, trial, "CUDA out of memory")
    assert study.get_trials()[-1].values == [0.0, WORST_LATENCY_MS]
    assert trial.number not in [t.number for t in pareto_front(study)]


@pytest.mark.slow
def test_the_front_is_raced_at_full_size_and_reported(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    plan, study, dataset = _study(tmp_path, monkeypatch)
    rplan, race, chosen = open_race(plan, study)
    assert race.metric_names == ["fitness", "latency_ms"] and len(chosen) == 3
    for _ in chosen:
        assert train_and_tell(race, race.ask(SPACE), rplan, dataset, "cpu", "cpu", Callbacks())
    pareto = pareto_summary(study, race)
    assert pareto["directions"] == ["maximize", "minimize"]
    assert [(m["trial"], m["fitness"], m["latency_ms"]) for m in pareto["low_fidelity"]] == [
        (0, 0.5, 12.8), (3, 0.3, 9.6), (1, 0.25, 6.4)]
    # 3 epochs at full size: 0.75, 0.375, and the defaults 0.3 at 12.8 ms, dominated
    full = pareto["full_size"]
    assert [(m["trial"], m["fitness"], m["latency_ms"]) for m in full] == [
        (0, 0.75, 12.8), (1, 0.375, 6.4)]
    assert all(m["weights"].endswith("weights/best.pt") for m in full)
    assert full[0]["params"] == {"batch": 8, "lr0": 0.05, "imgsz": 128}
    data = summary(study, plan.storage_url, {"source_trial": 0, "params": full[0]["params"]},
                   None, "n_trials", race=race_summary(race), pareto=pareto)
    assert data["outcome"] == (
        "Pareto front at full size, 2 member(s): trial 0 fitness 0.75 at 12.8 ms; trial 1 "
        "fitness 0.375 at 6.4 ms; Ultralytics' defaults (fitness 0.3 at 12.8 ms) are dominated "
        "by trial 0")
    assert json.loads(json.dumps(data, default=str))["pareto"]["full_size"][1]["trial"] == 1
    best_yaml = tmp_path / "best.yaml"
    write_best_yaml(best_yaml, {**plan.config, "paths": {"root": str(tmp_path)},
                                "final": dict(plan.config["final"])}, "s", plan.storage_url,
                    full[0]["params"], data["race"], data["outcome"], pareto)
    header = best_yaml.read_text().split("\nspace:")[0]
    assert "# The Pareto front at full size" in header
    assert "#   trial 1: fitness 0.375, latency_ms 6.4, weights " in header
    plots = study_plots(study, "fitness", tmp_path / "report", data["race"], pareto)
    assert isinstance(plots["pareto"], Path) and plots["pareto"].is_file()
    assert "per-epoch values" in str(plots["intermediate"])
    assert isinstance(plots["history"], Path)  # the metric's history, as for one objective


def test_the_defaults_on_the_front_are_said_to_be(tmp_path: Path) -> None:
    from sweep.review.lines import pareto_outcome

    pareto = {"objectives": ["fitness", "latency_ms"], "directions": ["maximize", "minimize"],
              "low_fidelity": [],
              "full_size": [{"trial": 0, "baseline": True, "fitness": 0.8, "latency_ms": 9.0,
                             "params": {}}]}
    race = {"candidates": [{"trial": 0, "baseline": True, "full_size": 0.8,
                            "latency_ms": 9.0}]}
    assert pareto_outcome(pareto, race).endswith(
        "Ultralytics' defaults (fitness 0.8 at 9 ms) are on the front")
    assert pareto_outcome({**pareto, "full_size": []}, None) == (
        "no trial completed within the study's constraints: there is no Pareto front")


@pytest.mark.slow
def test_each_of_the_defaults_grid_races_and_is_placed_against_the_front(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sweep.pipeline.search import enqueue_baseline
    from sweep.review.lines import pareto_outcome

    _fakes(monkeypatch)
    plan, dataset = _plan(tmp_path)
    plan.config["model"] = "m.yaml"
    study = open_study(plan.config, "s", plan.storage_url, SPACE)
    enqueue_baseline(plan, study, 3)  # the defaults at imgsz 64 (train.imgsz), 96 and 128
    study.enqueue_trial({"batch": 8, "lr0": 0.2, "imgsz": 96})  # better than the defaults
    for _ in range(4):
        assert train_and_tell(study, study.ask(SPACE), plan, dataset, "cpu", "cpu", Callbacks())
    baselines = [t for t in study.trials if t.user_attrs.get("baseline")]
    assert [t.params["imgsz"] for t in baselines] == [64, 96, 128]
    assert {t.number for t in candidates(study, 1)} == {0, 1, 2, 3}  # the front's best + grid
    rplan, race, chosen = open_race(plan, study)
    for _ in chosen:
        assert train_and_tell(race, race.ask(SPACE), rplan, dataset, "cpu", "cpu", Callbacks())
    said = pareto_outcome(pareto_summary(study, race), race_summary(race))
    assert "Ultralytics' defaults at imgsz 64 (fitness" in said
    assert "at imgsz 96 (fitness" in said and "are dominated by trial 3" in said


def test_a_single_objective_study_draws_no_front(tmp_path: Path) -> None:
    from sweep.testing.fakes import study_with_curves

    study = study_with_curves([(optuna.trial.TrialState.COMPLETE, [0.1, 0.2])])
    assert "pareto" not in study_plots(study, "fitness", tmp_path)
