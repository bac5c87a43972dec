"""A W&B sweep's finished runs brought into the study, through W&B's own public API against a
stand-in server that answers its queries for a sweep and its runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest

from sweep.testing.servers import serve_wandb_sweep_runs
from tests.conftest import ROOT

SMOKE = ("+experiment=yolo11n", "debug=smoke", "data=shapes", "model=yolo11n.yaml")
GOOD = {"space.batch": 8, "space.lr0": 0.01, "space.lrf": 0.05, "space.momentum": 0.9,
        "space.optimizer": "AdamW", "space.scale": 0.5}


def _run(name: str, state: str, summary: dict[str, Any], curve: list[float],
         **config: Any) -> dict[str, Any]:
    return {"name": name, "state": state, "config": {**GOOD, **config}, "summary": summary,
            "history": [{"_step": step, "fitness": value, "epoch": step}
                        for step, value in enumerate(curve)]}


RUNS = [
    # an agent of sweep's on another machine: sweep's own summary says how the trial ended
    _run("best01", "finished", {"state": "complete", "fitness": 0.61, "stop_reason": "completed"},
         [0.3, 0.61], **{"space.lr0": 0.002}),
    _run("prun02", "finished", {"state": "pruned", "fitness": 0.2,
                                "stop_reason": "stopped by W&B (early_terminate)"}, [0.1, 0.2]),
    # a run another program made: W&B's own state
    _run("kill03", "killed", {"fitness": 0.15}, [0.15]),
    _run("crash4", "crashed", {}, [0.05]),
    _run("range5", "finished", {"state": "complete", "fitness": 0.9}, [0.9],
         **{"space.lr0": 5.0}),
    _run("going6", "running", {}, [0.2]),
]


@pytest.fixture
def wandb_server() -> Iterator[tuple[str, list[str]]]:
    url, server, queries = serve_wandb_sweep_runs({"abc123": RUNS})
    yield url, queries
    server.shutdown()


def _env(sweep_env: dict[str, str], url: str, key: bool = True) -> dict[str, str]:
    env = {**sweep_env, "WANDB_BASE_URL": url}
    if key:
        env["WANDB_API_KEY"] = "k" * 40
    return env


def _import(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sweep.wandb_import", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_a_sweeps_finished_runs_become_trials_once(sweep_env: dict[str, str], tmp_path: Path,
                                                   wandb_server: tuple[str, list[str]]) -> None:
    url, queries = wandb_server
    overrides = (*SMOKE, f"paths.root={tmp_path / 'out'}", "study.name=imported")
    # the sweep page's address as the browser shows it: a tab and a query (which holds `=`)
    done = _import(_env(sweep_env, url), tmp_path, f"{url}/me/proj/sweeps/abc123/overview"
                   "?nw=nwuserme", *overrides)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {"GetSweep", "query Runs", "RunSampledHistory"} <= set(queries)
    lines = done.stdout.strip().splitlines()
    assert lines[-1].endswith("W&B sweep me/proj/abc123: 4 run(s) imported as trials 0, 1, 2, 3; "
                              "0 already in the study, 1 still running, 1 refused")
    refused = [line for line in lines if line.startswith("W&B run range5 refused")]
    assert len(refused) == 1 and "space.lr0" in refused[0] and "outside" in refused[0]
    study = optuna.load_study(study_name="imported",
                              storage=f"sqlite:///{tmp_path / 'out' / 'imported' / 'study.db'}")
    by_run = {t.user_attrs["wandb_run_id"]: t for t in study.trials}
    assert sorted(by_run) == ["best01", "crash4", "kill03", "prun02"]
    best = by_run["best01"]
    assert best.state.name == "COMPLETE" and best.value == pytest.approx(0.61)
    assert best.params == {k.removeprefix("space."): v for k, v in
                           {**GOOD, "space.lr0": 0.002}.items()}
    assert best.intermediate_values == {0: 0.3, 1: 0.61}
    assert best.user_attrs["worker"] == "wandb-import"
    assert best.user_attrs["wandb_sweep_id"] == "abc123"
    assert best.user_attrs["wandb_url"] == f"{url}/me/proj/runs/best01"
    assert best.user_attrs["stop_reason"] == "completed"
    assert by_run["prun02"].state.name == "PRUNED" and by_run["prun02"].value == 0.2
    killed = by_run["kill03"]  # W&B stopped it: pruned at its last value
    assert killed.state.name == "PRUNED" and killed.value == 0.15
    assert killed.user_attrs["stop_reason"] == "stopped by W&B (early_terminate)"
    assert by_run["crash4"].state.name == "FAIL"
    assert study.best_trial.number == best.number

    again = _import(_env(sweep_env, url), tmp_path, "me/proj/abc123", *overrides)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1].endswith(
        "0 run(s) imported as trials -; 4 already in the study, 1 still running, 1 refused")
    assert len(optuna.load_study(study_name="imported", storage=study._storage).trials) == 4


@pytest.mark.slow
def test_an_import_without_a_key_or_a_sweep_says_what_to_do(
        sweep_env: dict[str, str], tmp_path: Path, wandb_server: tuple[str, list[str]]) -> None:
    url, queries = wandb_server
    done = _import(_env(sweep_env, url, key=False), tmp_path, "abc123", *SMOKE,
                   f"paths.root={tmp_path}")
    assert done.returncode == 2 and not queries
    assert done.stderr.strip() == ("error: W&B cannot be asked for sweep abc123: no API key (set "
                                   "WANDB_API_KEY or run `wandb login`). Fix: run it where W&B "
                                   "is reachable with your key")
    done = _import(_env(sweep_env, url), tmp_path, *SMOKE)
    assert done.returncode == 2 and done.stderr.startswith("error: no W&B sweep given. usage:")
    done = _import(_env(sweep_env, url), tmp_path, "me/proj/abc/runs", *SMOKE)
    assert done.returncode == 2
    assert done.stderr.startswith("error: SWEEP='me/proj/abc/runs': not a W&B sweep id")
    done = _import(_env(sweep_env, url), tmp_path, "abc123", *SMOKE, f"paths.root={tmp_path}",
                   "study.objectives=[fitness,latency_ms]")
    assert done.returncode == 2 and not queries
    assert done.stderr.startswith("error: study.objectives=['fitness', 'latency_ms']: W&B "
                                  "sweeps optimise one metric")


@pytest.mark.slow
def test_a_sweep_wandb_does_not_know_is_one_line(sweep_env: dict[str, str], tmp_path: Path,
                                                 wandb_server: tuple[str, list[str]]) -> None:
    """A typo or another project: wandb's "Could not find sweep" becomes the setting's error,
    for the import and for final.only (before any training)."""
    url, _ = wandb_server
    done = _import(_env(sweep_env, url), tmp_path, f"{url}/me/proj/sweeps/nosuch1?nw=nwuserme",
                   *SMOKE, f"paths.root={tmp_path}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "error: SWEEP='me/proj/nosuch1': W&B has no sweep nosuch1 in me/proj. Fix: copy the id "
        "or URL from the sweep's page; a bare id is looked up in "
        "tracking.wandb.entity/tracking.wandb.project")
    done = subprocess.run(
        [sys.executable, "-m", "sweep", *SMOKE, f"paths.root={tmp_path}", "final.only=true",
         f"tracking.wandb.sweep={url}/me/proj/sweeps/nosuch1/table?nw=nwuserme",
         "tracking.wandb.mode=offline"],
        env=_env(sweep_env, url), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "error: tracking.wandb.sweep='me/proj/nosuch1': W&B has no sweep nosuch1 in me/proj. "
        "Fix: copy the id or URL from the sweep's page; a bare id is looked up in "
        "tracking.wandb.entity/tracking.wandb.project")
    assert not list(tmp_path.glob("*/trials"))  # nothing trained


@pytest.mark.slow
def test_final_only_imports_the_sweep_first_and_retrains_its_best(
        sweep_env: dict[str, str], tmp_path: Path, wandb_server: tuple[str, list[str]]) -> None:
    """final.only=true with tracking.wandb.sweep=<id>: the whole W&B sweep's best, at full
    size, although this study never saw its runs (the finalist's own run stays offline)."""
    url, _ = wandb_server
    result = subprocess.run(
        [sys.executable, "-m", "sweep", *SMOKE, f"paths.root={tmp_path}", "study.name=final",
         "final.only=true", "tracking.wandb.sweep=me/proj/abc123",
         "tracking.wandb.mode=offline"],
        env=_env(sweep_env, url), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "W&B sweep me/proj/abc123: 4 run(s) imported" in result.stdout
    summary = json.loads((tmp_path / "final" / "summary.json").read_text())
    assert summary["finalist"]["source_trial"] == 0  # best01
    assert summary["finalist"]["params"]["lr0"] == pytest.approx(0.002)


def test_final_only_without_wandb_says_the_studys_trials_decide(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from sweep.wandb_sweeps.importing import import_wandb_sweep

    for name in ("WANDB_API_KEY", "WANDB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent")
    console = Console(record=True, width=400)
    plan = SimpleNamespace(config={"tracking": {"wandb": {"sweep": "me/proj/abc123",
                                                          "mode": "auto"}}})
    import_wandb_sweep(plan, None, console)  # type: ignore[arg-type]
    assert console.export_text(clear=False).strip() == (
        "W&B sweep me/proj/abc123 not imported: no API key (set WANDB_API_KEY or run `wandb "
        "login`); the study's own trials decide (python -m sweep.wandb_import imports it later)")
    for settings in ({"sweep": "auto", "mode": "auto"}, {"sweep": None, "mode": "auto"},
                     {"sweep": "abc123", "mode": "disabled"}):
        plan.config["tracking"]["wandb"] = settings
        import_wandb_sweep(plan, None, console)  # type: ignore[arg-type]
    assert len(console.export_text().strip().splitlines()) == 1  # nothing more: not asked
