"""The launcher: one staggered agent per GPU, and a clear word without one."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _fake_tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


_FAKE_CLI = """
import os, shutil, sys, time
from pathlib import Path


class _Cli:
    def main(self, args, prog_name, standalone_mode):
        from wandb import wandb_agent  # what sweep.wandb_sweeps.stops wrapped

        lines = [repr(time.time()), os.environ["CUDA_VISIBLE_DEVICES"], " ".join(args),
                 os.environ.get("SWEEP_WANDB_STOPS", ""), shutil.which("python") or "",
                 str(getattr(wandb_agent.Agent._command_stop, "marks_stops", False))]
        Path(os.environ["CALLS"], str(os.getpid())).write_text("\\n".join(lines))
        print("agent says hi", flush=True)
        behaviour = os.environ.get("FAKE_AGENT", "")
        if behaviour == "forever":  # takes runs until a first Ctrl-C, as wandb's agent does
            try:  # long enough for a loaded machine; the launcher's Ctrl-C ends it
                time.sleep(600)
            except KeyboardInterrupt:
                print("ctrl-c received. Waiting for runs to end.", flush=True)
        if behaviour == "fails":  # what its runs and wandb's agent print when wandb stops it
            print("error: data='/nope/data.yaml': no such file. Fix: point data= at it")
            print("wandb: ERROR Detected 3 failed runs in the first 60 seconds, shutting down.")
        sys.exit(0)


cli = _Cli()
"""


_FAKE_AGENT = """
class Agent:
    def __init__(self, api, queue):
        self._run_processes = {}

    def _process_command(self, command):
        if command["type"] == "stop":
            return self._command_stop(command)

    def _command_stop(self, command):
        pass
"""


def _fake_wandb(folder: Path, agent: str = _FAKE_AGENT) -> Path:
    """A stand-in `wandb` package: its `agent` command records how it was started; its agent
    has the internals sweep wraps, as wandb's (`agent`: another wandb_agent.py)."""
    package = folder / "wandb"
    (package / "cli").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "wandb_agent.py").write_text(agent)
    (package / "cli" / "__init__.py").write_text("")
    (package / "cli" / "cli.py").write_text(_FAKE_CLI)
    return folder


def _calls(calls: Path) -> list[list[str]]:
    return sorted(p.read_text().split("\n") for p in calls.iterdir())


@pytest.mark.slow
def test_launcher_pins_one_staggered_agent_per_gpu(tmp_path: Path) -> None:
    """A fake `nvidia-smi` lists two GPUs; wandb's `agent` command (a stand-in) records how it
    was started: pinned, staggered, with W&B's stops marked in a folder per agent."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    calls.mkdir()
    _fake_tool(bin_dir, "nvidia-smi", 'echo 0\necho 1\n')
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = f"{_fake_wandb(tmp_path / 'fake')}{os.pathsep}{ROOT}"
    env["CALLS"] = str(calls)
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "me/proj/abc123",
                           "--count", "5", "--stagger", "3", "--logs", str(tmp_path / "logs")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    started = _calls(calls)
    assert [gpu for _, gpu, *_ in started] == ["0", "1"]  # one agent per GPU, each pinned
    assert all(args == "agent --count 5 me/proj/abc123" for _, _, args, *_ in started)
    # staggered (each time is taken once its Python has started: allow for that under load)
    assert float(started[1][0]) - float(started[0][0]) >= 2.0
    stops = [Path(line[3]) for line in started]
    assert stops == [(tmp_path / "logs" / f"wandb-stops-gpu{gpu}").resolve() for gpu in "01"]
    assert all(line[5] == "True" for line in started)  # wandb's stop command marks the run
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir() if p.suffix == ".log")
    assert logs == ["agent-gpu0.log", "agent-gpu1.log"]
    assert (tmp_path / "logs" / "agent-gpu1.log").read_text() == "agent says hi\n"
    # CUDA_VISIBLE_DEVICES already set (a notebook that pinned GPUs) is the list to use
    env["CUDA_VISIBLE_DEVICES"] = "1"
    for p in calls.iterdir():
        p.unlink()
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and [c[1:3] for c in _calls(calls)] == [["1", "agent abc123"]]
    # the sweep page's URL, as users copy it: wandb agent gets entity/project/id
    for p in calls.iterdir():
        p.unlink()
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents",
                           "https://wandb.ai/me/proj/sweeps/abc123?workspace=me"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and [c[2] for c in _calls(calls)] == ["agent me/proj/abc123"]
    # a CPU machine: one agent that sees no GPU
    for p in calls.iterdir():
        p.unlink()
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123", "--gpus",
                           "cpu", "--logs", str(tmp_path / "cpu-logs")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and [c[1:3] for c in _calls(calls)] == [["", "agent abc123"]]
    assert "agent on the CPU" in done.stdout
    assert (tmp_path / "cpu-logs" / "agent-cpu.log").read_text() == "agent says hi\n"


def test_launcher_without_a_gpu_says_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(PATH=str(tmp_path), PYTHONPATH=str(ROOT))  # no nvidia-smi
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no GPU found" in done.stderr
    assert "python -m sweep.launch_agents abc123 --gpus cpu" in done.stderr


def test_agents_run_this_interpreter(tmp_path: Path) -> None:
    """W&B's ${interpreter} is `python` on PATH: the agents find this one first."""
    calls = tmp_path / "calls"
    calls.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(PATH=f"/usr/bin{os.pathsep}/bin", CALLS=str(calls),
               PYTHONPATH=f"{_fake_wandb(tmp_path / 'fake')}{os.pathsep}{ROOT}")
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123", "--gpus", "0",
                           "--logs", str(tmp_path / "logs")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"agents run trials with {sys.executable}" in done.stdout
    (call,) = _calls(calls)
    assert Path(call[4]).parent == Path(sys.executable).parent


