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


def test_wandbs_own_dispatch_reaches_the_marking(wandbs_stop: None, tmp_path: Path) -> None:
    """A `stop` command as the agent's heartbeat hands it over: wandb's Agent._process_command
    dispatches it to the wrapped _command_stop, which marks the run, then wandb terminates it."""
    assert stops.problems() == []  # the installed wandb's agent is what the marking wraps
    folder = tmp_path / "stops"
    record_wandb_stops(folder)
    seen: list[bool] = []
    agent = wandb_agent.Agent(None, None, sweep_id="abc123")
    agent._run_processes["r1"] = SimpleNamespace(
        last_sigterm_time=None, terminate=lambda: seen.append((folder / "r1").exists()))
    answer = agent._process_command({"type": "stop", "run_id": "r1", "id": "c1"})
    assert "exception" not in answer, answer
    assert seen == [True]  # marked before wandb's SIGTERM


def test_a_mark_that_fails_makes_every_sigterm_wandbs(wandbs_stop: None, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """wandb's agent changed under the marking at run time: said in the agent's log, and its
    runs can no longer tell (None: read as W&B's stop), never silently an interruption."""
    folder = tmp_path / "stops"
    record_wandb_stops(folder)
    agent = SimpleNamespace(_kill_delay=0)  # no _run_processes: the marking cannot look
    with pytest.raises(AttributeError):
        wandb_agent.Agent._command_stop(agent, {"run_id": "r1"})  # wandb's own fails too
    assert "could not be marked" in capsys.readouterr().err
    assert asked_by_wandb({STOPS_ENV: str(folder), "WANDB_RUN_ID": "r1"}) is None
