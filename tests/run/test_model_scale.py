"""The model scale searched (`space.model`): refused when it names no model, each choice resolved
as `model=` is (starter weights where weights cannot be had), and each training loads its own
trial's choice: trials, the baseline (model=), the race and a retrain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
from omegaconf import DictConfig

from sweep.config.baseline import baseline_params
from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.run.telling import train_and_tell
from sweep.run.trial import train_args
from sweep.study.open import open_study
from sweep.testing.fakes import fake_train, fake_trial_plan


@pytest.mark.parametrize(("spec", "problem"), [
    ("{low:1,high:2}", "must be choices of weights (.pt) or architectures (.yaml)"),
    ("{choices:[yolo11n,yolo11s]}", "must be choices of weights (.pt) or architectures"),
])
def test_a_searched_model_that_names_none_is_refused(
        compose_cfg: Callable[..., DictConfig], spec: str, problem: str) -> None:
    from sweep.config.validate import validate

    with pytest.raises(ConfigError) as err:
        validate(compose_cfg(f"+space.model={spec}"))
    assert err.value.key == "space.model" and problem in str(err.value)


def test_each_choice_is_resolved_as_model_is(compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.pipeline.prepare import searched_models

    found = searched_models(compose_cfg("+space.model={choices:[yolo11n.yaml,yolo11s.pt]}"))
    assert found["yolo11n.yaml"].load == "yolo11n.yaml" and not found["yolo11n.yaml"].missing
    # offline: starter weights of the same architecture stand in for the weights
    assert (found["yolo11s.pt"].load, found["yolo11s.pt"].missing) == ("yolo11s.yaml",
                                                                       "yolo11s.pt")
    with pytest.raises(ConfigError) as err:
        searched_models(compose_cfg("+space.model={choices:[yolo11n.pt,nosuch.pt]}"))
    assert err.value.key == "space.model" and err.value.value == "nosuch.pt"


def test_the_model_is_what_a_training_loads_not_a_train_argument(
        compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.study.naming import _fingerprint_keys

    plan = Plan(config={"train": {"imgsz": 64}}, study_name="s", storage_url="", study_dir="",
                data_yaml="", model="/w/n.pt", run_id="r",
                models={"yolo11n.pt": "/w/n.pt", "yolo11s.pt": "/w/s.pt"})
    assert plan.model_for({"model": "yolo11s.pt"}) == "/w/s.pt"
    assert plan.model_for({"lr0": 0.01}) == "/w/n.pt"  # not searched: model=
    assert "model" not in train_args(plan.config, {"model": "yolo11s.pt", "lr0": 0.01}, 1, 0,
                                     "cpu")
    space = to_distributions({"model": {"choices": ["yolo11s.pt", "yolo11n.pt"]}})
    # the baseline is the configured model (model=), the one a run without tuning trains
    assert baseline_params(space, 3, {"model": "yolo11n.pt"}) == {"model": "yolo11n.pt"}
    # a searched model whose weights are not here: other starter weights are other trials
    plain = compose_cfg("model=yolo11n.yaml")
    searched = compose_cfg("model=yolo11n.yaml", "+space.model={choices:[yolo11s.pt]}")
    assert "starter" not in _fingerprint_keys(plain)
    assert "starter" in _fingerprint_keys(searched)


def test_each_trial_trains_its_own_model(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []

    def train(model: str, *args: Any, **kwargs: Any) -> Any:
        loaded.append(model)
        return fake_train(model, *args, **kwargs)

    monkeypatch.setattr("sweep.run.trial.train", train)
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 8, 4, 64, 0))
    plan = fake_trial_plan(tmp_path, dataset.yaml_path, train={"batch": 8, "lr0": 0.1},
                           trial={"epochs": 1}, latency={"measure": False})
    plan.config["space"] = {}
    plan.model, plan.models = "/w/n.pt", {"yolo11n.pt": "/w/n.pt", "yolo11s.pt": "/w/s.pt"}
    space = {"model": optuna.distributions.CategoricalDistribution(["yolo11n.pt",
                                                                    "yolo11s.pt"])}
    study = open_study(plan.config, "s", plan.storage_url, space)
    for name in ("yolo11s.pt", "yolo11n.pt"):
        study.enqueue_trial({"model": name})
        assert train_and_tell(study, study.ask(space), plan, dataset, "cpu", "cpu", Callbacks())
    assert loaded == ["/w/s.pt", "/w/n.pt"]


@pytest.mark.slow
def test_the_main_command_searches_the_model_scale(sweep_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    """Through the real command, offline: starter weights made for each scale, each trial and
    race candidate trained from its own (Ultralytics' args.yaml says what it loaded)."""
    import json

    import yaml

    from sweep.testing.commands import run_sweep

    result = run_sweep(sweep_env, "+experiment=yolo11n", "debug=smoke", f"paths.root={tmp_path}",
                       "study.name=scale", "tracking=[]", "study.n_trials=3",
                       "+space.model={choices:[yolo11n.pt,yolo11s.pt]}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in ("yolo11n.pt", "yolo11s.pt"):
        assert f"model={name}: not here and cannot be downloaded" in result.stdout + result.stderr
    study = optuna.load_study(study_name="scale",
                              storage=f"sqlite:///{tmp_path / 'scale' / 'study.db'}")
    summary = json.loads((tmp_path / "scale" / "summary.json").read_text())
    race = optuna.load_study(study_name=summary["race"]["study"], storage=study._storage)
    trained = [t for t in study.trials + race.trials if t.state.name == "COMPLETE"]
    assert {t.params["model"] for t in study.trials} == {"yolo11n.pt", "yolo11s.pt"}
    for trial in trained:
        args = yaml.safe_load((Path(trial.user_attrs["run_dir"]) / "args.yaml").read_text())
        scale = trial.params["model"].removesuffix(".pt")
        assert f"/starter/{scale}-" in args["model"], (trial.params, args["model"])