def test_launcher_refuses_what_is_not_a_sweep_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "0"}
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "me/proj/abc/runs"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: sweep_id='me/proj/abc/runs': not a W&B sweep id")
    assert len(done.stderr.splitlines()) == 1 and "Fix:" in done.stderr


def _launch(tmp_path: Path, *args: str, agent: str, gpus: str = "0,1",
            in_background: bool = False) -> subprocess.CompletedProcess[str]:
    """The launcher with the fake wandb; `in_background`: as a shell starts a job with `&` or
    nohup, SIGINT ignored, which its children inherit."""
    calls = tmp_path / "calls"
    calls.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(CALLS=str(calls), FAKE_AGENT=agent,
               PYTHONPATH=f"{_fake_wandb(tmp_path / 'fake')}{os.pathsep}{ROOT}")
    return subprocess.run([sys.executable, "-m", "sweep.launch_agents", "me/proj/abc123",
                           "--gpus", gpus, "--stagger", "0", "--logs", str(tmp_path / "logs"),
                           *args], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, preexec_fn=(lambda: signal.signal(
                              signal.SIGINT, signal.SIG_IGN)) if in_background else None)


@pytest.mark.slow
def test_an_agent_wandb_stops_is_named_with_its_reason(tmp_path: Path) -> None:
    done = _launch(tmp_path, agent="fails")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2  # one line per agent
    for gpu, line in zip("01", lines, strict=True):
        assert line == (f"error: agent on GPU {gpu} stopped: Detected 3 failed runs in the first "
                        "60 seconds, shutting down.; its runs' last error: data='/nope/data.yaml':"
                        " no such file. Fix: point data= at it (log: "
                        f"{tmp_path / 'logs' / f'agent-gpu{gpu}.log'})")
    assert _launch(tmp_path, agent="").returncode == 0  # earlier sessions' lines are not read


@pytest.mark.slow
def test_with_a_budget_agents_stop_taking_runs_in_time_for_the_finale(tmp_path: Path) -> None:
    """Once the study's trials say one takes 10 x 100 s, a 90 s budget holds no further one:
    each agent is asked once to finish its run and stop (no failure), even when the launcher
    runs in the background with SIGINT ignored; launched again, none starts."""
    import optuna

    overrides = ["+experiment=yolo11n", "debug=smoke", "data=shapes", "model=yolo11n.yaml",
                 f"paths.root={tmp_path / 'out'}", "study.name=agents"]
    storage = f"sqlite:///{tmp_path / 'out' / 'agents' / 'study.db'}"

    def a_long_trial_ends() -> None:  # as an agent's trial would record it, once both run
        logs = [tmp_path / "logs" / f"agent-gpu{gpu}.log" for gpu in "01"]
        while not all(log.exists() and "hi" in log.read_text() for log in logs):
            time.sleep(0.2)
        study = optuna.load_study(study_name="agents", storage=storage)
        study.add_trial(optuna.trial.create_trial(value=0.5, user_attrs={
            "epoch_s": 100.0, "wall_time_s": 1000.0, "epochs_run": 10, "run_id": "agent"}))

    measured = threading.Thread(target=a_long_trial_ends, daemon=True)
    measured.start()
    done = _launch(tmp_path, *overrides, "budget=90s", agent="forever", in_background=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("budget 90s: another trial would eat into what the race and the finalist need: "
            "each agent finishes its run and stops") in done.stdout
    for gpu in "01":
        log = (tmp_path / "logs" / f"agent-gpu{gpu}.log").read_text()
        assert "ctrl-c received" in log  # asked once: its run (none here) finishes first
    started = len(list((tmp_path / "calls").iterdir()))
    again = _launch(tmp_path, *overrides, "budget=90s", agent="forever")
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] == (
        "budget 90s: another trial would eat into what the race and the finalist need: no "
        "agent started")
    bad = _launch(tmp_path, "+experiment=yolo11n", "budget=soon", agent="forever")
    assert bad.returncode == 2 and bad.stderr.startswith("error: budget='soon'")
    assert len(list((tmp_path / "calls").iterdir())) == started  # neither started an agent


def test_a_changed_wandb_agent_is_said_and_every_sigterm_read_as_wandbs(tmp_path: Path) -> None:
    """wandb renamed what the stop marking wraps: one line at the start, the agents run
    unwrapped, and their runs get no stops folder (asked_by_wandb: None, W&B's stop)."""
    calls = tmp_path / "calls"
    calls.mkdir()
    renamed = _FAKE_AGENT.replace("self._command_stop(command)", "self._stop(command)")
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(CALLS=str(calls), SWEEP_WANDB_STOPS="/somewhere/else",
               PYTHONPATH=f"{_fake_wandb(tmp_path / 'fake', renamed)}{os.pathsep}{ROOT}")
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123", "--gpus", "0",
                           "--logs", str(tmp_path / "logs")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "note: wandb's agent differs from the versions sweep knows (Agent._process_command no "
        "longer dispatches stops to _command_stop): every SIGTERM an agent's trial gets is read "
        "as W&B's stop (pruned), as under `wandb agent` by hand; the agents run")
    (call,) = _calls(calls)
    assert call[3] == "" and call[5] == "False"  # no stops folder, _command_stop not wrapped
