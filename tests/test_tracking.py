"""Tracker events and the W&B mirror: events never hurt a sweep, modes are settled once, and
what a worker sends is read back from real W&B run files."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
from omegaconf import DictConfig, OmegaConf

from sweep import data as datasets
from sweep.errors import ConfigError
from sweep.plan import Plan
from sweep.shapes import ensure_shapes
from sweep.tracking import Callbacks, load_callbacks
from sweep.tracking import wandb as wandb_mirror
from sweep.training import drop_tracker_integrations
from sweep.trial import run_trial
from sweep.worker import tell
from tests.conftest import wandb_runs

# -- events ------------------------------------------------------------------------------------


def test_a_failing_tracker_is_warned_about_once_and_the_others_still_run(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[int] = []

    def broken(epoch: int) -> None:
        raise ConnectionError("no route to W&B")

    callbacks = Callbacks()
    callbacks.add("on_epoch_end", broken)
    callbacks.add("on_epoch_end", seen.append)
    with caplog.at_level(logging.WARNING):
        for epoch in range(3):
            callbacks.fire("on_epoch_end", epoch)
    assert seen == [0, 1, 2]
    warnings = [r for r in caplog.records if "no route to W&B" in r.getMessage()]
    assert len(warnings) == 1 and "on_epoch_end" in warnings[0].getMessage()


def test_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="on_epoch_end"):
        Callbacks().add("on_epoch", print)


def _plan(cfg: DictConfig, tmp_path: Path, **tracking: Any) -> Plan:
    config = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(config, dict)
    if tracking:
        config["tracking"] = tracking
    return Plan(config=config, study_name="t", storage_url=f"sqlite:///{tmp_path / 's.db'}",
                study_dir=str(tmp_path / "t"), data_yaml=str(tmp_path / "data.yaml"),
                model="yolo11n.yaml", run_id="r")


def test_unknown_tracker_is_a_config_error(compose_cfg: Callable[..., DictConfig],
                                           tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_callbacks(_plan(compose_cfg(), tmp_path, nope={}))
    assert info.value.key == "tracking.nope" and "wandb" in info.value.fix


def test_no_trackers(compose_cfg: Callable[..., DictConfig], tmp_path: Path) -> None:
    callbacks = load_callbacks(_plan(compose_cfg("tracking=[]"), tmp_path))
    assert not any(callbacks.hooks.values())


@pytest.mark.parametrize(("override", "key"), [
    ("tracking.wandb.mode=maybe", "tracking.wandb.mode"),
    ("tracking.wandb.project=''", "tracking.wandb.project"),
    ("tracking.wandb.tags=solo", "tracking.wandb.tags"),
    ("tracking.wandb.init_timeout=0", "tracking.wandb.init_timeout"),
])
def test_bad_wandb_settings_are_refused(compose_cfg: Callable[..., DictConfig], tmp_path: Path,
                                        override: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_callbacks(_plan(compose_cfg(override), tmp_path))
    assert info.value.key == key


def test_disabled_wandb_has_no_hooks(compose_cfg: Callable[..., DictConfig],
                                     tmp_path: Path) -> None:
    plan = _plan(compose_cfg("tracking.wandb.mode=disabled"), tmp_path)
    assert not any(load_callbacks(plan).hooks.values())


# -- settling the mode -------------------------------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_auto_without_a_key_is_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    mode, why = wandb_mirror.resolve_mode("auto")
    assert mode == "offline" and "no API key" in str(why)


def test_a_key_and_no_server_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", _closed_port_url())
    for wanted in ("auto", "online"):
        mode, why = wandb_mirror.resolve_mode(wanted)
        assert mode == "offline" and "did not answer" in str(why)


def test_a_key_in_netrc_and_an_answering_server_is_online(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, half_answering_server: str) -> None:
    host = half_answering_server.split("//")[1].split(":")[0]
    (tmp_path / "netrc").write_text(f"machine {host}\n  login user\n  password {'k' * 40}\n")
    (tmp_path / "netrc").chmod(0o600)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    monkeypatch.setenv("WANDB_BASE_URL", half_answering_server)
    assert wandb_mirror.resolve_mode("auto") == ("online", None)


# -- Ultralytics' own integrations -------------------------------------------------------------


def _from(module: str, calls: list[str]) -> Callable[[Any], None]:
    def callback(trainer: Any) -> None:
        calls.append(module)

    callback.__module__ = module
    return callback


def test_ultralytics_tracker_integrations_are_dropped_before_they_run() -> None:
    """Run the event as Ultralytics does (a plain loop over the list): the integrations after
    sweep's callback never run, in this event or any later one."""
    calls: list[str] = []
    base = "ultralytics.utils.callbacks."
    start = [_from(f"{base}base", calls), drop_tracker_integrations,
             _from(f"{base}mlflow", calls), _from(f"{base}platform", calls),
             _from(f"{base}wb", calls)]
    trainer = type("Trainer", (), {})()
    trainer.callbacks = {"on_pretrain_routine_start": start,
                         "on_fit_epoch_end": [_from(f"{base}dvc", calls),
                                              _from(f"{base}tensorboard", calls)]}
    for event in ("on_pretrain_routine_start", "on_fit_epoch_end"):
        for callback in trainer.callbacks[event]:
            callback(trainer)
    assert calls == [f"{base}base", f"{base}platform", f"{base}tensorboard"]


