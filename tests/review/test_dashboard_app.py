"""`python -m sweep.dashboard`: finding the sweep's study, refusing what it cannot serve, and the
dashboard in a real browser (Debian's chromium driven by Playwright, loopback only)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import optuna
import pytest

from sweep.config.validate import validate
from sweep.core.errors import ConfigError
from sweep.review.dashboard_app import locate, serve
from sweep.testing.commands import run_sweep
from tests.conftest import ROOT

# What Chromium needs on these machines (as measured for the dashboard): no sandbox as root,
# no GPU, and none of its own calls home.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_missing_study_is_refused_and_nothing_is_created(compose_cfg, tmp_path: Path) -> None:
    cfg = compose_cfg("debug=smoke", "study.name=never-ran")
    with pytest.raises(ConfigError) as err:
        locate(cfg, {})
    assert err.value.key == "study.storage" and "no study never-ran" in str(err.value)
    assert not (tmp_path / "out" / "never-ran").exists()


def test_a_study_not_in_the_given_storage_is_refused(compose_cfg, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    optuna.create_study(study_name="other", storage=url)
    cfg = compose_cfg("debug=smoke", "study.name=mine", f"study.storage={url}")
    with pytest.raises(ConfigError) as err:
        serve(cfg, {})
    assert err.value.key == "study.name" and "studies there: other" in str(err.value)


def test_a_port_in_use_names_the_key_and_a_free_one(compose_cfg, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="mine", storage=url)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cfg = compose_cfg("debug=smoke", "study.name=mine", f"study.storage={url}",
                          f"dashboard.port={port}")
        with pytest.raises(ConfigError) as err:
            serve(cfg, {})
    assert err.value.key == "dashboard.port" and f"dashboard.port={port + 1}" in str(err.value)


@pytest.mark.parametrize("override", ["dashboard.port=0", "dashboard.port=http",
                                      "study.artifacts=''"])
def test_bad_dashboard_and_artifact_settings_are_refused(compose_cfg, override: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(compose_cfg(override))
    assert err.value.key == override.split("=")[0]


def _chromium() -> str:
    """Debian's chromium (.ci/run installs it); tests skip without it, and fail in CI."""
    found = shutil.which("chromium") or next(
        (p for p in ("/usr/lib/chromium/chromium",) if Path(p).exists()), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("no chromium (apt-get install chromium)")
    return found


@contextlib.contextmanager
def _served(sweep_env: dict[str, str], args: tuple[str, ...]) -> Iterator[str]:
    """`python -m sweep.dashboard` on the sweep of `args`, until the block ends; its URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "sweep.dashboard", *args, f"dashboard.port={_free_port()}"],
        env=sweep_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        lines = []
        for line in server.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("dashboard: "):
                break
        else:
            pytest.fail("the dashboard did not start:\n" + "".join(lines))
        url = line.split()[1]
        assert urlparse(url).hostname == "127.0.0.1"
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextlib.contextmanager
def _browser(chromium: str) -> Iterator[tuple[Any, list[str]]]:
    """A headless chromium page that may reach loopback only; the page and what it tried to
    reach elsewhere."""
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    left: list[str] = []

    def loopback_only(route) -> None:  # noqa: ANN001 - Playwright's Route
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2200})
            context.route("**/*", loopback_only)
            yield context.new_page(), left
        finally:
            browser.close()


@pytest.fixture
def dashboard(sweep_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A finished smoke sweep with a pruned trial, served by `python -m sweep.dashboard`."""
    args = ("debug=smoke", "study.name=review", "tracking=[]", f"paths.root={tmp_path}")
    result = run_sweep(sweep_env, *args)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # At smoke size every value is 0.0, and a trial still at 0.0 is warming up, never pruned:
    # the pruned trial the dashboard must show is added through Optuna, as a worker tells one.
    study = optuna.load_study(study_name="review",
                              storage=f"sqlite:///{tmp_path / 'review' / 'study.db'}")
    trial = study.ask()
    for step, value in enumerate((0.02, 0.01, 0.01)):
        trial.report(value, step)
    trial.set_user_attr("stop_reason", "pruned")
    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    with _served(sweep_env, args) as url:
        yield url, tmp_path


@pytest.mark.slow
def test_the_dashboard_in_a_real_browser(dashboard: tuple[str, Path], tmp_path: Path) -> None:
    chromium = _chromium()
    url, root = dashboard
    study_page = urlparse(url).path
    with _browser(chromium) as (page, left):
        page.goto(url)
        page.get_by_text("Intermediate values").first.wait_for(timeout=30_000)
        page.get_by_text("Study Artifacts").wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(tmp_path / "study.png"), full_page=True)
        body = page.inner_text("body")
        # the history chart is labelled with the metric; the intermediate-values chart has
        # a curve per trial, the pruned one included
        assert "fitness" in body and "trial #2" in body
        for name in ("best.pt", "summary.json", "report.md", "history.png"):
            assert name in body
        shown = page.evaluate("""() => [...document.images]
            .filter(i => i.src.includes('/artifacts/') && i.naturalWidth > 0).length""")
        assert shown >= 1  # an artifact's plot, fetched from the artifact store

        page.goto(url.replace(study_page, study_page + "/trials"))
        page.get_by_text("Pruned").first.wait_for(timeout=30_000)
        assert "Trial 2" in page.inner_text("body")
        page.get_by_text("Trial 0", exact=True).first.click()
        page.get_by_text("curve.png").first.wait_for(timeout=30_000)  # a trial's artifact
        page.screenshot(path=str(tmp_path / "trials.png"), full_page=True)

        page.goto(url.replace(study_page, study_page + "/note"))
        page.get_by_text("Best trial at low fidelity: #").first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "note.png"), full_page=True)
        assert "Reproduce the finalist" in page.inner_text("body")
    assert left == []  # no request left loopback
    assert (tmp_path / "study.png").stat().st_size > 10_000


