"""A W&B agent's trial: values split from the study's overrides, recorded in the study, joined to
the sweep (the slow ones train tiny models)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import optuna
import pytest
import yaml
from omegaconf import DictConfig, OmegaConf
from sqlalchemy.exc import OperationalError

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.errors import ConfigError
from sweep.testing.commands import run_sweep, wandb_runs
from sweep.tracking.wandb import SWEEP_ATTR
from sweep.tracking.wandb.run_mirror import study_sweep_id
from sweep.wandb_sweeps.agent_trial import split_values, wandb_parameters
from sweep.wandb_sweeps.export import AGENT_RUN_ENV, sweep_config
from sweep.wandb_sweeps.values import trial_params
from tests.conftest import BCCD, Compose, resolved, sweeps_engine


def _searched(compose_cfg: Callable[..., DictConfig]) -> Callable[[list[str]], list[str]]:
    """sweep.agent.searched, with the test's composition."""
    def searched(rest: list[str]) -> list[str]:
        space = compose_cfg(*rest).space
        return [arg for arg in space if OmegaConf.is_config(space[arg])]
    return searched


def test_agent_values_are_split_from_the_study_overrides(
        compose_cfg: Callable[..., DictConfig]) -> None:
    overrides = ["+experiment=yolo11n", "space.lr0.high=0.05", "space.lr0=0.02",
                 "space.batch=16.0", "space.optimizer=SGD", "space.lrf=0.5",
                 "space.momentum=0.9", "space.scale=0.25"]
    values, rest = split_values(overrides, _searched(compose_cfg))
    assert rest == ["+experiment=yolo11n", "space.lr0.high=0.05"]
    study_space = to_distributions(resolved(compose_cfg(*rest))["space"])
    params = trial_params(study_space, values)
    assert params == {"batch": 16, "lr0": 0.02, "lrf": 0.5, "momentum": 0.9,
                      "optimizer": "SGD", "scale": 0.25}
    assert isinstance(params["batch"], int)  # W&B's q-forms send 16.0


class _Started:
    """wandb's AgentProcess, standing in: records the command wandb's agent built."""

    commands: list[list[str]] = []

    def __init__(self, command: list[str] | None = None, **_: Any) -> None:
        self.commands.append(list(command or []))
        self.last_sigterm_time = None


def _pick(parameter: dict[str, Any]) -> Any:
    """A value W&B could give: the last choice, or a point inside the range."""
    if "values" in parameter:
        return parameter["values"][-1]
    low, high = parameter["min"], parameter["max"]
    if parameter["distribution"] == "int_uniform":
        return (low + high) // 2
    return round((low * high) ** 0.5 if "log" in parameter["distribution"] else
                 (low + high) / 2, 6)


