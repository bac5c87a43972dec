"""paths.root that cannot be written is refused before Hydra makes its run folder."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sweep.testing.commands import run_sweep


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A read-only bind mount of a folder holding a finished-looking study folder."""
    source, target = tmp_path / "source", tmp_path / "read-only"
    (source / "outputs" / "kept").mkdir(parents=True)
    (source / "outputs" / "kept" / "summary.json").write_text("{}")
    target.mkdir()
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(target)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=False)


@pytest.mark.parametrize("where", ["outputs", "outputs/new/deeper"])
def test_a_read_only_paths_root_is_refused_before_anything_starts(
        sweep_env: dict[str, str], read_only_folder: Path, where: str) -> None:
    root = read_only_folder / where
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", f"paths.root={root}")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: paths.root='{root}': cannot write there: Read-only file "
                           "system") and "Fix: set paths.root" in line
    assert sorted(p.name for p in (read_only_folder / "outputs").iterdir()) == ["kept"]