@pytest.mark.slow
def test_a_multi_objective_sweep_and_its_pareto_front_in_the_browser(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """The one real tiny multi-objective run (fitness and latency, two image sizes) through the
    command: the front at both fidelities in summary.json, best.yaml and report.md, and the
    dashboard's Pareto-front view of it."""
    args = ("debug=smoke", "study.name=front", "tracking=[]", f"paths.root={tmp_path}",
            "study.objectives=[fitness,latency_ms]", "+space.imgsz={choices:[32,64]}",
            "study.n_trials=3", "latency.warmup=1", "latency.repeats=3")
    result = run_sweep(sweep_env, *args)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "multi-objective study (fitness up, latency_ms down)" in result.stdout
    assert "trials are not pruned" in result.stdout
    study_dir = tmp_path / "front"
    summary = json.loads((study_dir / "summary.json").read_text())
    pareto = summary["pareto"]
    assert pareto["objectives"] == ["fitness", "latency_ms"] and pareto["low_fidelity"]
    assert pareto["full_size"] and all(Path(m["weights"]).is_file() for m in pareto["full_size"])
    assert summary["outcome"].startswith("Pareto front at full size")
    assert "# The Pareto front at full size" in (study_dir / "best.yaml").read_text()
    assert "![Pareto front" in (study_dir / "report.md").read_text()
    assert "Pareto front at full size" in result.stdout
    study = optuna.load_study(study_name="front",
                              storage=f"sqlite:///{study_dir / 'study.db'}")
    assert study.directions[1] == optuna.study.StudyDirection.MINIMIZE
    assert all(t.state != optuna.trial.TrialState.PRUNED for t in study.trials)

    chromium = _chromium()
    with _served(sweep_env, args) as url, _browser(chromium) as (page, left):
        page.goto(url)
        page.get_by_text("Pareto Front").first.wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(tmp_path / "pareto.png"), full_page=True)
        assert "latency_ms" in page.inner_text("body")  # the front's axis is named
    assert left == []
