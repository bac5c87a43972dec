"""`python -m sweep.launch_agents SWEEP_ID [--count N]`: one `wandb agent` per visible GPU.

For Kaggle's T4 x2 (any machine with several GPUs): each agent is its own process (several
`wandb.agent()` calls in one Python process fail: wandb issue 9654), pinned to one GPU with
CUDA_VISIBLE_DEVICES from the start, started `--stagger` seconds after the previous one (agents
started together can be handed the same first configuration: wandb issue 597), and logging to
its own file. Waits for every agent; Ctrl-C stops them all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def visible_gpus(explicit: str | None = None) -> list[str]:
    """`--gpus`, else CUDA_VISIBLE_DEVICES, else every GPU `nvidia-smi` lists."""
    listed = explicit if explicit is not None else os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [gpu.strip() for gpu in listed.split(",") if gpu.strip() not in ("", "-1")]
    if shutil.which("nvidia-smi") is None:
        return []
    done = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                          capture_output=True, text=True, check=False)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] \
        if done.returncode == 0 else []


def agent_command(sweep_id: str, count: int | None) -> list[str]:
    wandb = shutil.which("wandb")
    base = [wandb] if wandb else [sys.executable, "-m", "wandb"]
    return [*base, "agent", *(["--count", str(count)] if count else []), sweep_id]


def launch(sweep_id: str, gpus: Sequence[str], count: int | None, stagger: float,
           logs: Path) -> int:
    """Start the agents, wait for all; the worst exit code."""
    logs.mkdir(parents=True, exist_ok=True)
    agents: list[subprocess.Popen[bytes]] = []
    try:
        for index, gpu in enumerate(gpus):
            if index:
                time.sleep(stagger)
            log = logs / f"agent-gpu{gpu}.log"
            with open(log, "ab") as stream:
                agents.append(subprocess.Popen(
                    agent_command(sweep_id, count), stdout=stream, stderr=subprocess.STDOUT,
                    env={**os.environ, "CUDA_VISIBLE_DEVICES": gpu}))
            print(f"agent on GPU {gpu}: pid {agents[-1].pid}, log {log}", flush=True)
        return max((agent.wait() for agent in agents), default=0)
    except KeyboardInterrupt:
        for agent in agents:
            agent.send_signal(signal.SIGINT)  # wandb agent stops its run and exits
        for agent in agents:
            agent.wait()
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sweep.launch_agents",
                                     description=__doc__.split("\n\n")[1])
    parser.add_argument("sweep_id", help="as `wandb sweep` printed it: entity/project/id")
    parser.add_argument("--count", type=int, default=None,
                        help="runs per agent (default: until the sweep ends)")
    parser.add_argument("--gpus", default=None,
                        help="GPU indices, e.g. 0,1 (default: CUDA_VISIBLE_DEVICES or all)")
    parser.add_argument("--stagger", type=float, default=10.0,
                        help="seconds between agent starts (default 10)")
    parser.add_argument("--logs", type=Path, default=Path("agent-logs"),
                        help="folder for agent-gpuN.log (default agent-logs)")
    args = parser.parse_args(argv)
    if args.count is not None and args.count < 1:
        parser.error("--count must be at least 1")
    gpus = visible_gpus(args.gpus)
    if not gpus:
        print("error: no GPU found (CUDA_VISIBLE_DEVICES, nvidia-smi). Fix: pass --gpus 0,1, "
              f"or on a CPU machine run one agent: wandb agent {args.sweep_id}", file=sys.stderr)
        return 2
    return launch(args.sweep_id, gpus, args.count, args.stagger, args.logs)


if __name__ == "__main__":
    sys.exit(main())
