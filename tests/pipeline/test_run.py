"""The real command, end to end, training real tiny YOLO models on CPU (slow: ~2 minutes)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import optuna
import pytest
import yaml

from sweep.testing.commands import run_sweep, wandb_runs
from tests.conftest import BCCD

SHIFTED = Path(__file__).resolve().parents[1] / "fixtures" / "shifted"

pytestmark = pytest.mark.slow
SMOKE = ("debug=smoke", "data=shapes", "model=yolo11n.yaml", "study.name=smoke")


def _study(root: Path, name: str = "smoke") -> optuna.Study:
    return optuna.load_study(study_name=name, storage=f"sqlite:///{root / name / 'study.db'}")


@pytest.fixture(scope="module")
def smoke_run(sweep_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("smoke")
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={root}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert str(root / "smoke") in result.stdout.replace("\n", "")  # says where results are
    # W&B without a key: offline, said once at the start and once at the end with the upload
    # command.
    lines = [line for line in result.stdout.splitlines() if line.startswith("W&B:")]
    assert len(lines) == 2 and "no API key" in lines[0]
    assert f"wandb sync {root / 'smoke' / 'wandb'}/offline-run-*" in lines[1]
    return root


def test_smoke_study_has_trials_with_curves(smoke_run: Path) -> None:
    trials = _study(smoke_run).get_trials()
    assert len(trials) >= 2
    assert all(t.intermediate_values for t in trials)
    finished = [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert finished
    for t in finished:
        attrs = t.user_attrs
        assert {"run_dir", "epochs_run", "wall_time_s", "device", "subset_size", "subset_seed",
                "stop_reason"} <= set(attrs)
        assert attrs["device"] == "cpu" and attrs["subset_size"] == 24
        assert Path(attrs["run_dir"], "results.csv").exists()


def test_smoke_outputs(smoke_run: Path) -> None:
    summary = json.loads((smoke_run / "smoke" / "summary.json").read_text())
    assert summary["study_name"] == "smoke"
    assert summary["counts"]["COMPLETE"] + summary["counts"]["PRUNED"] >= 2
    assert summary["best_trial"]["params"]
    finalist = summary["finalist"]
    assert Path(finalist["weights"]).exists()
    assert set(finalist["metrics"]) >= {"map50", "map50-95", "precision", "recall"}
    # the default race: both trials (the baseline among them) retrained at full size, the
    # finalist is the best of them there, which need not be the best trial at low fidelity
    trials = {t.number: t for t in _study(smoke_run).get_trials()}
    race = summary["race"]
    assert sorted(c["trial"] for c in race["candidates"]) == sorted(trials)
    assert any(c["baseline"] for c in race["candidates"])
    assert finalist["race"] == race["study"]
    winner_trial = trials[finalist["source_trial"]]  # the baseline races with auto's bias warm-up
    bias_lr = 0.0 if winner_trial.user_attrs.get("baseline") else 0.1
    assert finalist["params"] == {**winner_trial.params, "warmup_bias_lr": bias_lr}
    values = [t.value for t in trials.values() if t.state.name == "COMPLETE"]
    if len(values) >= 2 and len(set(values)) == 1:  # at smoke size often all 0.0: said so
        assert summary["warnings"] and "cannot be ranked" in summary["warnings"][0]
    # the result at full size comes first, never a gain at low fidelity
    winner = next(c for c in race["candidates"] if c["trial"] == finalist["source_trial"])
    base = next(c for c in race["candidates"] if c["baseline"])
    if winner["full_size"] > base["full_size"]:
        assert summary["outcome"].startswith(f"finalist: trial {winner['trial']}, +")
    else:
        assert summary["outcome"].startswith("no configuration beat Ultralytics' defaults")
    text = (smoke_run / "smoke" / "best.yaml").read_text()
    assert text.splitlines()[0] == f"# {summary['outcome']}"
    best = yaml.safe_load(text)
    assert best["final"]["only"] is True
    assert best["final"]["params"] == finalist["params"]


def test_smoke_leaves_a_review(smoke_run: Path) -> None:
    """Artifacts through the artifact-store API, the study's note, the plots and report, and
    Ultralytics' per-epoch output in each trial's log."""
    from optuna.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta
    from optuna_dashboard import get_note

    study_dir = smoke_run / "smoke"
    study = _study(smoke_run)
    summary = json.loads((study_dir / "summary.json").read_text())
    store = FileSystemArtifactStore(str(study_dir / "artifacts"))
    assert summary["artifacts"] == str(study_dir / "artifacts")

    def fetch(meta: optuna.artifacts.ArtifactMeta) -> bytes:
        target = smoke_run / f"fetched-{meta.artifact_id}"
        download_artifact(artifact_store=store, artifact_id=meta.artifact_id,
                          file_path=str(target))
        return target.read_bytes()

    for trial in study.get_trials():
        metas = {m.filename: m for m in get_all_artifact_meta(trial, storage=study._storage)}
        assert set(metas) == {"results.csv", "curve.png"}
        run_dir = Path(trial.user_attrs["run_dir"])
        assert fetch(metas["results.csv"]) == (run_dir / "results.csv").read_bytes()
        assert fetch(metas["curve.png"])[:4] == b"\x89PNG"
        log = (run_dir.parent / "train.log").read_text()
        for epoch in (1, 2):  # Ultralytics' per-epoch progress and validation lines
            assert f"{epoch}/2" in log
        assert log.count("                   all ") >= 2
    metas = {m.filename: m for m in get_all_artifact_meta(study)}
    assert {"best.pt", "best.yaml", "summary.json", "report.md", "results.csv",
            "final-curve.png", "history.png", "intermediate.png"} <= set(metas)
    assert fetch(metas["best.pt"]) == Path(summary["finalist"]["weights"]).read_bytes()
    assert json.loads(fetch(metas["summary.json"])) == summary
    assert summary["finalist"]["artifacts"]["best.pt"] == metas["best.pt"].artifact_id
    # the note names the best trial; bookkeeping is not shown as the user's data
    best = summary["best_trial"]["number"]
    assert f"Best trial at low fidelity: #{best}" in get_note(study)
    assert summary["rerun_command"] in get_note(study)
    assert get_note(study).splitlines()[2].lower().startswith(f"**{summary['outcome']}".lower())
    assert study.user_attrs == {} and study.metric_names == ["fitness"]
    # the static report, headless: PNGs it links to exist
    report = (study_dir / "report.md").read_text()
    assert f"Best trial at low fidelity: #{best}" in report
    for name in ("history", "intermediate", "compute", "race"):
        png = study_dir / "report" / f"{name}.png"
        assert f"](report/{name}.png)" in report and png.read_bytes()[:4] == b"\x89PNG"


def test_smoke_mirrors_every_trial_and_the_finalist_to_wandb(smoke_run: Path) -> None:
    """Read back with wandb's own reader: one run per trial, per race candidate and one
    `final` run."""
    trials = {t.number: t for t in _study(smoke_run).get_trials()}
    summary = json.loads((smoke_run / "smoke" / "summary.json").read_text())
    runs = wandb_runs(smoke_run / "smoke")
    repeats = [f"race-{r['trial']:04d}-seed-{r['seed']}" for r in summary["race"]["repeats"]]
    assert sorted(r["name"] for r in runs) == sorted(["final", "race-0000", "race-0001",
                                                      "trial-0000", "trial-0001", *repeats])
    assert all(r["exit_code"] == 0 for r in runs)
    for run in runs:  # the race's candidates join the sweep's group, with their own job type
        assert run["group"] == "smoke"
        assert (run["job_type"] == "race") == run["name"].startswith("race-")
        if run["job_type"] == "race":
            assert run["config"]["optuna"]["study"] == summary["race"]["study"]
    for run in (r for r in runs if r["name"].startswith("trial-")):
        trial = trials[run["config"]["optuna"]["trial"]]
        assert run["job_type"] == "trial" and run["name"] == f"trial-{trial.number:04d}"
        assert trial.user_attrs["wandb_run_id"] == run["id"]
        assert {k: run["config"][f"space.{k}"] for k in trial.params} == trial.params
        assert run["config"]["fidelity"]["subset_seed"] == trial.user_attrs["subset_seed"]
        assert run["config"]["train"]["imgsz"] == 64
        steps = [row["_step"] for row in run["history"]]
        assert steps == sorted(trial.intermediate_values)  # one row per epoch, step = Optuna's
        assert [row["fitness"] for row in run["history"]] == pytest.approx(
            [trial.intermediate_values[s] for s in steps])
        assert run["summary"]["state"] == "complete"
        assert run["summary"]["best_value"] == pytest.approx(trial.value)
        assert run["summary"]["device"] == "cpu" and run["summary"]["wall_time_s"] > 0
    (final,) = (r for r in runs if r["name"] == "final")
    assert final["job_type"] == "final" and summary["finalist"]["wandb_run_id"] == final["id"]
    assert final["config"]["source_trial"] == summary["finalist"]["source_trial"]
    assert {k: final["config"][f"space.{k}"] for k in summary["finalist"]["params"]} == \
        summary["finalist"]["params"]
    assert len(final["history"]) == 2  # both epochs, from Ultralytics' results.csv
    assert final["summary"]["map50-95"] == summary["finalist"]["metrics"]["map50-95"]
    (artifact,) = final["artifacts"]
    assert artifact["type"] == "model" and "best" in artifact["aliases"]


def test_best_yaml_retrains_without_searching(smoke_run: Path, sweep_env: dict[str, str],
                                              tmp_path: Path) -> None:
    before = len(_study(smoke_run).get_trials())
    summary = json.loads((smoke_run / "smoke" / "summary.json").read_text())
    result = run_sweep(sweep_env, *summary["rerun_command"].split()[3:], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(_study(smoke_run).get_trials()) == before  # no search
    # the sweep's finalist won the race (race/), so this retrain is the first in final/
    assert Path(summary["finalist"]["weights"]).is_relative_to(smoke_run / "smoke" / "race")
    assert (smoke_run / "smoke" / "final" / "train" / "weights" / "best.pt").exists()


def test_rerun_resumes_the_same_study(smoke_run: Path, sweep_env: dict[str, str]) -> None:
    before = {t.number: (t.state, t.params, t.value) for t in _study(smoke_run).get_trials()}
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={smoke_run}", "study.n_trials=3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    after = {t.number: (t.state, t.params, t.value) for t in _study(smoke_run).get_trials()}
    assert len(after) > len(before)
    assert all(after[n] == before[n] for n in before)  # earlier trials unchanged
    with sqlite3.connect(smoke_run / "smoke" / "study.db") as db:  # beside the race studies
        names = [row[0] for row in db.execute("select study_name from studies")]
    assert [n for n in names if not n.startswith("smoke-race-")] == ["smoke"]


def test_real_bccd_fixture(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """Real images, one of them with a label Ultralytics drops: said once, before training."""
    data = tmp_path / "bccd-data"
    shutil.copytree(BCCD.parent, data)
    corrupt = sorted((data / "labels" / "train").glob("*.txt"))[-1]
    corrupt.write_text("5 0.5 0.5 0.2 0.2\n")  # class 5 of 3 names
    result = run_sweep(sweep_env, "debug=smoke", f"data={data / 'data.yaml'}",
                       "model=yolo11n.yaml", f"paths.root={tmp_path}", "study.name=bccd",
                       "trial.fraction=0.5", "final.fraction=0.5", "final.epochs=1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    warnings = [line for line in result.stdout.splitlines() if "label check drops" in line]
    assert len(warnings) == 1 and "1 of 12 train images" in warnings[0]
    assert corrupt.stem in result.stdout.replace("\n", "")
    summary = json.loads((tmp_path / "bccd" / "summary.json").read_text())
    assert summary["finalist"]["train_images"] == 6
    assert not list(data.rglob("*.cache"))  # caches stay in the trials' private trees


def shifted(env: dict[str, str], **shifts: float) -> dict[str, str]:
    """`env` whose race trainings (real ones) have `shifts` added to their fitness by role
    (baseline, candidate, repeat): tests/fixtures/shifted/sitecustomize.py."""
    return {**env, "SWEEP_TEST_SHIFTS": json.dumps(shifts),
            "PYTHONPATH": str(SHIFTED) + os.pathsep + env["PYTHONPATH"]}


def test_final_candidates_race_at_full_size_and_resume_without_retraining(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """A searched candidate leads the defaults by far more than its two trainings differ: it
    is the finalist, and the outcome says by how much against one training's noise."""
    args = ("debug=smoke", "tracking=[]", "study.name=race", "study.n_trials=3",
            "final.candidates=2", f"paths.root={tmp_path}")
    env = shifted(sweep_env, candidate=0.5, repeat=0.5)
    result = run_sweep(env, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "racing" in result.stdout and "rank correlation (Spearman)" in result.stdout
    assert "training it once more with a fresh seed" in result.stdout
    summary = json.loads((tmp_path / "race" / "summary.json").read_text())
    study = _study(tmp_path, "race")
    trials = {t.number: t for t in study.get_trials()}
    # the 2 best searched trials, a pruned one by the best value it reported, then the baseline
    searched = sorted((t for t in trials.values() if not t.user_attrs.get("baseline") and (
        t.state.name == "COMPLETE" or t.state.name == "PRUNED" and t.intermediate_values)),
        key=lambda t: (-(t.value if t.state.name == "COMPLETE"
                         else max(t.intermediate_values.values())), t.number))
    baseline = next(t.number for t in trials.values() if t.user_attrs.get("baseline"))
    expected = [t.number for t in searched[:2]] + [baseline]
    race = summary["race"]
    assert [c["trial"] for c in race["candidates"]] == expected
    race_study = optuna.load_study(study_name=race["study"],
                                   storage=f"sqlite:///{tmp_path / 'race' / 'study.db'}")
    for c in race["candidates"]:
        assert c["low_fidelity"] == trials[c["trial"]].value
        assert c["baseline"] == (c["trial"] == baseline)
        assert c["full_size"] == race_study.trials[c["race_trial"]].value
        assert c["epochs_run"] == 2  # final.epochs at smoke size
        # the baseline races as `yolo train` would: with auto's bias warm-up from 0.0; the
        # others as their trials trained (Ultralytics' 0.1 with an explicit optimizer)
        raced = race_study.trials[c["race_trial"]]
        bias_lr = 0.0 if c["baseline"] else 0.1
        assert raced.params == {**trials[c["trial"]].params, "warmup_bias_lr": bias_lr}
        trained = yaml.safe_load((Path(raced.user_attrs["run_dir"]) / "args.yaml").read_text())
        assert trained["warmup_bias_lr"] == bias_lr
        assert "warmup_bias_lr" not in trials[c["trial"]].params
    finalist = summary["finalist"]
    winner = max((c for c in race["candidates"] if c["full_size"] is not None),
                 key=lambda c: c["full_size"])
    assert finalist["race"] == race["study"] and finalist["source_trial"] == winner["trial"]
    assert Path(finalist["weights"]).exists() and "race" in Path(finalist["weights"]).parts
    assert finalist["params"] == race_study.trials[winner["race_trial"]].params
    # the leader trained once more, with a seed the race never used, to its end
    [repeat] = race["repeats"]
    assert repeat["trial"] == winner["trial"] and repeat["seed"] == 1
    again_args = yaml.safe_load((Path(race_study.trials[repeat["race_trial"]].user_attrs[
        "run_dir"]) / "args.yaml").read_text())
    assert again_args["seed"] == 1 and repeat["epochs_run"] == 2
    decision = race["decision"]
    assert decision["held"] is True and decision["leader"] == winner["trial"]
    assert decision["noise"] == pytest.approx(abs(winner["full_size"] - repeat["full_size"]),
                                              abs=1e-4)
    assert summary["gain_over_defaults_at_full_size"] == decision["margin"] > decision["noise"]
    assert summary["outcome"].startswith(f"finalist: trial {winner['trial']}, +")
    assert "one training moves these by about" in summary["outcome"]
    best = (tmp_path / "race" / "best.yaml").read_text()
    assert "# Chosen by a full-size race" in best and yaml.safe_load(best)["final"]["params"] == \
        finalist["params"]
    report = (tmp_path / "race" / "report.md").read_text()
    assert "Race of the top candidates at full size" in report
    # the same command again: the race is decided, nothing is retrained
    again = run_sweep(sweep_env, *args)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "already decided" in again.stdout and "racing" not in again.stdout
    assert len(race_study.trials) == len(race["candidates"]) + 1


def test_a_lead_within_one_trainings_noise_leaves_the_defaults_the_finalist(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """A searched candidate leads the defaults in its first training, its repeat falls far
    below: the lead is within one training's noise, the defaults are the finalist, said so in
    every place the outcome is read; the same command again trains nothing."""
    args = ("debug=smoke", "tracking=[]", "study.name=noise", "final.candidates=2",
            f"paths.root={tmp_path}")
    env = shifted(sweep_env, candidate=0.5, repeat=-0.5)
    result = run_sweep(env, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "noise" / "summary.json").read_text())
    race, finalist = summary["race"], summary["finalist"]
    decision = race["decision"]
    base = next(c for c in race["candidates"] if c["baseline"])
    assert decision["held"] is False and decision["noise"] > 0.9
    assert finalist["source_trial"] == base["trial"] == decision["winner"]
    assert finalist["params"] == next(
        c["params"] for c in race["candidates"] if c["baseline"])
    assert summary["gain_over_defaults_at_full_size"] == 0.0
    said = ("no configuration beat Ultralytics' defaults by more than one training's noise ("
            f"{decision['noise']:.2g}): the finalist is the defaults (trial {base['trial']}")
    assert summary["outcome"].startswith(said)
    assert said in result.stdout.replace("\n", "")
    assert (tmp_path / "noise" / "best.yaml").read_text().startswith(f"# {said}")
    assert said[1:] in (tmp_path / "noise" / "report.md").read_text()
    again = run_sweep(env, *args)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "already decided" in again.stdout and "once more" not in again.stdout
