"""Latency: measured on real weights, a constraint through Optuna's, refused when it cannot be
measured; trials here train with the fake trainer and report a chosen latency."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
from omegaconf import DictConfig

from sweep.config.plan import Plan
from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks
from sweep.core.record import LATENCY_CONSTRAINT, Attr
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.finalist.race import candidates
from sweep.review.latency_report import latency_summary, latency_warnings
from sweep.run.telling import train_and_tell
from sweep.study.open import open_study
from sweep.study.queries import best_trial
from sweep.testing.fakes import fake_train, fake_trial_plan


@pytest.mark.slow
def test_a_model_is_timed_as_deployed_with_the_threads_fixed(tmp_path: Path) -> None:
    """Real weights (an untrained yolo11n at 64 px), torch then a torchscript export."""
    import torch
    from ultralytics import YOLO

    from sweep.run.latency_measure import measure

    weights = tmp_path / "w.pt"
    YOLO("yolo11n.yaml").save(str(weights))
    image = sorted(datasets.load_dataset(ensure_shapes(tmp_path / "c", 4, 2, 64, 0)).val)[0]
    before = torch.get_num_threads()
    settings = {"device": "cpu", "threads": 1, "format": "torch", "rounds": 2, "warmup": 1,
                "repeats": 5}
    found = measure(weights, image, 64, settings)
    assert torch.get_num_threads() == before  # the trainings' threads are left as they were
    assert (found["rounds"], found["repeats"]) == (2, 5)
    assert found["threads"] == 1 and found["imgsz"] == 64
    assert 0 < found["p10_ms"] <= found["ms"] <= found["p90_ms"]
    assert found["took_s"] > 5 * found["ms"] / 1000  # the whole measurement, loading included
    exported = measure(weights, image, 64, {**settings, "format": "torchscript"})
    assert exported["format"] == "torchscript" and exported["ms"] > 0
    assert (tmp_path / "w.torchscript").is_file()


@pytest.mark.parametrize(("overrides", "key", "problem"), [
    (["study.max_latency_ms=0"], "study.max_latency_ms", "must be milliseconds > 0"),
    (["study.max_latency_ms=20", "latency.measure=false"], "study.max_latency_ms",
     "not measured"),
    (["latency.measure=true", "latency.format=onnx"], "latency.format", "needs onnx"),
    (["latency.measure=true", "latency.format=coreml"], "latency.format", "not a format"),
    (["latency.measure=maybe"], "latency.measure", "must be true, false or auto"),
    (["study.max_latency_ms=20", "latency.threads=0"], "latency.threads", ">= 1"),
    (["study.max_latency_ms=20", "latency.rounds=0"], "latency.rounds", ">= 1"),
    (["study.max_latency_ms=20", "latency.device=gpu"], "latency.device", "cpu or a GPU"),
])
def test_what_cannot_be_measured_is_refused_before_training(
        compose_cfg: Callable[..., DictConfig], overrides: list[str], key: str,
        problem: str) -> None:
    from sweep.config.validate import validate

    if "onnx" in problem:  # the refusal is the point: onnx is not installed here or in CI
        import importlib.util
        if importlib.util.find_spec("onnx") and importlib.util.find_spec("onnxruntime"):
            pytest.skip("onnx and onnxruntime are installed here")
    with pytest.raises(ConfigError) as err:
        validate(compose_cfg(*overrides))
    assert err.value.key == key and problem in str(err.value)


def test_a_limit_gives_the_study_another_name_and_none_leaves_it(
        compose_cfg: Callable[..., DictConfig]) -> None:
    from sweep.study.naming import study_name

    plain = study_name(compose_cfg(), {"experiment": "e"})
    assert study_name(compose_cfg("latency.measure=false"), {"experiment": "e"}) == plain
    limited = study_name(compose_cfg("study.max_latency_ms=20"), {"experiment": "e"})
    assert limited != plain
    assert study_name(compose_cfg("study.max_latency_ms=30"), {"experiment": "e"}) != limited


LATENCY = {0: 30.0, 1: 12.0, 2: 18.0, 3: 25.0}  # trial -> ms; the limit below is 20


def _plan(tmp_path: Path, limit: float | None) -> tuple[Plan, datasets.Dataset]:
    dataset = datasets.load_dataset(ensure_shapes(tmp_path / "cache", 8, 4, 64, 0))
    return fake_trial_plan(tmp_path, dataset.yaml_path, study={"max_latency_ms": limit}), dataset


def _trials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: float | None,
            lr0s: list[float]) -> optuna.Study:
    """Trials with these lr0 (a higher lr0 scores higher) and LATENCY by trial number."""
    def timed(weights: Path, image: Path, imgsz: int, settings: Any) -> dict[str, Any]:
        number = int(weights.parts[-4].removeprefix("trial-"))
        return {"ms": LATENCY[number], "device": "cpu", "threads": 1, "format": "torch"}

    monkeypatch.setattr("sweep.run.trial.train", fake_train)
    monkeypatch.setattr("sweep.run.latency_measure.measure", timed)
    plan, dataset = _plan(tmp_path, limit)
    space = {"batch": optuna.distributions.CategoricalDistribution([8]),
             "lr0": optuna.distributions.FloatDistribution(0.01, 0.2)}
    study = open_study(plan.config, "s", plan.storage_url, space)
    for value in lr0s:
        study.enqueue_trial({"batch": 8, "lr0": value})
        trial = study.ask(space)
        assert train_and_tell(study, trial, plan, dataset, "cpu", "cpu", Callbacks())
    return study


def test_a_trial_above_the_limit_is_never_best_nor_raced(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    study = _trials(tmp_path, monkeypatch, 20.0, [0.19, 0.1, 0.05, 0.15])
    trials = study.get_trials()
    assert [t.user_attrs[Attr.LATENCY_MS] for t in trials] == [30.0, 12.0, 18.0, 25.0]
    assert [t.constraints[LATENCY_CONSTRAINT] for t in trials] == [10.0, -8.0, -2.0, 5.0]
    assert best_trial(study).number == 1  # trials 0 and 3 score higher, and are too slow
    assert [t.number for t in candidates(study, 3)] == [1, 2]
    found = latency_summary(study)
    assert found["max_latency_ms"] == 20.0 and (found["measured"], found["within"]) == (4, 2)
    assert found["fastest"]["trial"] == 1 and latency_warnings(found) == []


def test_none_within_the_limit_is_said_with_the_fastest(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    study = _trials(tmp_path, monkeypatch, 10.0, [0.19, 0.1])
    assert best_trial(study) is None and candidates(study, 2) == []
    assert latency_warnings(latency_summary(study)) == [
        "no trial is within study.max_latency_ms=10: the fastest, trial 1, takes 12 ms per "
        "image (torch on cpu, 1 thread(s)). Fix: raise study.max_latency_ms, or search smaller "
        "image sizes (space.imgsz) or a smaller model"]


def test_without_a_limit_nothing_is_measured(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    study = _trials(tmp_path, monkeypatch, None, [0.19])
    assert Attr.LATENCY_MS not in study.trials[0].user_attrs
    assert set(study.trials[0].constraints) == {"out_of_memory"}
    assert latency_summary(study) is None


@pytest.mark.slow
def test_the_main_command_times_every_model_it_trains(sweep_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    """Through the real command: each trial (in its worker), each race candidate and the
    finalist carry their latency; summary.json and report.md show it."""
    import json

    from sweep.testing.commands import run_sweep

    result = run_sweep(sweep_env, "+experiment=yolo11n", "debug=smoke", "data=shapes",
                       "model=yolo11n.yaml", f"paths.root={tmp_path}", "study.name=fast",
                       "tracking=[]", "study.max_latency_ms=100000", "latency.warmup=1",
                       "latency.repeats=3", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "fast" / "summary.json").read_text())
    latency = summary["latency"]
    assert latency["max_latency_ms"] == 100000 and latency["measured"] == latency["within"] == 2
    assert latency["measured_on"] == {"device": "cpu", "threads": 1, "format": "torch"}
    assert summary["best_trial"]["latency_ms"] > 0
    assert all(c["latency_ms"] > 0 for c in summary["race"]["candidates"])
    assert summary["finalist"]["latency_ms"] > 0
    report = (tmp_path / "fast" / "report.md").read_text()
    assert "| trial | state | fitness | latency (ms) | epochs |" in report
