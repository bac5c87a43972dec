"""The W&B sweep export, validated against W&B's own sweeps engine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from omegaconf import DictConfig

from sweep.config.space import to_distributions
from sweep.core.errors import ConfigError
from sweep.wandb_sweeps.export import early_terminate, parameter, safe_overrides, sweep_config
from sweep.wandb_sweeps.values import trial_params
from tests.conftest import CONF, resolved, sweeps_engine

# NSGA-II has no W&B method (refused below)
SAMPLERS = sorted(p.stem for p in (CONF / "sampler").glob("*.yaml") if p.stem != "nsga2")


PRUNERS = sorted(p.stem for p in (CONF / "pruner").glob("*.yaml"))


# sampler=grid needs finite sets: the default space with steps where it has ranges.
GRID_SPACE = ("~space.lr0", "+space.lr0={low:0.001,high:0.005,step:0.001}", "~space.lrf",
              "+space.lrf={low:0.1,high:1.0,step:0.3}", "~space.momentum", "~space.scale")




def test_a_sampler_w_and_b_has_no_method_for_is_refused(
        compose_cfg: Callable[..., DictConfig]) -> None:
    with pytest.raises(ConfigError) as err:
        sweep_config(resolved(compose_cfg("sampler=nsga2")), [], "study-x")
    assert err.value.key == "sampler" and "has no W&B sweep method" in str(err.value)


def violations(config: dict[str, Any]) -> list[str]:
    from sweeps.config import schema_violations_from_proposed_config

    return schema_violations_from_proposed_config(config)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("pruner", PRUNERS)
def test_every_sampler_and_pruner_exports_a_valid_sweep(
        compose_cfg: Callable[..., DictConfig], sampler: str, pruner: str) -> None:
    sweeps = sweeps_engine()
    extra = GRID_SPACE if sampler == "grid" else ()
    overrides = ["+experiment=yolo11n", f"sampler={sampler}", f"pruner={pruner}", *extra]
    config = sweep_config(resolved(compose_cfg(*overrides)), overrides, "study-x")
    assert violations(config) == []
    filled = sweeps.SweepConfig(config)  # the engine's own fill-in and checks
    assert filled["method"] == {"tpe": "bayes", "gp": "bayes", "cmaes": "bayes",
                                "random": "random", "grid": "grid"}[sampler]
    assert config["metric"] == {"name": "fitness", "goal": "maximize"}
    assert set(config["parameters"]) == {f"space.{k}" for k in
                                         compose_cfg(*overrides).space}
    assert ("early_terminate" in config) == (pruner != "none")
    assert config["command"][:4] == ["${env}", "${interpreter}", "-m", "sweep.agent"]
    assert config["command"][4:-1] == overrides
    assert config["command"][-1] == "${args_no_hyphens}"
    # the engine can propose a run from it (what W&B's server does for an agent)
    run = sweeps.next_run(filled, [])
    assert set(run.config) == set(config["parameters"])


@pytest.mark.parametrize(("spec", "expected"), [
    ({"low": 1e-4, "high": 1e-1, "log": True},
     {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}),
    ({"low": 0.0, "high": 0.9}, {"distribution": "uniform", "min": 0.0, "max": 0.9}),
    ({"low": 0.0, "high": 0.9, "step": 0.1},
     {"distribution": "q_uniform", "min": 0.0, "max": 0.9, "q": 0.1}),
    ({"low": 0.05, "high": 0.25, "step": 0.1}, {"values": [0.05, 0.15, 0.25]}),  # off q's grid
    ({"low": 1, "high": 5}, {"distribution": "int_uniform", "min": 1, "max": 5}),
    ({"low": 8, "high": 64, "step": 8},
     {"distribution": "q_uniform", "min": 8, "max": 64, "q": 8}),
    ({"low": 3, "high": 13, "step": 5}, {"values": [3, 8, 13]}),
    ({"low": 1, "high": 64, "log": True},
     {"distribution": "q_log_uniform_values", "min": 1, "max": 64, "q": 1}),
    ({"choices": [8, 16, 32]}, {"values": [8, 16, 32]}),
    ({"choices": ["SGD", "AdamW"]}, {"values": ["SGD", "AdamW"]}),
])
def test_each_space_form_is_a_valid_wandb_parameter(spec: dict[str, Any],
                                                   expected: dict[str, Any]) -> None:
    sweeps = sweeps_engine()
    (dist,) = to_distributions({"x": spec}).values()
    param = parameter("x", dist, "bayes")
    assert param == expected
    config = {"method": "random", "parameters": {"space.x": param}}
    assert violations(config) == []
    # every value W&B proposes is one the agent accepts for that argument
    for _ in range(20):
        value = sweeps.next_run(sweeps.SweepConfig(config), []).config["space.x"]["value"]
        trial_params({"x": dist}, {"x": yaml.safe_load(str(value))})


def test_early_terminate_follows_pruner_and_patience() -> None:
    trial = {"epochs": 10, "patience": 3}
    hyperband = {"_target_": "optuna.pruners.HyperbandPruner", "min_resource": 1,
                 "reduction_factor": 3}
    assert early_terminate(hyperband, trial) == {"type": "hyperband", "min_iter": 3, "eta": 3}
    assert early_terminate({**hyperband, "min_resource": 4, "reduction_factor": 2}, trial) == {
        "type": "hyperband", "min_iter": 4, "eta": 2}
    assert early_terminate({"_target_": "optuna.pruners.MedianPruner"}, trial)["min_iter"] == 3
    assert early_terminate({"_target_": "optuna.pruners.NopPruner"}, trial) is None
    # a first bracket at or past the last epoch could never stop a run
    assert early_terminate(hyperband, {"epochs": 3, "patience": 3}) is None


def test_export_leaves_a_database_password_out(compose_cfg: Callable[..., DictConfig]) -> None:
    url = "postgresql://sweep:s3cret-pw@db.example/sweeps"
    kept, notes = safe_overrides(["+experiment=yolo11n", f"study.storage={url}", "debug=smoke"])
    assert kept == ["+experiment=yolo11n", "debug=smoke"]
    assert "SWEEP_STORAGE=postgresql://sweep@db.example/sweeps" in notes[0]
    assert "s3cret" not in json.dumps(notes)
    kept, notes = safe_overrides(["study.storage=sqlite:///x.db"])
    assert kept == ["study.storage=sqlite:///x.db"] and notes == []


@pytest.mark.slow
def test_export_command_prints_yaml_and_refuses_without_wandb(sweep_env: dict[str, str],
                                                             tmp_path: Path) -> None:
    def export(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sweep.wandb_sweep", "+experiment=yolo11n",
                               f"paths.root={tmp_path}", *args], env=sweep_env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    done = export("pruner=hyperband", "space.lr0.high=0.05")
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    assert config["name"].startswith("yolo11n-") and config["project"] == "sweep"
    assert config["parameters"]["space.lr0"]["max"] == 0.05
    assert config["early_terminate"] == {"type": "hyperband", "min_iter": 3, "eta": 3}
    assert "max_latency_ms" not in done.stderr
    limited = export("study.max_latency_ms=20")  # exported, with what W&B will not do
    assert limited.returncode == 0, limited.stderr
    assert ("note: W&B's sweep optimises fitness alone and does not enforce "
            "study.max_latency_ms=20") in limited.stderr
    assert yaml.safe_load(limited.stdout)["metric"] == config["metric"]
    refused = export("tracking=[]")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("error: tracking=") and "Traceback" not in refused.stderr


def test_grid_export_names_the_range_without_a_step(compose_cfg: Callable[..., DictConfig]
                                                    ) -> None:
    overrides = ["+experiment=yolo11n", "sampler=grid"]
    with pytest.raises(ConfigError) as err:
        sweep_config(resolved(compose_cfg(*overrides)), overrides, "s")
    assert err.value.key == "space.lr0" and "step" in err.value.fix
