"""The launcher: one staggered agent per GPU, and a clear word without one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

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
        print("agent says hi")
        sys.exit(0)


cli = _Cli()
"""


def _fake_wandb(folder: Path) -> Path:
    """A stand-in `wandb` package: its `agent` command records how it was started."""
    package = folder / "wandb"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "wandb_agent.py").write_text(
        "class Agent:\n    def _command_stop(self, command):\n        pass\n")
    (package / "cli" / "__init__.py").write_text("")
    (package / "cli" / "cli.py").write_text(_FAKE_CLI)
    return folder


def _calls(calls: Path) -> list[list[str]]:
    return sorted(p.read_text().split("\n") for p in calls.iterdir())


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