@pytest.mark.parametrize("user", [
    ["space.lrf={low:0.05,high:0.5}"],            # a whole entry, as the README documents
    ["+space.mosaic={low:0.5,high:1.0}"],         # a new searched argument
    ["~space.scale"],                             # one searched argument less
    ["space.lr0.high=0.05", "space.optimizer={choices:[AdamW]}"],  # one key, one choice
])
def test_an_agents_study_is_the_one_the_users_overrides_compose(
        user: list[str], compose_cfg: Callable[..., DictConfig], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's command, run by wandb's own agent (its dispatch and argv builder; only the
    process start stands in): W&B's values are the ones it appended, the rest is the user's."""
    from wandb import wandb_agent

    overrides = ["+experiment=yolo11n", *user]
    config = sweep_config(resolved(compose_cfg(*overrides)), overrides, "s")
    chosen = {name: _pick(parameter) for name, parameter in config["parameters"].items()}
    monkeypatch.setattr(wandb_agent, "AgentProcess", _Started)
    monkeypatch.setattr(_Started, "commands", [])
    for name, value in (("WANDB_DIR", str(tmp_path)), ("WANDB_SWEEP_ID", "abc123"),
                        ("WANDB_RUN_ID", ""), ("WANDB_SWEEP_PARAM_PATH", "")):
        monkeypatch.setenv(name, value)  # wandb's agent sets some: restored after the test
    agent = wandb_agent.Agent(None, None, sweep_id="abc123")
    agent._sweep_command = config["command"]
    answer = agent._process_command({"type": "run", "run_id": "run1", "program": "sweep.agent",
                                     "args": {k: {"value": v} for k, v in chosen.items()}})
    assert "exception" not in answer, answer
    [command] = _Started.commands
    argv = command[command.index("sweep.agent") + 1:]
    assert argv[:len(overrides)] == overrides and len(argv) == len(overrides) + len(chosen)
    parameters = wandb_parameters()
    assert sorted(parameters or []) == sorted(chosen)
    values, rest = split_values(argv, _searched(compose_cfg), parameters)
    assert rest == overrides
    assert {f"space.{arg}": value for arg, value in values.items()} == pytest.approx(chosen)
    trial_params(to_distributions(resolved(compose_cfg(*rest))["space"]), values)
    # by hand (no agent's file): the same split, from what the export makes parameters
    assert split_values(argv, _searched(compose_cfg)) == (values, rest)


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
    space = to_distributions(resolved(compose_cfg("+experiment=yolo11n"))["space"])
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


SMOKE = ("+experiment=yolo11n", "debug=smoke", "data=shapes", "model=yolo11n.yaml")


SWEEP_ID = "abc12345"
# An agent's run is online unless told otherwise; these tests have no W&B server to reach.
OFFLINE = ("tracking.wandb.mode=offline",)


def export(env: dict[str, str], root: Path, *overrides: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "sweep.wandb_sweep", *overrides], env=env,
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def agent_process(config: dict[str, Any], env: dict[str, str], root: Path, run_id: str,
                  extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start the exported command as `wandb agent` does: a configuration the W&B sweeps engine
    proposes, turned into `${args_no_hyphens}` by wandb's own code, the agent's environment
    (sweep and run ids, the parameter file wandb.init reads). `extra` overrides go before W&B's
    values, as if they had been exported."""
    sweeps = sweeps_engine()
    from wandb.sdk.launch.sweeps.utils import create_sweep_command_args
    from wandb.sdk.lib import config_util

    # through JSON, as W&B's server sends it (the engine itself returns numpy numbers)
    proposed = json.loads(json.dumps(sweeps.next_run(sweeps.SweepConfig(config), []).config,
                                     default=lambda number: number.item()))
    args = create_sweep_command_args({"args": proposed})
    macros = {"env": ["/usr/bin/env"], "interpreter": [sys.executable], **args}
    command: list[str] = []
    for part in config["command"]:
        if part == "${args_no_hyphens}":
            command += extra
        if part.startswith("${") and part.endswith("}"):
            command += macros[part[2:-1]]
        else:
            command.append(part)
    param_file = root / "wandb" / f"sweep-{SWEEP_ID}" / f"config-{run_id}.yaml"
    param_file.parent.mkdir(parents=True, exist_ok=True)
    config_util.save_config_file_from_dict(str(param_file), proposed)
    agent_env = {**env, "WANDB_SWEEP_ID": SWEEP_ID, "WANDB_RUN_ID": run_id,
                 "WANDB_SWEEP_PARAM_PATH": str(param_file), "WANDB_PROJECT": "sweep"}
    process = subprocess.Popen(command, env=agent_env, cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    return process, {k: v["value"] for k, v in proposed.items()}


def system_attrs(study: optuna.Study) -> dict[str, Any]:
    return study._storage.get_study_system_attrs(study._study_id)


def only_trial(study_dir: Path, name: str) -> optuna.trial.FrozenTrial:
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{study_dir / 'study.db'}")
    (trial,) = study.trials
    return trial


@pytest.mark.slow
def test_agent_runs_one_recorded_trial_and_final_only_retrains_it(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    overrides = (*SMOKE, f"paths.root={tmp_path / 'out'}", "study.name=agents")
    config = export(sweep_env, tmp_path, *overrides)
    process, proposed = agent_process(config, sweep_env, tmp_path, "run0001", extra=OFFLINE)
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output[-3000:]
    study_dir = tmp_path / "out" / "agents"
    trial = only_trial(study_dir, "agents")
    assert trial.state.name == "COMPLETE"
    for name, value in trial.params.items():  # W&B's values, as the study's types hold them
        assert value == pytest.approx(proposed[f"space.{name}"])
    assert isinstance(trial.params["batch"], int)
    assert sorted(trial.intermediate_values) == [0, 1]  # smoke: 2 epochs, each reported
    attrs = trial.user_attrs
    assert attrs["worker"] == "wandb-agent" and attrs["wandb_run_id"] == "run0001"
    assert attrs["wandb_sweep_id"] == SWEEP_ID and attrs["stop_reason"] == "completed"
    assert attrs["subset_size"] == 24  # the same subset logic as a search trial

    (run,) = wandb_runs(study_dir)  # the agent's own run, offline (as asked)
    assert run["id"] == "run0001" and run["sweep_id"] == SWEEP_ID
    assert [row["_step"] for row in run["history"]] == [0, 1]
    assert all("fitness" in row for row in run["history"])
    assert run["summary"]["state"] == "complete" and run["exit_code"] == 0
    assert run["summary"]["fitness"] == pytest.approx(trial.value)
    assert run["config"]["space.lr0"] == pytest.approx(trial.params["lr0"])

    # after a W&B sweep: the documented command retrains the study's best at full size
    result = run_sweep(sweep_env, *overrides, "final.only=true", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((study_dir / "summary.json").read_text())
    assert summary["finalist"]["source_trial"] == trial.number
    assert summary["finalist"]["params"] == trial.params


@pytest.mark.slow
@pytest.mark.parametrize("sender", ["wandb", "other"])
def test_a_sigterm_is_wandbs_stop_only_when_wandb_asked(sender: str, sweep_env: dict[str, str],
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's agent marks W&B's stops (sweep.launch_agents' agents do): a stop command
    handed to wandb's own agent code ends the trial as pruned; any other SIGTERM (a `kill`, a
    notebook host ending its session) interrupts it as Ctrl-C does, and it is queued again."""
    from wandb import wandb_agent

    from sweep.wandb_sweeps.stops import STOPS_ENV, record_wandb_stops

    monkeypatch.setattr(wandb_agent.Agent, "_command_stop", wandb_agent.Agent._command_stop)
    monkeypatch.delenv(STOPS_ENV, raising=False)
    stops = tmp_path / "stops"
    record_wandb_stops(stops)  # as in the agent's process, whose environment the run inherits
    overrides = (*SMOKE, f"paths.root={tmp_path / 'out'}", "study.name=stopped")
    config = export(sweep_env, tmp_path, *overrides)
    # long enough that the SIGTERM arrives mid-training
    process, _ = agent_process(config, {**sweep_env, STOPS_ENV: str(stops)}, tmp_path,
                               "run0002", extra=(*OFFLINE, "trial.epochs=60", "trial.patience=60"))
    study_dir = tmp_path / "out" / "stopped"
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        try:
            # once the trial trains (its folder): loading the study earlier can race the
            # agent creating its tables, which then fails the agent
            if (study_dir / "trials").exists() and \
                    only_trial(study_dir, "stopped").intermediate_values:
                break
        except (KeyError, ValueError, OperationalError):  # the study, its tables (the agent
            pass                                            # may be creating them) or its trial
        time.sleep(0.5)
    assert process.poll() is None, process.communicate()[0][-3000:]
    if sender == "wandb":  # W&B's stop command, through wandb's own agent code
        agent = SimpleNamespace(_kill_delay=30, _run_processes={"run0002": SimpleNamespace(
            terminate=process.terminate, last_sigterm_time=None)})
        wandb_agent.Agent._command_stop(agent, {"run_id": "run0002"})
        assert (stops / "run0002").exists()
    else:
        process.terminate()
    started = time.time()
    output, _ = process.communicate(timeout=60)
    assert time.time() - started < 25, output[-3000:]  # well within the agent's 30 s to kill
    assert "Traceback" not in output
    study = optuna.load_study(study_name="stopped",
                              storage=f"sqlite:///{study_dir / 'study.db'}")
    trial = study.trials[0]
    assert 1 <= len(trial.intermediate_values) < 60
    (run,) = wandb_runs(study_dir)
    if sender == "wandb":
        assert process.returncode == 0, output[-3000:]
        assert trial.state.name == "PRUNED" and len(study.trials) == 1
        assert trial.user_attrs["stop_reason"] == "stopped by W&B (early_terminate)"
        assert run["summary"]["state"] == "pruned" and run["exit_code"] == 0
    else:
        assert process.returncode == 128 + signal.SIGTERM, output[-3000:]
        assert "trial 0 interrupted: recorded as failed and queued again" in output
        assert trial.state.name == "FAIL" and trial.user_attrs["stop_reason"] == "interrupted"
        assert trial.user_attrs["fail_reason"] == "interrupted (SIGTERM, not a stop W&B asked for)"
        (retry,) = study.trials[1:]  # for the study's next search, with W&B's values
        assert retry.state.name == "WAITING" and retry.user_attrs["retry_of"] == 0
        assert retry.system_attrs["fixed_params"] == trial.params


@pytest.mark.slow
def test_optuna_trials_join_the_studys_wandb_sweep(sweep_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    """Two workers, a sweep id (offline, as for `wandb sync` later): every trial run carries
    it, the finalist's does not, and the study records it."""
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={tmp_path}", "study.name=view",
                       "workers.devices=[cpu,cpu]", f"tracking.wandb.sweep={SWEEP_ID}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"trial runs join W&B sweep {SWEEP_ID}" in result.stdout
    study_dir = tmp_path / "view"
    runs = {r["name"]: r for r in wandb_runs(study_dir)}
    summary = json.loads((study_dir / "summary.json").read_text())
    repeats = [f"race-{r['trial']:04d}-seed-{r['seed']}" for r in summary["race"]["repeats"]]
    assert sorted(runs) == sorted(["final", "race-0000", "race-0001", "trial-0000",
                                   "trial-0001", *repeats])
    assert {runs[n]["sweep_id"] for n in ("trial-0000", "trial-0001")} == {SWEEP_ID}
    for name in ("final", "race-0000", "race-0001", *repeats):  # full size: not the sweep's
        assert runs[name]["sweep_id"] is None
    assert {runs[n]["group"] for n in runs} == {"view"}
    study = optuna.load_study(study_name="view", storage=f"sqlite:///{study_dir / 'study.db'}")
    # recorded as far as known (the settings' project; the key's default entity), so a resumed
    # run and a second machine join this sweep, not whatever WANDB_PROJECT says there
    assert system_attrs(study)[SWEEP_ATTR] == f"sweep/{SWEEP_ID}"
    assert SWEEP_ATTR not in study.user_attrs
    workers = {t.user_attrs["worker"] for t in study.trials}
    assert len(workers) == 2 and {t.user_attrs["wandb_sweep_id"] for t in study.trials} == {
        SWEEP_ID}


def _claim_sweep(url: str, marks: str) -> str:
    """One process asking for the study's sweep; `create` leaves a mark each time it runs."""

    plan = Plan(config={"tracking": {"wandb": {"sweep": "auto"}}}, study_name="shared",
                storage_url=url, study_dir=marks, data_yaml="", model="", run_id="r")

    def create() -> str:
        (Path(marks) / str(os.getpid())).touch()
        time.sleep(1.0)  # a slow server: the others must wait, not create their own
        return f"sweep-of-{os.getpid()}"

    return study_sweep_id(plan, create)


@pytest.mark.slow
def test_a_study_creates_its_wandb_sweep_once(tmp_path: Path) -> None:
    """Four processes (machines sharing a study) ask at once: one sweep, the same id for all."""
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="shared", storage=url)
    marks = tmp_path / "marks"
    marks.mkdir()
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        ids = list(pool.map(_claim_sweep, [url] * 4, [str(marks)] * 4))
    assert len(set(ids)) == 1 and len(list(marks.iterdir())) == 1
    assert system_attrs(optuna.load_study(study_name="shared", storage=url))[SWEEP_ATTR] == ids[0]


@pytest.mark.slow
def test_online_sweep_is_created_once_per_study_from_the_export(sweep_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    """W&B online (a stand-in that creates sweeps and answers nothing else, so the runs fall
    back to offline and keep the link for `wandb sync`): two workers, then a resumed run; one
    sweep, made from the study's export, and every trial run carries its id."""
    from sweep.testing.servers import serve_wandb_sweeps

    url, server, created = serve_wandb_sweeps()
    env = {**sweep_env, "WANDB_API_KEY": "0123456789abcdef" * 2 + "fa4e5e7c",
           "WANDB_BASE_URL": url}
    args = (*SMOKE, f"paths.root={tmp_path}", "study.name=online", "tracking.wandb.mode=online",
            "tracking.wandb.init_timeout=3", "workers.devices=[cpu,cpu]")
    try:
        first = run_sweep(env, *args)
        second = run_sweep(env, *args, "study.n_trials=3")
    finally:
        server.shutdown()
    for result in (first, second):
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "trial runs join W&B sweep sw000001" in result.stdout
    assert len(created) == 1
    config = yaml.safe_load(created[0]["config"])
    assert config["name"] == "online" and config["method"] == "bayes"
    assert config["command"][3:5] == ["sweep.agent", "+experiment=yolo11n"]
    assert "tracking.wandb.init_timeout=3" in config["command"]
    study_dir = tmp_path / "online"
    runs = {r["name"]: r for r in wandb_runs(study_dir)}
    trials = [r for name, r in runs.items() if name.startswith("trial-")]
    assert len(trials) == 3 and {r["sweep_id"] for r in trials} == {"sw000001"}
    study = optuna.load_study(study_name="online", storage=f"sqlite:///{study_dir / 'study.db'}")
    assert system_attrs(study)[SWEEP_ATTR] == "sweep/sw000001"


@pytest.mark.slow
def test_an_agent_trial_from_weights_keeps_ultralytics_early_stop(
        compose_cfg: Compose, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """W&B's early_terminate stops agent trials, not sweep's pruner: from weights, where a
    sweep's own trials hand the early stop to the pruner, an agent trial keeps it."""
    from sweep.cli.agent import run_agent
    from sweep.pruning.policy import early_stop_patience

    weights = tmp_path / "mine.pt"
    weights.write_bytes(b"never loaded: training is replaced below")
    cfg = compose_cfg(f"data={BCCD}", f"model={weights}", "tracking.wandb.mode=offline")
    seen: dict[str, Any] = {}

    def record(study: optuna.Study, trial: optuna.Trial, plan: Plan, *args: Any,
               **kwargs: Any) -> None:
        seen.update(patience=early_stop_patience(plan.config), pruner=study.pruner)
        return None  # as if interrupted: nothing trains

    monkeypatch.setattr("sweep.run.telling.train_and_tell", record)
    monkeypatch.setenv(AGENT_RUN_ENV, "")  # run_agent sets it: restored after the test
    values = {"batch": 16, "lr0": 0.01, "lrf": 0.01, "momentum": 0.9, "optimizer": "SGD",
              "scale": 0.5}
    assert run_agent(cfg, {}, values) == 130
    assert seen["patience"] == 3 and isinstance(seen["pruner"], optuna.pruners.NopPruner)


@pytest.mark.slow
def test_an_agent_run_without_a_key_is_refused_before_training(sweep_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    """W&B's sweep controller sees only online runs: no key, no silent offline run."""
    config = export(sweep_env, tmp_path, *SMOKE, f"paths.root={tmp_path / 'out'}",
                    "study.name=nokey")
    process, _ = agent_process(config, sweep_env, tmp_path, "run0003")
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 2, output[-3000:]
    (line,) = [x for x in output.splitlines() if x.startswith("error:")]
    assert line.startswith("error: tracking.wandb.mode='auto': a W&B agent's run must be online")
    assert "WANDB_API_KEY" in line and "Traceback" not in output
    assert not (tmp_path / "out" / "nokey" / "trials").exists()  # nothing trained


@pytest.mark.slow
def test_an_agent_run_that_cannot_reach_wandb_fails_its_trial_naming_wandb(
        sweep_env: dict[str, str], tmp_path: Path, half_answering_server: str) -> None:
    """A key, and a server that never answers W&B's API: the trial fails with one line naming
    W&B, after tracking.wandb.agent_init_timeout; nothing is mirrored offline."""
    config = export(sweep_env, tmp_path, *SMOKE, f"paths.root={tmp_path / 'out'}",
                    "study.name=unreachable")
    env = {**sweep_env, "WANDB_API_KEY": "0123456789abcdef" * 2 + "fa4e5e7c",
           "WANDB_BASE_URL": half_answering_server}
    process, _ = agent_process(config, env, tmp_path, "run0004",
                               extra=("tracking.wandb.agent_init_timeout=3",))
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 1, output[-3000:]
    assert "a W&B agent's run: online" in output and "did not answer" not in output  # no probe
    (line,) = [x for x in output.splitlines() if "FAIL" in x]
    assert "W&B could not be reached from this W&B agent's run" in line
    study_dir = tmp_path / "out" / "unreachable"
    trial = only_trial(study_dir, "unreachable")
    assert trial.state.name == "FAIL"
    assert trial.user_attrs["fail_reason"].startswith("TrackerUnreachable: W&B could not")
    assert trial.user_attrs["epochs_run"] == 0  # it failed before training
    assert wandb_runs(study_dir) == []  # and left no offline run behind
