"""The import rules each subpackage's docstring states: what trains never imports what reports,
and the floor (sweep.core) imports nothing else of sweep."""

from __future__ import annotations

import ast
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
    "wandb_sweeps": {"core", "config", "data", "study", "pruning", "run", "pipeline"},
    "tracking": {"core", "config", "study", "wandb_sweeps"},
}


def _imports(path: Path) -> set[str]:
    """The sweep subpackages (or top-level modules) a module imports, lazily or not."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
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
