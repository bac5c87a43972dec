"""The search space as a W&B sweep: the export checked by W&B's own sweeps engine, the agent's
values, the multi-GPU agent launcher and the Kaggle notebook (fast; no training)."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
import yaml
from omegaconf import DictConfig

from sweep.agent import split_values, trial_params
from sweep.errors import ConfigError
from sweep.space import to_distributions
from sweep.wandb_sweep import early_terminate, parameter, safe_overrides, sweep_config
from tests.conftest import CONF, ROOT

SAMPLERS = sorted(p.stem for p in (CONF / "sampler").glob("*.yaml"))
PRUNERS = sorted(p.stem for p in (CONF / "pruner").glob("*.yaml"))
# sampler=grid needs finite sets: the default space with steps where it has ranges.
GRID_SPACE = ("~space.lr0", "+space.lr0={low:0.001,high:0.005,step:0.001}", "~space.lrf",
              "+space.lrf={low:0.1,high:1.0,step:0.3}", "~space.momentum", "~space.scale")


def sweeps_engine() -> Any:
    """W&B's sweeps engine (installed without its dependencies: it pins numpy < 2). CI installs
    it (.ci/run); elsewhere these tests skip without it, and fail in CI."""
    if os.environ.get("CI"):
        import sweeps
    else:
        sweeps = pytest.importorskip("sweeps")
    return sweeps


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
    config = sweep_config(compose_cfg(*overrides), overrides, "study-x")
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
    refused = export("tracking=[]")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("error: tracking=") and "Traceback" not in refused.stderr


def test_agent_values_are_split_from_the_study_overrides(
        compose_cfg: Callable[..., DictConfig]) -> None:
    overrides = ["+experiment=yolo11n", "space.lr0.high=0.05", "space.lr0=0.02",
                 "space.batch=16.0", "space.optimizer=SGD", "space.lrf=0.5",
                 "space.momentum=0.9", "space.scale=0.25"]
    cfg = compose_cfg(*overrides)
    values, rest = split_values(cfg, overrides)
    assert rest == ["+experiment=yolo11n", "space.lr0.high=0.05"]
    study_space = to_distributions(compose_cfg(*rest).space)
    params = trial_params(study_space, values)
    assert params == {"batch": 16, "lr0": 0.02, "lrf": 0.5, "momentum": 0.9,
                      "optimizer": "SGD", "scale": 0.25}
    assert isinstance(params["batch"], int)  # W&B's q-forms send 16.0


@pytest.mark.parametrize(("values", "key", "problem"), [
    ({"lr0": 0.5}, "space.lr0", "outside the searched range"),
    ({"lr0": "fast"}, "space.lr0", "must be a number"),
    ({"batch": 12}, "space.batch", "not one of the sweep's choices"),
    ({"optimizer": None}, "space.optimizer", "not one of the sweep's choices"),
    ({"lr0": None}, "space.lr0", "must be a number"),
])
def test_agent_refuses_values_outside_the_space(compose_cfg: Callable[..., DictConfig],
                                                values: dict[str, Any], key: str,
                                                problem: str) -> None:
    space = to_distributions(compose_cfg("+experiment=yolo11n").space)
    good = {"batch": 8, "lr0": 0.01, "lrf": 0.5, "momentum": 0.9, "optimizer": "AdamW",
            "scale": 0.5}
    with pytest.raises(ConfigError) as err:
        trial_params(space, {**good, **values})
    assert err.value.key == key and problem in err.value.problem
    missing = dict(good)
    del missing["scale"]
    with pytest.raises(ConfigError, match="W&B gave no value"):
        trial_params(space, missing)


def test_categorical_values_arrive_as_text() -> None:
    """W&B passes str(value): True, None and 16 come back through Hydra's parser."""
    dist = optuna.distributions.CategoricalDistribution([True, False])
    assert trial_params({"cos_lr": dist}, {"cos_lr": "True"}) == {"cos_lr": True}
    dist = optuna.distributions.CategoricalDistribution([None, "ram"])
    assert trial_params({"cache": dist}, {"cache": "None"}) == {"cache": None}


