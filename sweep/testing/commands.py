"""The real commands in a subprocess, and what they leave read back: for the tests and the
benchmark scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parents[2]


def run_sweep_or_exit(overrides: Sequence[str], what: str, cwd: Path | None = None
                      ) -> subprocess.CompletedProcess[str]:
    """`python -m sweep <overrides>` from this checkout (first on PYTHONPATH), output captured.
    A benchmark cannot go on without the run, so a failure exits with `what` and its output's
    tail."""
    env = {**os.environ,
           "PYTHONPATH": str(CHECKOUT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "sweep", *overrides], env=env, cwd=cwd,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{what}: exit {done.returncode}\n{done.stdout[-3000:]}\n"
                         f"{done.stderr[-2000:]}")
    return done


def run_sweep(env: dict[str, str], *args: str, cwd: Path | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """The real command, `python -m sweep ARGS`, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "sweep", *args], env=env, cwd=cwd or CHECKOUT,
                          capture_output=True, text=True, timeout=timeout)


def wandb_runs(study_dir: Path) -> list[dict[str, Any]]:
    """The W&B runs under `study_dir/wandb`, read back with wandb's own reader of run files
    (`wandb leet inspect --json`): name, job type, group, sweep id, config, history, summary,
    exit code, artifacts."""
    runs = []
    for run_dir in sorted((study_dir / "wandb").glob("offline-run-*")):
        done = subprocess.run([sys.executable, "-m", "wandb", "leet", "inspect", "--json",
                               str(run_dir)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        run: dict[str, Any] = {"dir": run_dir, "history": [], "summary": {}, "artifacts": [],
                               "exit_code": None}
        for line in done.stdout.splitlines():
            record = json.loads(line)
            kind, body = record["type"], record.get(record["type"], {})
            if kind == "run":
                run.update(name=body.get("display_name"), job_type=body.get("job_type"),
                           group=body.get("run_group"), id=body.get("run_id"),
                           notes=body.get("notes"), sweep_id=body.get("sweep_id"),
                           config=body.get("config", {}).get("update", {}))
            elif kind == "history":
                run["history"].append({**body["item"], "_step": body["step"].get("num", 0)})
            elif kind == "summary":
                run["summary"].update(body.get("update", {}))
            elif kind == "artifact":
                run["artifacts"].append(body)
            elif kind == "exit":
                run["exit_code"] = body.get("exit_code", 0)
        runs.append(run)
    return runs


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command's own message: one `error:` line on stderr, and no traceback anywhere."""
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    return errors[0]