# -- the mirror as a worker runs it, read back from W&B's files ---------------------------------


@pytest.fixture
def offline_wandb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WANDB_CACHE_DIR", "WANDB_DATA_DIR", "WANDB_CONFIG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in ("WANDB_API_KEY", "WANDB_MODE", "WANDB_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(wandb_mirror.MODE_ENV, "unset")  # restored after on_run_start sets it


@pytest.mark.slow
def test_worker_mirrors_pruned_failed_and_retried_trials(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path, offline_wandb: None) -> None:
    """Real trainings through run_trial and the worker's tell: a trial pruned at epoch 0, one
    that fails, and the retry of the failed one, each a W&B run with its final state."""
    cfg = compose_cfg("debug=smoke", "tracking.wandb.mode=offline")
    plan = _plan(cfg, tmp_path)
    config = plan.config
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 24, 8, 64, 0))
    study = optuna.create_study(study_name="t", direction="maximize",
                                pruner=optuna.pruners.ThresholdPruner(lower=2.0))
    callbacks = load_callbacks(plan)
    callbacks.fire("on_run_start", plan)
    distributions = {"lr0": optuna.distributions.FloatDistribution(1e-3, 1e-2, log=True)}

    def one(model: str) -> optuna.trial.FrozenTrial:
        trial = study.ask(fixed_distributions=distributions)
        outcome = run_trial(trial, config, dataset, model, Path(plan.study_dir), "cpu",
                            callbacks=callbacks)
        for key, value in outcome.attrs.items():
            trial.set_user_attr(key, value)
        tell(study, trial, outcome.state, outcome.value, callbacks)
        return study.trials[trial.number]

    pruned = one("yolo11n.yaml")
    failed = one(str(tmp_path / "no-such-model.yaml"))
    study.enqueue_trial(failed.params, user_attrs={"retry_of": failed.number})
    retry = one("yolo11n.yaml")
    assert [t.state.name for t in (pruned, failed, retry)] == ["PRUNED", "FAIL", "PRUNED"]

    runs = {r["name"]: r for r in wandb_runs(Path(plan.study_dir))}
    assert set(runs) == {"trial-0000", "trial-0001", "trial-0002"}
    for number, run in enumerate(runs[f"trial-{n:04d}"] for n in range(3)):
        assert run["job_type"] == "trial" and run["group"] == "t"
        assert study.trials[number].user_attrs["wandb_run_id"] == run["id"]
        assert "wandb_url" not in study.trials[number].user_attrs  # offline: no URL
        assert run["config"]["optuna"]["trial"] == number
        assert run["config"]["optuna"]["study"] == "t"
        assert run["config"]["space.lr0"] == study.trials[number].params["lr0"]
        assert run["config"]["fidelity"]["subset_size"] == 12
        assert run["config"]["fidelity"]["epochs"] == config["trial"]["epochs"]
        assert run["config"]["train"]["imgsz"] == 64
    first = runs["trial-0000"]
    assert first["summary"]["state"] == "pruned" and first["summary"]["pruned_at_epoch"] == 0
    assert first["exit_code"] == 0
    (epoch0,) = first["history"]
    assert epoch0["_step"] == 0 and "fitness" in epoch0
    assert {"train/box_loss", "metrics/mAP50(B)", "val/box_loss", "lr/pg0"} <= set(epoch0)
    broken = runs["trial-0001"]
    assert broken["summary"]["state"] == "failed" and broken["exit_code"] == 1
    assert "no-such-model" in broken["summary"]["fail_reason"]
    assert runs["trial-0002"]["config"]["retry_of"] == {
        "trial": 1, "wandb_run_id": broken["id"], "wandb_url": None}


@pytest.mark.slow
def test_online_init_that_hangs_falls_back_to_offline_once(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path, offline_wandb: None,
        half_answering_server: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A key, a server that answers the probe, and a wandb.init that never completes: the
    first run waits init_timeout, then this process mirrors offline without trying again."""
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", half_answering_server)
    plan = _plan(compose_cfg("tracking.wandb.mode=online", "tracking.wandb.init_timeout=2"),
                 tmp_path)
    mirror = wandb_mirror.WandbMirror(dict(plan.config["tracking"]["wandb"]), plan)
    mirror.on_run_start(plan)
    assert mirror.mode == "online"
    study = optuna.create_study(study_name="t", direction="maximize")
    info = {"params": {}, "train": {}, "fidelity": {}, "model": "m", "data": "d"}
    for _ in range(2):
        trial = study.ask()
        mirror.on_trial_start(trial, info)
        mirror.on_epoch_end(trial, 0, 0.5, {"metrics/mAP50(B)": 0.7})
        study.tell(trial, 0.5)
        mirror.on_trial_end(study.trials[trial.number])
    assert mirror.mode == "offline"
    assert capsys.readouterr().out.count("online init failed") == 1
    runs = wandb_runs(Path(plan.study_dir))
    assert sorted(r["name"] for r in runs) == ["trial-0000", "trial-0001"]
    assert all(r["summary"]["state"] == "complete" and r["history"] for r in runs)