# -- the launcher -----------------------------------------------------------------------------

def _fake_tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_launcher_pins_one_staggered_agent_per_gpu(tmp_path: Path) -> None:
    """A fake `nvidia-smi` lists two GPUs, a fake `wandb` records how it was started."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    calls.mkdir()
    _fake_tool(bin_dir, "nvidia-smi", 'echo 0\necho 1\n')
    _fake_tool(bin_dir, "wandb", f'printf "%s\\n" "$(date +%s.%N)" "$CUDA_VISIBLE_DEVICES" "$*" '
                                 f'> {calls}/$$\necho "agent says hi"\n')
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "me/proj/abc123",
                           "--count", "5", "--stagger", "1.5", "--logs", str(tmp_path / "logs")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    started = sorted((float(t), gpu, args) for t, gpu, args in
                     (p.read_text().splitlines() for p in calls.iterdir()))
    assert [gpu for _, gpu, _ in started] == ["0", "1"]  # one agent per GPU, each pinned
    assert all(args == "agent --count 5 me/proj/abc123" for _, _, args in started)
    assert started[1][0] - started[0][0] >= 1.4  # staggered
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert logs == ["agent-gpu0.log", "agent-gpu1.log"]
    assert (tmp_path / "logs" / "agent-gpu1.log").read_text() == "agent says hi\n"
    # CUDA_VISIBLE_DEVICES already set (a notebook that pinned GPUs) is the list to use
    env["CUDA_VISIBLE_DEVICES"] = "1"
    for p in calls.iterdir():
        p.unlink()
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and [p.read_text().splitlines()[1:]
                                     for p in calls.iterdir()] == [["1", "agent abc123"]]


def test_launcher_without_a_gpu_says_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(PATH=str(tmp_path), PYTHONPATH=str(ROOT))  # no nvidia-smi
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no GPU found" in done.stderr and "wandb agent abc123" in done.stderr


# -- the Kaggle notebook ----------------------------------------------------------------------

NOTEBOOK = ROOT / "scripts" / "kaggle_t4x2.ipynb"


def _shell_commands(source: str) -> list[list[str]]:
    commands = []
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("!"):
            command = line[1:].split(">")[0].split("|")[0]
            commands.append(shlex.split(command.replace("$", "")))
    return commands


def test_kaggle_notebook_is_valid_and_calls_only_what_exists() -> None:
    nbformat = pytest.importorskip("nbformat") if not os.environ.get("CI") else \
        __import__("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "T4 x2" in text and "WANDB_API_KEY" in text and "16069" in text
    from wandb.cli.cli import cli

    seen = set()
    for source in code:
        python = "\n".join("pass" if line.strip().startswith("!") else line
                           for line in source.splitlines())
        ast.parse(python)  # the Python in each cell is valid
        for command in _shell_commands(source):
            tool = command[0]
            # nvidia-smi is on Kaggle's GPU machines; every other tool must exist here too
            assert tool == "nvidia-smi" or shutil.which(tool), command
            if tool == "python":
                assert command[1] == "-m", command
                module = command[2]
                assert importlib.util.find_spec(module) is not None, command
                seen.add(module)
            if tool == "wandb":
                assert command[1] in cli.commands, command
                seen.add(f"wandb {command[1]}")
    assert {"sweep", "sweep.wandb_sweep", "sweep.launch_agents", "wandb sweep"} <= seen


def test_grid_export_names_the_range_without_a_step(compose_cfg: Callable[..., DictConfig]
                                                    ) -> None:
    overrides = ["+experiment=yolo11n", "sampler=grid"]
    with pytest.raises(ConfigError) as err:
        sweep_config(compose_cfg(*overrides), overrides, "s")
    assert err.value.key == "space.lr0" and "step" in err.value.fix
