"""One `wandb agent` per visible GPU (`python -m sweep.launch_agents SWEEP_ID [--count N]`).

For Kaggle's T4 x2 (any machine with several GPUs): each agent is its own process (several
`wandb.agent()` calls in one Python process fail: wandb issue 9654), pinned to one GPU with
CUDA_VISIBLE_DEVICES from the start (`--gpus cpu`: one agent, no GPU), started `--stagger`
seconds after the previous one (agents started together can be handed the same first
configuration: wandb issue 597), and logging to its own file. Each is wandb's own `agent`
command with W&B's stop commands marked (sweep.wandb_sweeps.stops), so that its runs tell a
stop W&B asked for from any other SIGTERM. Waits for every agent; Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sweep.wandb_sweeps.stops import STOPS_ENV

CPU = "cpu"


def agent_command(sweep_id: str, count: int | None) -> list[str]:
    """wandb's `agent` command, run by sweep.wandb_sweeps.stops with this interpreter."""
    return [sys.executable, "-m", "sweep.wandb_sweeps.stops",
            *(["--count", str(count)] if count else []), sweep_id]


def agent_env(device: str, stops: Path) -> dict[str, str]:
    """An agent's environment: pinned to GPU `device` (none for `cpu`), this interpreter's
    folder first on PATH, and the folder where W&B's stops are marked.

    W&B's `${interpreter}` is the `python` found on PATH: from a virtualenv that is not
    activated, that would be another Python, without sweep ("No module named sweep")."""
    here = str(Path(sys.executable).parent)
    return {**os.environ, "CUDA_VISIBLE_DEVICES": "" if device == CPU else device,
            "PATH": os.pathsep.join([here, os.environ.get("PATH", "")]), STOPS_ENV: str(stops)}


def launch(sweep_id: str, gpus: Sequence[str], count: int | None, stagger: float,
           logs: Path) -> int:
    """Start the agents, wait for all; the worst exit code."""
    logs.mkdir(parents=True, exist_ok=True)
    print(f"agents run trials with {sys.executable} (its folder first on their PATH)",
          flush=True)
    agents: list[subprocess.Popen[bytes]] = []
    try:
        for index, device in enumerate(gpus):
            if index:
                time.sleep(stagger)
            name = CPU if device == CPU else f"gpu{device}"
            log = logs / f"agent-{name}.log"
            with open(log, "ab") as stream:
                agents.append(subprocess.Popen(
                    agent_command(sweep_id, count), stdout=stream, stderr=subprocess.STDOUT,
                    env=agent_env(device, (logs / f"wandb-stops-{name}").resolve())))
            where = "the CPU" if device == CPU else f"GPU {device}"
            print(f"agent on {where}: pid {agents[-1].pid}, log {log}", flush=True)
        return max((agent.wait() for agent in agents), default=0)
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the agents too: twice asked, wandb's agent stops its
        # runs (a SIGTERM without W&B's mark: recorded as interrupted, queued again) and exits;
        # asked once (no terminal), it lets its run finish first.
        for agent in agents:
            agent.send_signal(signal.SIGINT)
        for agent in agents:
            agent.wait()
        return 130
