"""The import rules each subpackage's docstring states: what trains never imports what reports,
the floor (sweep.core) imports nothing else of sweep, and no stage imports a command. A module
named in a string (`"sweep.review.hooks"`, for importlib or `python -m`) counts as imported."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sweep"
# subpackage -> the subpackages it may import (besides itself), as its __init__ says
MAY_IMPORT = {
    "core": set(),
    "config": {"core"},
    "data": {"core"},
    "pruning": {"core"},
    "study": {"core", "config", "pruning"},
    "run": {"core", "config", "data", "study", "pruning"},
    "finalist": {"core", "config", "data", "study", "pruning", "run"},
    "review": {"core", "config", "study"},
    "wandb_sweeps": {"core", "config", "data", "study", "pruning", "run"},
    "tracking": {"core", "config", "study", "wandb_sweeps"},
    "pipeline": {"core", "config", "data", "study", "pruning", "run", "finalist", "review",
                 "wandb_sweeps"},
    "cli": {"core", "config", "data", "study", "pruning", "run", "finalist", "review",
            "wandb_sweeps", "tracking", "pipeline"},
}
MODULE_NAME = re.compile(r"sweep(\.[a-z_]+)+")
SUBPACKAGES = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}


def _imports(path: Path) -> set[str]:
    """The sweep subpackages (or top-level modules) a module imports, lazily or not, or names
    in a string that is not a docstring."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings and MODULE_NAME.fullmatch(node.value) \
                and node.value.split(".")[1] in SUBPACKAGES:  # a command's name runs a process
            names = [node.value]
        else:
            continue
        found |= {name.split(".")[1] for name in names
                  if name.startswith("sweep.") and name.count(".") >= 1}
    return found


@pytest.mark.parametrize("subpackage", sorted(MAY_IMPORT))
def test_each_subpackage_imports_only_what_it_may(subpackage: str) -> None:
    allowed = MAY_IMPORT[subpackage] | {subpackage}
    wrong = {f"{path.relative_to(PACKAGE)} imports sweep.{name}"
             for path in (PACKAGE / subpackage).rglob("*.py")
             for name in _imports(path) - allowed}
    assert not wrong, "\n".join(sorted(wrong))
    doc = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text()))
    assert doc and "May import" in doc, f"sweep/{subpackage}/__init__.py: say what it may import"


def test_no_stage_imports_a_command() -> None:
    """The commands (`python -m sweep.<name>`) sit on top: a stage that imported one would
    import everything."""
    commands = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    wrong = {f"{path.relative_to(PACKAGE)} imports sweep.{name}"
             for subpackage in MAY_IMPORT for path in (PACKAGE / subpackage).rglob("*.py")
             for name in _imports(path) & commands}
    assert not wrong, "\n".join(sorted(wrong))


def test_every_subpackage_has_its_rule() -> None:
    assert SUBPACKAGES - {"testing"} == set(MAY_IMPORT), "add the subpackage to MAY_IMPORT"
