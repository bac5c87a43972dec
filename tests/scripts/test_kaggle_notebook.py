"""The Kaggle notebook: valid, every command it runs exists, and it runs top to bottom as a new
user runs it (executed with nbclient on CPU, tiny sizes, no W&B key)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "scripts" / "kaggle_t4x2.ipynb"


def _notebook() -> Any:
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    return notebook


def test_kaggle_notebook_is_valid_and_calls_only_what_exists() -> None:
    notebook = _notebook()
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "T4 x2" in text and "WANDB_API_KEY" in text and "16069" in text
    assert "12 hours" in text and "Next session" in text and "RESUME_FROM" in text
    (parameters,) = [cell for cell in notebook.cells
                     if "parameters" in cell.metadata.get("tags", [])]
    assert parameters.source == code[0]  # the first code cell: everything a user fills in
    for name in ("SWEEP_REPO", "MODE", "DATA", "RESUME_FROM", "SWEEP_ID"):
        assert re.search(rf"^{name} = ", parameters.source, re.M), name
    namespace: dict[str, Any] = {}
    exec(parameters.source, namespace)  # plain assignments, nothing else
    assert namespace["MODE"] in ("A", "B") and "<owner>" in namespace["SWEEP_REPO"]
    modules = {m for source in code for m in re.findall(r"-m (sweep[\w.]*)", source)}
    assert modules == {"sweep", "sweep.wandb_sweep", "sweep.launch_agents"}
    assert all(importlib.util.find_spec(m) is not None for m in modules)
    for source in code:
        compile(source, "cell", "exec")  # no shell magics: every cell is plain Python
    # path B: the launcher gets the study's overrides and the budget, the sweep id is quoted
    # (a URL from the browser), and the finale gets what the budget left
    (path_b,) = [source for source in code if "sweep.launch_agents" in source]
    assert "launch_agents {SWEEP} --count {AGENT_RUNS} {ARGS} budget={BUDGET}" in path_b
    assert "SWEEP = shlex.quote(SWEEP_ID)" in path_b and "budget={LEFT_S}s" in path_b
    from wandb.cli.cli import cli

    assert all(tool in cli.commands for tool in re.findall(r'run\("wandb (\w+)', "\n".join(code)))


def _execute(parameters: str, cwd: Path, env: dict[str, str]) -> str:
    """Run All with the first cell's values replaced; return every cell's output as text."""
    import nbformat
    from nbclient import NotebookClient

    notebook = _notebook()
    notebook.cells[1].source = parameters
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute(env=env)
    outputs = [out for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.outputs]
    nbformat.validate(notebook)
    # rich sees Jupyter in the commands' environment and colours their output: the text alone
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(out.get("text", "") for out in outputs))


def _parameters(**values: Any) -> str:
    base = {"SWEEP_REPO": "git+https://github.com/<owner>/sweep", "MODE": "A", "DATA": "shapes",
            "N_TRIALS": 2, "AGENT_RUNS": 1, "TRIAL_EPOCHS": 2, "FINAL_EPOCHS": 1, "IMGSZ": 64,
            "BUDGET": "1h", "EXTRA": "debug=smoke", "RESUME_FROM": "", "SWEEP_ID": ""}
    return "\n".join(f"{key} = {value!r}" for key, value in {**base, **values}.items())


@pytest.mark.slow
def test_the_notebook_runs_top_to_bottom_and_the_next_session_resumes(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    env = {k: v for k, v in sweep_env.items() if k != "WANDB_API_KEY"}
    first = tmp_path / "session-1"
    first.mkdir()
    out = first / "outputs"
    said = _execute(_parameters(OUT=str(out), CACHE=str(first / "cache")), first, env)
    assert 'MODE is not "B": skipped' in said and "no WANDB_API_KEY secret" in said
    (summary,) = out.glob("*/summary.json")  # path A ran: the study and its finalist
    data = json.loads(summary.read_text())
    assert data["counts"]["COMPLETE"] + data["counts"]["PRUNED"] == 2 and data["finalist"]

    # B without a key: says what to do instead and skips; nothing fails, nothing trains
    said = _execute(_parameters(MODE="B", OUT=str(out), CACHE=str(first / "cache")), first, env)
    assert "Path B needs a W&B API key" in said and 'MODE is not "A": skipped' in said

    # the next session: the earlier outputs (read-only input there) resume the same study
    kept = tmp_path / "input" / "outputs"
    shutil.copytree(out, kept)
    second = tmp_path / "session-2"
    second.mkdir()
    said = _execute(_parameters(RESUME_FROM=str(kept), OUT=str(second / "outputs"),
                                CACHE=str(second / "cache")), second, env)
    assert "study already has 2 finished trials" in said and "already decided" in said
