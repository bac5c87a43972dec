"""Which SIGTERM is W&B's.

`wandb agent` stops a run with SIGTERM when W&B asks it to (the sweep's `early_terminate`, or
Stop on the sweep's page: a `stop` command in the agent's heartbeat), but also at its own
shutdown (a second Ctrl-C, or `--forward-signals`), and so does anyone's `kill` or a notebook
host ending its session. wandb tells the run nothing more: the agent logs "Stop: <run id>" to
its own stderr only. So the agents sweep starts (`python -m sweep.launch_agents`) run wandb's
own `agent` command with its stop command wrapped: before the agent's SIGTERM it marks the run,
a file named by the run's id in the folder `SWEEP_WANDB_STOPS` names, which the agent hands on
to the runs it starts. A SIGTERM with that mark is W&B's; one without it is an interruption.
A run under an agent started otherwise (`wandb agent` by hand) cannot tell: its SIGTERM is read
as W&B's, as wandb means it.

    python -m sweep.wandb_sweeps.stops [wandb agent's options] SWEEP_ID
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STOPS_ENV = "SWEEP_WANDB_STOPS"


def record_wandb_stops(folder: Path) -> None:
    """In an agent's process: mark each run W&B asks to stop, then let wandb's agent stop it.

    The folder goes into this process's environment, which the agent copies to its runs."""
    from wandb import wandb_agent

    stop = wandb_agent.Agent._command_stop
    if getattr(stop, "marks_stops", False):
        return

    def command_stop(agent: Any, command: dict[str, Any]) -> Any:
        with contextlib.suppress(OSError, KeyError, TypeError, AttributeError):  # never in
            if command["run_id"] in agent._run_processes:                      # the agent's way
                (folder / str(command["run_id"])).touch()
        return stop(agent, command)

    command_stop.marks_stops = True  # type: ignore[attr-defined]
    wandb_agent.Agent._command_stop = command_stop
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[STOPS_ENV] = str(folder)


def asked_by_wandb(environ: dict[str, str] | None = None) -> bool | None:
    """In a run: whether W&B asked its agent to stop it; None where the agent marks no stops."""
    environ = dict(os.environ) if environ is None else environ
    folder, run_id = environ.get(STOPS_ENV), environ.get("WANDB_RUN_ID")
    if not folder or not run_id:
        return None
    return (Path(folder) / run_id).exists()


def main(argv: Sequence[str] | None = None) -> int:
    """wandb's `agent` command, in this process, with W&B's stops marked."""
    folder = os.environ.get(STOPS_ENV) or tempfile.mkdtemp(prefix="sweep-wandb-stops-")
    record_wandb_stops(Path(folder))
    from wandb.cli.cli import cli

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=["agent", *args], prog_name="wandb", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
