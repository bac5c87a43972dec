"""W&B's stops told from other SIGTERMs: wandb's own stop command, wrapped, marks the run."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from wandb import wandb_agent

from sweep.wandb_sweeps import stops
from sweep.wandb_sweeps.stops import STOPS_ENV, asked_by_wandb, record_wandb_stops


@pytest.fixture
def wandbs_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """wandb's Agent._command_stop and the environment restored after the test."""
    monkeypatch.setattr(wandb_agent.Agent, "_command_stop", wandb_agent.Agent._command_stop)
    monkeypatch.delenv(STOPS_ENV, raising=False)


def test_wandbs_stop_command_marks_the_run_before_its_sigterm(wandbs_stop: None,
                                                               tmp_path: Path) -> None:
    folder = tmp_path / "stops"
    record_wandb_stops(folder)
    record_wandb_stops(folder)  # once only, however often asked
    seen: list[tuple[str, bool]] = []
    run = SimpleNamespace(last_sigterm_time=None,
                          terminate=lambda: seen.append(("terminate", (folder / "r1").exists())),
                          kill=lambda: seen.append(("kill", True)))
    agent = SimpleNamespace(_kill_delay=0, _run_processes={"r1": run})
    wandb_agent.Agent._command_stop(agent, {"run_id": "r1"})  # wandb's own code sends SIGTERM
    wandb_agent.Agent._command_stop(agent, {"run_id": "r1"})  # still running: wandb kills it
    assert seen == [("terminate", True), ("kill", True)]  # marked before the first signal
    wandb_agent.Agent._command_stop(agent, {"run_id": "gone"})  # not running: nothing marked
    assert sorted(p.name for p in folder.iterdir()) == ["r1"]
    env = {STOPS_ENV: str(folder)}
    assert os.environ[STOPS_ENV] == str(folder)  # handed on to the runs the agent starts
    assert asked_by_wandb({**env, "WANDB_RUN_ID": "r1"}) is True
    assert asked_by_wandb({**env, "WANDB_RUN_ID": "r2"}) is False  # another sender
    assert asked_by_wandb({"WANDB_RUN_ID": "r1"}) is None  # an agent that marks no stops


def test_the_agent_command_is_wandbs(wandbs_stop: None, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(STOPS_ENV, str(tmp_path / "marks"))
    assert stops.main(["--help"]) == 0
    assert "Usage: wandb agent [OPTIONS] SWEEP_ID" in capsys.readouterr().out
    assert getattr(wandb_agent.Agent._command_stop, "marks_stops", False)
    assert (tmp_path / "marks").is_dir()
    assert stops.main([]) == 2  # wandb's own usage error: no sweep id
