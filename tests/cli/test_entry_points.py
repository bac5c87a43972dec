"""Every command keeps its `python -m sweep.<name>` (the names users type, notebooks hold and
every exported W&B sweep runs) and its console script, though the code lives in sweep.cli."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module

import pytest
import tomllib

from tests.conftest import ROOT

COMMANDS = ["sweep", "sweep.agent", "sweep.wandb_sweep", "sweep.wandb_import",
            "sweep.launch_agents", "sweep.dashboard"]


@pytest.mark.parametrize("module", COMMANDS)
def test_python_dash_m_runs_the_command(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, text=True,
                          capture_output=True, timeout=120)
    said = (done.stdout + done.stderr).lower()
    assert "usage" in said or "override" in said, said[-2000:]
    # its own answer: help, or (wandb_import, which needs a sweep first) its usage line
    assert done.returncode == (2 if module == "sweep.wandb_import" else 0), said[-2000:]


def test_console_scripts_point_at_commands() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for target in scripts.values():
        module, function = target.split(":")
        assert callable(getattr(import_module(module), function))
