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
    # the sweep page's URL, as users copy it: wandb agent gets entity/project/id
    for p in calls.iterdir():
        p.unlink()
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents",
                           "https://wandb.ai/me/proj/sweeps/abc123?workspace=me"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and [p.read_text().splitlines()[2]
                                     for p in calls.iterdir()] == ["agent me/proj/abc123"]


def test_launcher_without_a_gpu_says_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(PATH=str(tmp_path), PYTHONPATH=str(ROOT))  # no nvidia-smi
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no GPU found" in done.stderr and "wandb agent abc123" in done.stderr


def test_agents_run_this_interpreter(tmp_path: Path) -> None:
    """W&B's ${interpreter} is `python` on PATH: the agents find this one first."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_tool(bin_dir, "wandb", f'command -v python > {tmp_path}/python-$CUDA_VISIBLE_DEVICES\n')
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env.update(PATH=f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "abc123", "--gpus", "0",
                           "--logs", str(tmp_path / "logs")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"agents run trials with {sys.executable}" in done.stdout
    found = Path((tmp_path / "python-0").read_text().strip())
    assert found.parent == Path(sys.executable).parent


def test_launcher_refuses_what_is_not_a_sweep_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "0"}
    done = subprocess.run([sys.executable, "-m", "sweep.launch_agents", "me/proj/abc/runs"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: sweep_id='me/proj/abc/runs': not a W&B sweep id")
    assert len(done.stderr.splitlines()) == 1 and "Fix:" in done.stderr
