"""One `wandb agent` per visible GPU (`python -m sweep.launch_agents SWEEP_ID [--count N]
[the sweep's overrides, budget=...]`).

For Kaggle's T4 x2 (any machine with several GPUs): each agent is its own process (several
`wandb.agent()` calls in one Python process fail: wandb issue 9654), pinned to one GPU with
CUDA_VISIBLE_DEVICES from the start (`--gpus cpu`: one agent, no GPU), started `--stagger`
seconds after the previous one (agents started together can be handed the same first
configuration: wandb issue 597), and logging to its own file. Each is wandb's own `agent`
command with W&B's stop commands marked (sweep.wandb_sweeps.stops), so that its runs tell a
stop W&B asked for from any other SIGTERM.

With `budget=` (and the overrides the sweep was exported with, which name its study), the
agents stop taking runs once the study's measured trials say another would eat into what the
race and the finalist need (sweep.study.budget_plan, as the main command's search): each agent is
asked once, as a first Ctrl-C asks it, to let its run finish and exit; the finale then runs in
what is left (`python -m sweep final.only=true budget=<the rest>`). An agent that wandb stops
(3 failed runs in its first 60 s, 5 failures in a row, a sweep it cannot find) is named with
wandb's reason and the last error its runs printed, one line each, and the launcher exits 1.
Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sweep.wandb_sweeps.stops import STOPS_ENV

CPU = "cpu"
POLL_S = 2.0
# wandb's agent, stopping itself (wandb_agent.py: termerror and its logger, both on stderr)
# ("Detected 3 failed runs in the first 60 seconds, shutting down.", "Detected 5 failed runs in a
# row, shutting down.", ...)
_WANDB_STOPPED = re.compile(r"(Detected [^\n]*shutting down\.|"
                            r"Sweep was deleted or agent was not found\.|"
                            r"Could not find sweep [^\n]*)")
_RUN_ERROR = re.compile(r"^(?:wandb: ERROR |error: )(.+)$", re.M)


@dataclass
class Agent:
    """One agent process, the log it writes and where this launch's part of it starts."""

    where: str
    log: Path
    offset: int
    process: subprocess.Popen[bytes]
    asked_to_stop: bool = False

    def stopped_itself(self) -> str | None:
        """wandb's reason, with the last error its runs printed, when wandb stopped this agent
        (not the launcher, not Ctrl-C); None otherwise."""
        if self.asked_to_stop:
            return None
        with open(self.log, "rb") as stream:
            stream.seek(self.offset)
            text = stream.read().decode(errors="replace")
        reason = _WANDB_STOPPED.findall(text)
        if not reason and self.process.returncode in (0, None):
            return None
        errors = [e for e in _RUN_ERROR.findall(text) if not _WANDB_STOPPED.search(e)]
        why = reason[-1] if reason else f"exited with code {self.process.returncode}"
        last = f"; its runs' last error: {errors[-1].strip()}" if errors else ""
        return f"agent on {self.where} stopped: {why}{last} (log: {self.log})"


def agent_command(sweep_id: str, count: int | None) -> list[str]:
    """wandb's `agent` command, run by sweep.wandb_sweeps.stops with this interpreter."""
    return [sys.executable, "-m", "sweep.wandb_sweeps.stops",
            *(["--count", str(count)] if count else []), sweep_id]


def agent_env(device: str, stops: Path | None) -> dict[str, str]:
    """An agent's environment: pinned to GPU `device` (none for `cpu`), this interpreter's
    folder first on PATH, and the folder where W&B's stops are marked (None: not marked).

    W&B's `${interpreter}` is the `python` found on PATH: from a virtualenv that is not
    activated, that would be another Python, without sweep ("No module named sweep")."""
    here = str(Path(sys.executable).parent)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "" if device == CPU else device,
           "PATH": os.pathsep.join([here, os.environ.get("PATH", "")])}
    if stops is None:
        env.pop(STOPS_ENV, None)
    else:
        env[STOPS_ENV] = str(stops)
    return env


def start(sweep_id: str, gpus: Sequence[str], count: int | None, stagger: float, logs: Path,
          mark_stops: bool) -> list[Agent]:
    """The agents, `stagger` seconds apart, each logging to its own file."""
    logs.mkdir(parents=True, exist_ok=True)
    agents: list[Agent] = []
    for index, device in enumerate(gpus):
        if index:
            time.sleep(stagger)
        name = CPU if device == CPU else f"gpu{device}"
        log = logs / f"agent-{name}.log"
        offset = log.stat().st_size if log.exists() else 0
        stops = (logs / f"wandb-stops-{name}").resolve() if mark_stops else None
        with open(log, "ab") as stream:
            process = subprocess.Popen(agent_command(sweep_id, count), stdout=stream,
                                       stderr=subprocess.STDOUT, env=agent_env(device, stops))
        where = "the CPU" if device == CPU else f"GPU {device}"
        agents.append(Agent(where, log, offset, process))
        print(f"agent on {where}: pid {process.pid}, log {log}", flush=True)
    return agents


def launch(sweep_id: str, gpus: Sequence[str], count: int | None, stagger: float,
           logs: Path, mark_stops: bool = True,
           no_trial_fits: Callable[[], str | None] | None = None) -> int:
    """Start the agents and wait for all; when `no_trial_fits()` gives a reason (the budget),
    ask each once to finish its run and stop. 0 when every agent ended as asked or by itself
    without an error, 1 when wandb stopped one (said, one line each), 130 on Ctrl-C."""
    print(f"agents run trials with {sys.executable} (its folder first on their PATH)",
          flush=True)
    agents: list[Agent] = []
    why = no_trial_fits() if no_trial_fits else None
    if why:
        print(f"{why}: no agent started", flush=True)
        return 0
    try:
        agents = start(sweep_id, gpus, count, stagger, logs, mark_stops)
        while any(agent.process.poll() is None for agent in agents):
            why = no_trial_fits() if no_trial_fits and not agents[0].asked_to_stop else None
            if why:
                print(f"{why}: each agent finishes its run and stops", flush=True)
                for agent in agents:
                    agent.asked_to_stop = True
                    if agent.process.poll() is None:
                        agent.process.send_signal(signal.SIGINT)
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the agents too: twice asked, wandb's agent stops its
        # runs (a SIGTERM without W&B's mark: recorded as interrupted, queued again) and exits;
        # asked once (no terminal), it lets its run finish first.
        for agent in agents:
            agent.process.send_signal(signal.SIGINT)
        for agent in agents:
            agent.process.wait()
        return 130
    stopped = [line for line in (agent.stopped_itself() for agent in agents) if line]
    for line in stopped:
        print(f"error: {line}", file=sys.stderr, flush=True)
    return 1 if stopped else 0
