"""One `wandb agent` per visible GPU (`python -m sweep.launch_agents SWEEP_ID [--count N]`).

For Kaggle's T4 x2 (any machine with several GPUs): each agent is its own process (several
`wandb.agent()` calls in one Python process fail: wandb issue 9654), pinned to one GPU with
CUDA_VISIBLE_DEVICES from the start, started `--stagger` seconds after the previous one (agents
started together can be handed the same first configuration: wandb issue 597), and logging to
its own file. Waits for every agent; Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def agent_command(sweep_id: str, count: int | None) -> list[str]:
    wandb = shutil.which("wandb")
    base = [wandb] if wandb else [sys.executable, "-m", "wandb"]
    return [*base, "agent", *(["--count", str(count)] if count else []), sweep_id]


def agent_env(gpu: str) -> dict[str, str]:
    """An agent's environment: pinned to `gpu`, and this interpreter's folder first on PATH.

    W&B's `${interpreter}` is the `python` found on PATH: from a virtualenv that is not
    activated, that would be another Python, without sweep ("No module named sweep")."""
    here = str(Path(sys.executable).parent)
    return {**os.environ, "CUDA_VISIBLE_DEVICES": gpu,
            "PATH": os.pathsep.join([here, os.environ.get("PATH", "")])}


def launch(sweep_id: str, gpus: Sequence[str], count: int | None, stagger: float,
           logs: Path) -> int:
    """Start the agents, wait for all; the worst exit code."""
    logs.mkdir(parents=True, exist_ok=True)
    print(f"agents run trials with {sys.executable} (its folder first on their PATH)",
          flush=True)
    agents: list[subprocess.Popen[bytes]] = []
    try:
        for index, gpu in enumerate(gpus):
            if index:
                time.sleep(stagger)
            log = logs / f"agent-gpu{gpu}.log"
            with open(log, "ab") as stream:
                agents.append(subprocess.Popen(
                    agent_command(sweep_id, count), stdout=stream, stderr=subprocess.STDOUT,
                    env=agent_env(gpu)))
            print(f"agent on GPU {gpu}: pid {agents[-1].pid}, log {log}", flush=True)
        return max((agent.wait() for agent in agents), default=0)
    except KeyboardInterrupt:
        for agent in agents:
            agent.send_signal(signal.SIGINT)  # wandb agent stops its run and exits
        for agent in agents:
            agent.wait()
        return 130
