"""The README's contract: its three commands are there as written and work (CI runs the setup and
test ones; the main one runs here on tiny sizes), and every link in the README and docs/ leads to
a file in the repository, never outside it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from sweep.testing.commands import run_sweep
from tests.conftest import FIXTURES, Compose

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SETUP = 'pip install -c constraints.txt -e ".[dev]"'
MAIN = "python -m sweep +experiment=yolo11n"
TESTS = "python -m pytest"

_LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
_CODE_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.S)


def _pages() -> list[Path]:
    return [README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _commands(text: str) -> list[str]:
    """Each line of each code block, its comment cut off."""
    return [line.split("  #")[0].strip() for block in _CODE_BLOCK.findall(text)
            for line in block.splitlines()]


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = _CODE_BLOCK.sub("", page.read_text())
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", text, re.M)}


def test_the_three_commands_are_in_a_code_block_as_written() -> None:
    commands = _commands(README.read_text())
    for command in (SETUP, MAIN, TESTS):
        assert command in commands, f"README.md lost `{command}`"


def test_ci_runs_the_readme_setup_and_test_commands() -> None:
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert SETUP.replace("pip install", "python3 -m pip install -q") in ci
    assert TESTS.replace("python", "python3") in ci


def test_every_relative_link_leads_to_a_file_in_the_repository() -> None:
    broken = []
    for page in _pages():
        for match in _LINK.finditer(_CODE_BLOCK.sub("", page.read_text())):
            target = match.group(1) or match.group(2)
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            where = (page.parent / path).resolve() if path else page
            if not where.is_relative_to(ROOT) or not where.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and where.suffix == ".md" and anchor not in _anchors(where):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_the_readme_names_no_path_outside_the_repository() -> None:
    text = README.read_text()
    assert "../" not in text
    assert not re.search(r"(?<![\w.<])/(work|tmp|home|root|Users)/", text)
    assert not re.search(r"\bissue \d+", text, re.I), "issue numbers belong in the notes"


def test_python_m_sweep_alone_fine_tunes_as_the_experiment_does(compose_cfg: Compose) -> None:
    assert compose_cfg().model == "yolo11n.pt" == compose_cfg("+experiment=yolo11n").model


@pytest.mark.slow
def test_the_main_command_runs_as_written_on_tiny_sizes(tmp_path: Path,
                                                         sweep_env: dict[str, str]) -> None:
    """The README's main command, word for word, with the tiny sizes and a folder of its own
    appended: it ends with the outcome and names where everything is."""
    argv = shlex.split(MAIN)
    assert argv[:3] == ["python", "-m", "sweep"]
    done = run_sweep(sweep_env, *argv[3:], "debug=smoke", "tracking=[]",
                     f"paths.root={tmp_path}", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the finalist" in done.stdout or "finalist: trial" in done.stdout
    (written,) = tmp_path.glob("*/summary.json")
    assert_same_records(json.loads(written.read_text()), json.loads(SAVED_SUMMARY.read_text()))


SAVED_SUMMARY = FIXTURES / "summary" / "main.json"
# summary.json's records whose keys do not depend on the run (finalist and params do: a
# tracker's run id, the searched arguments)
RECORDS = ("counts", "stopped_early", "baseline", "race", "budget")


def assert_same_records(written: dict[str, Any], saved: dict[str, Any]) -> None:
    """The same top-level keys and the same keys in each fixed record (where both have it)."""
    assert list(written) == list(saved)
    for key in RECORDS:
        if written[key] is not None and saved[key] is not None:
            assert sorted(written[key]) == sorted(saved[key]), key
    if written["race"] and saved["race"] and written["race"]["decision"]:
        assert sorted(written["race"]["decision"]) == sorted(saved["race"]["decision"])


def test_the_saved_summary_is_one_this_code_writes() -> None:
    """The key check above, on the saved summary against itself with a key gone: it fails."""
    saved = json.loads(SAVED_SUMMARY.read_text())
    assert_same_records(saved, saved)
    changed = {**saved, "race": {k: v for k, v in saved["race"].items() if k != "repeats"}}
    with pytest.raises(AssertionError):
        assert_same_records(changed, saved)
