"""The Kaggle notebook is valid and calls only what exists."""

from __future__ import annotations

import ast
import importlib.util
import os
import shlex
import shutil

import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "scripts" / "kaggle_t4x2.ipynb"


def _shell_commands(source: str) -> list[list[str]]:
    commands = []
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("!"):
            command = line[1:].split(">")[0].split("|")[0]
            commands.append(shlex.split(command.replace("$", "")))
    return commands


def test_kaggle_notebook_is_valid_and_calls_only_what_exists() -> None:
    nbformat = pytest.importorskip("nbformat") if not os.environ.get("CI") else \
        __import__("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "T4 x2" in text and "WANDB_API_KEY" in text and "16069" in text
    from wandb.cli.cli import cli

    seen = set()
    for source in code:
        python = "\n".join("pass" if line.strip().startswith("!") else line
                           for line in source.splitlines())
        ast.parse(python)  # the Python in each cell is valid
        for command in _shell_commands(source):
            tool = command[0]
            # nvidia-smi is on Kaggle's GPU machines; every other tool must exist here too
            assert tool == "nvidia-smi" or shutil.which(tool), command
            if tool == "python":
                assert command[1] == "-m", command
                module = command[2]
                assert importlib.util.find_spec(module) is not None, command
                seen.add(module)
            if tool == "wandb":
                assert command[1] in cli.commands, command
                seen.add(f"wandb {command[1]}")
    assert {"sweep", "sweep.wandb_sweep", "sweep.launch_agents", "wandb sweep"} <= seen
