"""The W&B mirror: settings, the mode, and what trial runs hold."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import optuna
import pytest
from omegaconf import DictConfig

from sweep.core.errors import ConfigError
from sweep.core.plugins import load_callbacks
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.run.trial import run_trial
from sweep.study.closing import close_trial
from sweep.testing.commands import wandb_runs
from sweep.testing.fakes import plan_for
from sweep.tracking import wandb as wandb_mirror


@pytest.mark.parametrize(("override", "key"), [
    ("tracking.wandb.mode=maybe", "tracking.wandb.mode"),
    ("tracking.wandb.project=''", "tracking.wandb.project"),
    ("tracking.wandb.tags=solo", "tracking.wandb.tags"),
    ("tracking.wandb.init_timeout=0", "tracking.wandb.init_timeout"),
    ("tracking.wandb.agent_init_timeout=-1", "tracking.wandb.agent_init_timeout"),
    ("tracking.wandb.sweep=me/proj/abc/extra", "tracking.wandb.sweep"),
    ("tracking.wandb.sweep='https://wandb.ai/me/proj/runs/abc12345'", "tracking.wandb.sweep"),
    ("tracking.wandb.sweep=true", "tracking.wandb.sweep"),
])
def test_bad_wandb_settings_are_refused(compose_cfg: Callable[..., DictConfig], tmp_path: Path,
                                        override: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_callbacks(plan_for(compose_cfg(override), tmp_path))
    assert info.value.key == key


def test_disabled_wandb_has_no_hooks(compose_cfg: Callable[..., DictConfig],
                                     tmp_path: Path) -> None:
    plan = plan_for(compose_cfg("tracking.wandb.mode=disabled"), tmp_path)
    assert not any(load_callbacks(plan).hooks.values())


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
    """Real trainings through run_trial and close_trial: a trial pruned at epoch 0, one
    that fails, and the retry of the failed one, each a W&B run with its final state."""
    cfg = compose_cfg("debug=smoke", "tracking.wandb.mode=offline")
    plan = plan_for(cfg, tmp_path)
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
        close_trial(study, trial, outcome.state, outcome.value,
                    out_of_memory=outcome.out_of_memory, callbacks=callbacks)
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
    plan = plan_for(compose_cfg("tracking.wandb.mode=online", "tracking.wandb.init_timeout=2"),
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


@pytest.mark.parametrize("pasted", ["me/proj/abc12345",
                                    "https://wandb.ai/me/proj/sweeps/abc12345?workspace=x"])
def test_a_trial_run_lands_in_its_sweeps_entity_and_project(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path, offline_wandb: None,
        monkeypatch: pytest.MonkeyPatch, pasted: str) -> None:
    """wandb reads a sweep run's project from WANDB_PROJECT: the sweep's, not the settings'.
    (It reads the environment when it is first set up in a process, as in a worker's first
    trial: tests before this one set it up in this process, so it is torn down first.)"""
    import wandb

    from sweep.tracking.wandb.mirror import TrialMirror

    wandb.teardown()

    for name in ("WANDB_PROJECT", "WANDB_ENTITY", "WANDB_SWEEP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(wandb_mirror.MODE_ENV, "offline")
    plan = plan_for(compose_cfg("tracking.wandb.mode=offline"), tmp_path)
    mirror = TrialMirror(dict(plan.config["tracking"]["wandb"]), plan)
    run = mirror._init(sweep_id=str(wandb_mirror.parse_sweep(pasted)), job_type="trial",
                       name="trial-0000")
    try:
        assert (run.sweep_id, run.project, run.entity) == ("abc12345", "proj", "me")
    finally:
        run.finish()


def test_a_worker_set_up_first_still_puts_trial_runs_in_the_sweeps_project(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path, offline_wandb: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker sets wandb up before its first trial (on_worker_start), and wandb reads a
    sweep run's project from the environment then: the sweep's project and entity must be set
    by that time. A trial's run starts in a thread; its id is on the trial before it is told,
    though the trial ended before its first epoch."""
    import wandb

    from sweep.tracking.wandb.mirror import TrialMirror
    from sweep.tracking.wandb.sweep_join import SWEEP_ENV

    wandb.teardown()
    for name in ("WANDB_PROJECT", "WANDB_ENTITY", "WANDB_SWEEP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(wandb_mirror.MODE_ENV, "offline")
    monkeypatch.setenv(SWEEP_ENV, "me/proj/abc12345")
    plan = plan_for(compose_cfg("tracking.wandb.mode=offline"), tmp_path)
    mirror = TrialMirror(dict(plan.config["tracking"]["wandb"]), plan)
    mirror.on_worker_start()
    study = optuna.create_study(study_name="t", direction="maximize")
    trial = study.ask()
    mirror.on_trial_start(trial, {"params": {}, "train": {}, "fidelity": {}, "model": "m",
                                  "data": "d"})
    mirror.on_trial_closing(trial, optuna.trial.TrialState.FAIL)
    run = mirror.run
    assert (run.sweep_id, run.project, run.entity) == ("abc12345", "proj", "me")
    assert trial.user_attrs["wandb_run_id"] == run.id
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    mirror.on_trial_end(study.trials[0])
    assert mirror.run is None
    (kept,) = wandb_runs(Path(plan.study_dir))
    assert kept["name"] == "trial-0000" and kept["summary"]["state"] == "failed"


def _wandbs_stop_checker(stop_fn: Callable[[], None]) -> None:
    """What wandb does when the server says a run should stop ("Stop run" on its page): its
    stop checker calls the run's settings.stop_fn, here with a stand-in for the service that
    answers "stop". wandb < 0.28 has no run_stopping module: its checker calls stop_fn alone."""
    import asyncio
    from types import SimpleNamespace

    try:
        from wandb.sdk.lib import run_stopping
    except ImportError:
        stop_fn()
        return
    answer = SimpleNamespace(response=SimpleNamespace(
        stop_status_response=SimpleNamespace(run_should_stop=True)))

    class Service:
        async def deliver_async(self, request: object) -> object:
            async def wait_async(timeout: float | None) -> object:
                return answer
            return SimpleNamespace(wait_async=wait_async)

    async def check() -> None:
        await run_stopping._RunStopCheckerImpl(Service(), stop_fn, poll_interval=0.1).loop()

    asyncio.run(check())


@pytest.mark.slow
@pytest.mark.parametrize("asked", ["on its W&B page", "with Ctrl-C"])
def test_stop_run_on_the_wandb_page_is_the_users_stop_and_ctrl_c_an_interruption(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path, offline_wandb: None,
        asked: str) -> None:
    """A real training whose W&B run is stopped at its first epoch: from the run's page
    (wandb's stop checker, calling the stop_fn the mirror gave the run) it ends PRUNED with
    the user's reason and is never queued again, also in a process whose SIGINT is ignored;
    a Ctrl-C (wandb's default for a stop) stays an interruption, raised for the worker to
    record as interrupted and queue again."""
    import _thread
    import signal
    import threading

    cfg = compose_cfg("debug=smoke", "tracking.wandb.mode=offline", "trial.epochs=30",
                      "trial.patience=30")
    plan = plan_for(cfg, tmp_path)
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 24, 8, 64, 0))
    study = optuna.create_study(study_name="t", direction="maximize")
    callbacks = load_callbacks(plan)
    callbacks.fire("on_run_start", plan)
    mirror = next(hook.__self__ for hook in callbacks.hooks["on_trial_start"])  # type: ignore
    epochs: list[int] = []

    def stop_at_first_epoch(trial: optuna.Trial, epoch: int, *_: object) -> None:
        epochs.append(epoch)
        if len(epochs) == 1:
            stop_fn = mirror.run.settings.stop_fn
            assert stop_fn is not None  # the mirror's, in place of wandb's Ctrl-C
            threading.Thread(target=_wandbs_stop_checker if asked.startswith("on") else
                             lambda fn: _thread.interrupt_main(), args=(stop_fn,)).start()

    callbacks.add("on_epoch_end", stop_at_first_epoch)
    trial = study.ask({"lr0": optuna.distributions.FloatDistribution(1e-3, 1e-2, log=True)})
    if asked.startswith("with"):
        # a Ctrl-C reaches a process in the terminal's foreground, whose SIGINT Python handles
        # (pytest's own may be ignored: CI's, a background job's)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with pytest.raises(KeyboardInterrupt):
            run_trial(trial, plan.config, dataset, "yolo11n.yaml", Path(plan.study_dir), "cpu",
                      callbacks=callbacks)
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # started in the background: no signal needed
    outcome = run_trial(trial, plan.config, dataset, "yolo11n.yaml", Path(plan.study_dir), "cpu",
                        callbacks=callbacks)
    assert outcome.state.name == "PRUNED"
    assert outcome.attrs["stop_reason"] == "stopped from its W&B run page"
    assert outcome.attrs["epochs_run"] < 10  # stopped within an epoch or two, not at the end
    for key, value in outcome.attrs.items():
        trial.set_user_attr(key, value)
    close_trial(study, trial, outcome.state, outcome.value, callbacks=callbacks)
    assert [t.state.name for t in study.trials] == ["PRUNED"]  # nothing queued again
    (run,) = wandb_runs(Path(plan.study_dir))
    assert run["summary"]["state"] == "pruned"
    assert run["summary"]["stop_reason"] == "stopped from its W&B run page"
