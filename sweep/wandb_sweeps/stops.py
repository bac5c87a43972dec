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

This leans on wandb's agent internals (`Agent._command_stop(self, command)`, dispatched by
`_process_command` for a `stop` command; `_run_processes` keyed by run id), checked before any
agent starts (`problems`, as sweep.core.optuna_api checks Optuna's): where they changed, one
line says so and the agents run unwrapped, every SIGTERM read as W&B's.

    python -m sweep.wandb_sweeps.stops [wandb agent's options] SWEEP_ID
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STOPS_ENV = "SWEEP_WANDB_STOPS"


CANNOT_TELL = "cannot-tell"  # marked when a stop could not be: every SIGTERM is then W&B's


def problems() -> list[str]:
    """What in wandb's agent differs from what the stop marking wraps ([] when all is as in
    the wandb versions tested: pyproject.toml's range)."""
    try:
        from wandb import wandb_agent

        agent = wandb_agent.Agent
        found = []
        stop = getattr(agent, "_command_stop", None)
        if not callable(stop) or list(inspect.signature(stop).parameters)[:2] != [
                "self", "command"]:
            found.append("Agent._command_stop(self, command) is gone")
        if "self._command_stop(" not in inspect.getsource(agent._process_command):
            found.append("Agent._process_command no longer dispatches stops to _command_stop")
        if "self._run_processes" not in inspect.getsource(agent.__init__):
            found.append("Agent has no _run_processes")
        return found
    except (ImportError, AttributeError, OSError, TypeError) as err:
        return [f"wandb's agent cannot be read ({type(err).__name__}: {err})"]


def fallback_line(found: Sequence[str]) -> str:
    """What the agents do when wandb's agent is not what the marking wraps."""
    return (f"wandb's agent differs from the versions sweep knows ({'; '.join(found)}): every "
            "SIGTERM an agent's trial gets is read as W&B's stop (pruned), as under `wandb "
            "agent` by hand; the agents run")


def record_wandb_stops(folder: Path) -> None:
    """In an agent's process: mark each run W&B asks to stop, then let wandb's agent stop it.

    The folder goes into this process's environment, which the agent copies to its runs."""
    from wandb import wandb_agent

    stop = wandb_agent.Agent._command_stop
    if getattr(stop, "marks_stops", False):
        return

    def command_stop(agent: Any, command: dict[str, Any]) -> Any:
        run_id = command.get("run_id")
        try:
            if run_id in agent._run_processes:
                (folder / str(run_id)).touch()
        except Exception as err:  # noqa: BLE001 - never in the agent's way; said, and then
            # every SIGTERM of this agent's runs is read as W&B's (asked_by_wandb: None)
            print(f"sweep: W&B's stop of run {run_id} could not be marked ({err}): its "
                  "runs read every SIGTERM as W&B's", file=sys.stderr, flush=True)
            with contextlib.suppress(OSError):
                (folder / CANNOT_TELL).touch()
        return stop(agent, command)

    command_stop.marks_stops = True  # type: ignore[attr-defined]
    wandb_agent.Agent._command_stop = command_stop  # type: ignore[method-assign]
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[STOPS_ENV] = str(folder)


def asked_by_wandb(environ: dict[str, str] | None = None) -> bool | None:
    """In a run: whether W&B asked its agent to stop it; None where the agent marks no stops."""
    environ = dict(os.environ) if environ is None else environ
    folder, run_id = environ.get(STOPS_ENV), environ.get("WANDB_RUN_ID")
    if not folder or not run_id or (Path(folder) / CANNOT_TELL).exists():
        return None
    return (Path(folder) / run_id).exists()


def main(argv: Sequence[str] | None = None) -> int:
    """wandb's `agent` command, in this process, with W&B's stops marked."""
    # A launcher started in the background (`&`, nohup) passes SIGINT on ignored; wandb's agent
    # reads its first one as "finish the run, then stop" (the launcher's budget), so it must land.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    found = problems()
    if found:
        print(f"sweep: {fallback_line(found)}", file=sys.stderr, flush=True)
        os.environ.pop(STOPS_ENV, None)  # the runs cannot tell: every SIGTERM is W&B's
    else:
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
