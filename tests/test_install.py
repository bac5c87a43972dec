"""Installed the way users install it: a wheel built from the repository, run from an empty folder.

A Kaggle notebook installs with `pip install git+URL`, which builds the same wheel. The checkout
must not be importable in these runs, so PYTHONPATH holds only the installed copy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "sweep", "conf")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip` builds from a copy of the repository's sources (nothing else beside it)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(dist), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (built,) = dist.glob("sweep-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (its dependencies come from this env)."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile",
                           "-q", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return target


@pytest.fixture
def user_env(sweep_env: dict[str, str], installed: Path) -> dict[str, str]:
    return {**sweep_env, "PYTHONPATH": str(installed)}  # the installed copy, not the checkout


def test_wheel_carries_every_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    conf = ROOT / "conf"
    expected = {f"sweep/conf/{p.relative_to(conf)}" for p in conf.rglob("*.yaml")}
    assert expected and expected <= names, sorted(expected - names)
    assert "sweep/conf/config.yaml" in names and "sweep/conf/experiment/yolo11n.yaml" in names
    modules = {f"{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "sweep").rglob("*.py")}
    assert modules <= names, sorted(modules - names)  # every subpackage is listed in pyproject
    requires = [line for line in zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("METADATA"))).decode().splitlines()
        if line.startswith("Requires-Dist:")]
    torch = [r for r in requires if r.split()[1].startswith(("torch", "torchvision"))]
    assert torch and not any("==" in r for r in torch)  # a user's own torch is kept


def test_installed_copy_finds_its_configs(user_env: dict[str, str], installed: Path,
                                          tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import sweep.config.locate as c; "
                           "print(c.__file__); print(c.config_dir())"],
                          env=user_env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    module, conf = done.stdout.split()
    assert Path(module).is_relative_to(installed) and Path(conf) == installed / "sweep" / "conf"


def test_console_script_help_lists_config_groups(user_env: dict[str, str], installed: Path,
                                                 tmp_path: Path) -> None:
    done = subprocess.run([str(installed / "bin" / "sweep"), "--help"], env=user_env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "== Configuration groups ==" in done.stdout
    for group in ("sampler: cmaes, gp, grid, nsga2, random, tpe", "experiment: yolo11n",
                  "debug: smoke", "space: default, finetune, ultralytics"):
        assert group in done.stdout


def test_smoke_sweep_from_an_empty_folder_through_both_entry_points(
        user_env: dict[str, str], installed: Path, tmp_path: Path) -> None:
    """`python -m sweep` searches; the `sweep` script resumes the same study and trains the
    finalist. Outputs land in the working folder's `outputs/`, as the README says."""
    args = ("+experiment=yolo11n", "debug=smoke")
    first = subprocess.run([sys.executable, "-m", "sweep", *args, "study.n_trials=1",
                            "final.enabled=false"], env=user_env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = subprocess.run([str(installed / "bin" / "sweep"), *args], env=user_env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    (summary_path,) = (tmp_path / "outputs").glob("*/summary.json")
    summary = json.loads(summary_path.read_text())
    assert summary["counts"]["COMPLETE"] + summary["counts"]["PRUNED"] == 2  # resumed, not redone
    assert Path(summary["finalist"]["weights"]).is_file()
    assert not (ROOT / "outputs" / summary["study_name"]).exists()
