"""The benchmark harnesses on their tiniest budgets, so they cannot rot (figures unchecked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sweep.testing.commands import run_sweep
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def script(name: str, *args: str, env: dict[str, str], timeout: float = 900
           ) -> subprocess.CompletedProcess[str]:
    """`python scripts/<name> ARGS` from the checkout, output captured."""
    return subprocess.run([sys.executable, f"scripts/{name}", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_bench_tune_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """From scratch, sweep's sampler against random sampling; model.tune() and the race run in
    the fine-tuning test below."""
    out = tmp_path / "bench"
    done = script("bench_tune.py", "--mode", "tiny", "--methods", "sweep_tpe", "sweep_random",
                  "--out", str(out), env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    methods = {r["method"]: r for r in results["runs"]}
    assert set(methods) == {"sweep_tpe", "sweep_random"}
    for run in methods.values():
        assert run["trials"] >= 1 and run["compute"] > 0
        assert run["revalidated_fitness"] is not None and run["curve"]
        assert run["compute"] <= results["settings"]["budget"] * 1.5
    assert methods["sweep_random"]["pruned"] == 0  # pruner=none
    assert "sweep_tpe" in (out / "table.md").read_text()
    assert (out / "curve.png").stat().st_size > 1000


def test_bench_tune_finetune_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """Where users are: from sweep's starter weights, on a held-back shapes set, against
    model.tune() and the defaults, with the goals said."""
    def bench(*args: str) -> subprocess.CompletedProcess[str]:
        return script("bench_tune.py", *args, env=sweep_env)

    # the bars measured once, sweep on its own, then the two together (as the figures are)
    for methods in (["ul_tune", "defaults"], ["sweep_race"]):
        done = bench("--mode", "tiny", "--finetune", "--methods", *methods,
                     "--out", str(tmp_path / methods[0]))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = tmp_path / "bench"
    done = bench("--merge", str(tmp_path / "ul_tune" / "results.json"),
                 str(tmp_path / "sweep_race" / "results.json"), "--out", str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (out / "curve.png").is_file()
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["model"].endswith("weights.pt")  # the starter's
    assert results["settings"]["data_seed"] == 7
    methods = {r["method"]: r for r in results["runs"]}
    assert set(methods) == {"ul_tune", "sweep_race", "defaults"}
    assert methods["defaults"]["best_params"] == {}  # Ultralytics' own: no argument given
    assert all(r["revalidated_fitness"] is not None for r in methods.values())
    for run in methods.values():
        assert run["compute"] <= results["settings"]["budget"] * 1.5
    race = methods["sweep_race"]["race"]  # the race is paid from sweep_race's budget
    assert race["candidates"] and all(c["full_size"] is not None for c in race["candidates"])
    assert any(c["baseline"] for c in race["candidates"])
    assert methods["sweep_race"]["defaults_full_size"] is not None
    raced = sum(c["epochs_run"] for c in race["candidates"])
    assert methods["sweep_race"]["compute"] >= raced + 0.5  # + at least one half-data trial
    table = (out / "table.md").read_text()
    assert "Finalist above the defaults at full size on" in table and "of 1 seeds" in table
    other = json.loads((tmp_path / "sweep_race" / "results.json").read_text())
    other["settings"]["data_seed"] = 3
    (tmp_path / "other.json").write_text(json.dumps(other))
    done = bench("--merge", str(out / "results.json"), str(tmp_path / "other.json"))
    assert done.returncode != 0 and "other settings than" in done.stderr
    assert "data_seed" in done.stderr


def test_bench_fidelity_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "fidelity"
    done = script("bench_fidelity.py", "--seeds", "0", "--variants", "trial", "trial-batch-8",
                  "--epochs-scale", "0.1", "--set", "debug=smoke", "--out", str(out),
                  env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert results["defaults"]["optimizer"] == "AdamW"  # Ultralytics' auto, resolved
    runs = {r["variant"]: r for r in results["runs"]}
    assert runs["trial"]["train_images"] == 24 and runs["trial"]["epochs"] == 1  # smoke: 48/2
    assert runs["trial"]["steps"] == 2 and runs["trial-batch-8"]["steps"] == 3
    assert all(r["fitness"] is not None for r in runs.values())


def test_bench_sampler_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "sampler"
    done = script("bench_sampler.py", "--seeds", "0", "--variants", "tpe-2", "random", "--trials",
                  "3", "--set", "debug=smoke", "--out", str(out), env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    runs = {r["variant"]: r for r in json.loads((out / "results.json").read_text())["runs"]}
    assert set(runs) == {"tpe-2", "random"}
    for run in runs.values():
        assert len(run["values"]) == 3 and run["best"] == max(run["values"])
    assert "mean best over seeds" in (out / "table.md").read_text()


def test_bench_pruning_from_pretrained_weights_tiny(sweep_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    out = tmp_path / "pruning"
    litter = [ROOT / "mlflow.db", ROOT / "mlruns"]  # what Ultralytics' MLflow callback writes
    before = [path.exists() for path in litter]
    done = script("bench_pruning.py", "--pretrain", "1", "--seeds", "0", "--trials", "2",
                  "--epochs", "2", "--workers", "1", "--out", str(out), "debug=smoke",
                  env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    weights = next((out / "cache" / "starter").glob("yolo11n-*/weights.pt"))  # sweep's starter
    assert f"model={weights}" in results["settings"]["overrides"]
    assert {r["pruner"] for r in results["runs"]} == {"median", "none"}
    assert all(r["trials"] == 2 and r["epochs_trained"] >= 2 for r in results["runs"])
    assert [path.exists() for path in litter] == before  # the pretraining ran as sweep's do


def test_bench_data_scale_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """The label check, a trial's tree and Ultralytics' load of its labels, at 600 images: the
    tree's cache is taken, the tree without the check's entries is scanned."""
    out = tmp_path / "bench"
    done = script("bench_data_scale.py", "--images", "600", "--out", str(out), env=sweep_env,
                  timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (row,) = json.loads((out / "results.json").read_text())["runs"]
    assert row["train_images"] == 600 and row["entries_mb"] > 0
    assert row["cache_taken"] is True and row["before_cache_taken"] is False


def test_bench_pareto_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """The multi-objective sweep, the re-timing, the defaults per size and the judgement, at
    smoke size; then the figures recomputed from its results.json (--judge)."""
    out = tmp_path / "bench"
    done = script("bench_pareto.py", "--extra", "debug=smoke", "--imgsz", "32", "64", "--trials",
                  "3", "--candidates", "2", "--out", str(out), env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert [g["imgsz"] for g in results["defaults"]] == [32, 64]
    assert all(g["latency_ms"] > 0 for g in results["defaults"])
    assert results["pareto"]["full_size"] and all(
        m["remeasured_ms"] > 0 for m in results["pareto"]["full_size"])
    assert set(results["hypervolume"]) == {"front", "defaults"}
    again = script("bench_pareto.py", "--judge", str(out / "results.json"), "--out",
                   str(tmp_path / "again"), env=sweep_env, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (tmp_path / "again" / "table.md").read_text() == (out / "table.md").read_text()


def test_the_hypervolume_of_a_front() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pareto import hypervolume

    # (fitness, ms): 0.5 until 10 ms, 0.8 from 10 ms, up to the reference's 20 ms
    assert hypervolume([(0.5, 5.0), (0.8, 10.0)], (0.0, 20.0)) == 0.5 * 5 + 0.8 * 10
    assert hypervolume([(0.5, 5.0), (0.4, 10.0)], (0.0, 20.0)) == 0.5 * 15  # dominated
    assert hypervolume([(0.5, 25.0)], (0.0, 20.0)) == 0.0  # beyond the reference


def test_bench_rank_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    """The rank study at its tiniest: trials without pruning, a sample and the defaults trained
    at full size (the defaults twice), the correlations and the replayed pruner written."""
    out = tmp_path / "rank"
    done = script("bench_rank.py", "--mode", "tiny", "--trials", "3", "--sample", "2", "--repeats",
                  "2", "--out", str(out), env=sweep_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert len(results["trials"]) == 3 and results["sampled"] == 2
    assert [seed for seed, _ in results["defaults_repeats"]] == [0, 1]
    baseline = next(r for r in results["trials"] if r["baseline"])
    assert baseline["full_size"] == results["defaults_full_size"]
    rules = {"median every epoch", "median from epoch 6", "early stop (3)"}
    assert all(set(r["pruned_at"]) == rules for r in results["trials"])
    assert set(results["policies"]) == rules
    assert all(0 in race["raced"] for race in results["policies"].values())  # the defaults race
    assert "Rank correlation" in (out / "table.md").read_text()


def test_the_pruner_replayed_on_recorded_curves() -> None:
    """sweep's own pruner on recorded curves: asked every epoch it cuts a slow starter that
    would have ended first; asked after a stall only the trial that stalled below the others."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_rank import policies, race_under, replay_pruning

    rising = [0.1, 0.2, 0.3, 0.4, 0.5]
    trials = [{"trial": 0, "curve": rising, "baseline": True},
              {"trial": 1, "curve": rising, "baseline": False},
              {"trial": 2, "curve": [0.01, 0.02, 0.03, 0.04, 0.9], "baseline": False},
              {"trial": 3, "curve": [0.05, 0.05, 0.05, 0.05, 0.05], "baseline": False}]
    rules = policies()
    assert list(rules) == ["median every epoch", "median from epoch 6", "early stop (3)"]
    # conf/pruner/median.yaml judges from a trial's 4th epoch
    assert replay_pruning(trials, rules["median every epoch"]) == {2: 4, 3: 4}
    assert replay_pruning(trials, rules["early stop (3)"]) == {3: 4}
    for record, full_size in zip(trials, [0.8, 0.7, 0.9, 0.6], strict=True):
        record.update(low_fidelity=max(record["curve"]), full_size=full_size)
        record["pruned_at"] = {"median every epoch": {2: 4, 3: 4}.get(record["trial"]),
                               "early stop (3)": {3: 4}.get(record["trial"])}
    every = race_under(trials, "median every epoch", candidates=2)
    assert every == {"raced": [1, 0], "finalist": 0, "finalist_full_size": 0.8,
                     "complete": True}
    assert race_under(trials, "early stop (3)", candidates=2)["finalist"] == 2


def test_the_compute_to_reach_tune_is_read_at_full_size() -> None:
    """sweep's best at full size is known only as its race trains: the search's compute, then
    each candidate's epochs; it is held against model.tune()'s re-validated best."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_tune import MethodRun, full_size_curve, goals

    race = {"candidates": [
        {"trial": 3, "baseline": False, "low_fidelity": 0.7, "full_size": 0.80, "epochs_run": 12},
        {"trial": 0, "baseline": True, "low_fidelity": 0.6, "full_size": 0.86, "epochs_run": 12},
    ], "rank_correlation": None}
    sweep = MethodRun("sweep_race", 0, compute=48.0, race=race, revalidated_fitness=0.86,
                      curve=[(24.0, 0.9)])  # its trials' 0.9 is at half the images
    assert full_size_curve(sweep) == [(36.0, 0.80), (48.0, 0.86)]
    assert full_size_curve(MethodRun("ul_tune", 0)) == []
    tune = MethodRun("ul_tune", 0, compute=60.0, revalidated_fitness=0.85)
    defaults = MethodRun("defaults", 0, revalidated_fitness=0.84)
    assert "| 0 | 0.840 | 0.860 | +0.020 | 0.850 | yes | 80% |" in goals([sweep, tune, defaults])
    tune.revalidated_fitness = 0.87  # above every candidate: never reached
    assert "| no | not reached |" in goals([sweep, tune, defaults])


def test_the_paired_gain_and_its_interval() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_gain import paired

    result = paired([0.073, 0.071, 0.065])
    assert result["mean_gain"] == pytest.approx(0.06967, abs=1e-5)
    low, high = result["interval_95"]  # t(0.975, 2) = 4.303, sd 0.00416
    assert low == pytest.approx(0.05933, abs=1e-4) and high == pytest.approx(0.08000, abs=1e-4)
    assert result["holds"] and result["above"] == 3
    doubtful = paired([0.02, -0.01, 0.005])
    assert not doubtful["holds"] and doubtful["interval_95"][0] < 0 < doubtful["mean_gain"]
    assert paired([0.1])["interval_95"] is None and not paired([0.1])["holds"]


def test_check_gain_retrains_a_finished_runs_finalist_and_defaults_on_fresh_seeds(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """A user's own check: a finished run's study folder, its finalist and the defaults trained
    again on seeds the run never used, paired."""
    from tests.pipeline.test_run import shifted

    env = shifted(sweep_env, candidate=0.5, repeat=0.5)  # the race claims a gain
    run = run_sweep(env, "debug=smoke", "tracking=[]", "study.name=claim",
                    f"paths.root={tmp_path}")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    study = tmp_path / "claim"
    summary = json.loads((study / "summary.json").read_text())
    assert summary["race"]["decision"]["held"] is True

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return script("check_gain.py", str(study), *args, env=sweep_env)

    refused = check("--first-seed", "0")  # the run's own seed reproduces a draw
    assert refused.returncode != 0 and "trained the run" in refused.stderr
    done = check("--seeds", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((study / "out_of_sample.json").read_text())
    assert [row["seed"] for row in result["per_seed"]] == [100, 101]
    assert result["finalist_params"] == summary["finalist"]["params"]
    defaults = next(c for c in summary["race"]["candidates"] if c["baseline"])
    assert result["defaults_params"] == defaults["params"]
    for row in result["per_seed"]:
        assert row["gain"] == pytest.approx(row["finalist"] - row["defaults"], abs=1e-5)
        args = (study / "out-of-sample" / f"seed-{row['seed']}-finalist" / "final" / "train"
                / "args.yaml").read_text()
        assert f"seed: {row['seed']}" in args
    assert result["interval_95"] is not None and "mean paired gain" in done.stdout


def test_bench_gpu_tiny_runs_every_part_that_applies(sweep_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    """The GPU check on CPU, so that it cannot rot before a GPU comes: every part runs the real
    command, the one that needs two GPUs says why it is skipped, the table says it all."""
    out = tmp_path / "gpu"
    done = script("bench_gpu.py", "--mode", "tiny", "--out", str(out), env=sweep_env, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    parts = results["parts"]
    assert set(parts) == {"one", "shared_2", "shared_3", "multi", "latency", "budget"}
    assert "needs 2 or more" in parts["multi"]["skipped"]
    for name in ("one", "shared_2", "shared_3"):
        assert parts[name]["trials"] == 2 and parts[name]["failed"] == 0, parts[name]
        assert parts[name]["trials_per_hour"] > 0
    assert parts["latency"]["latency_ms"] > 0
    spent = parts["budget"]["budget"]
    assert spent["asked_s"] == 75 and spent["spent"]["total_s"] <= 75 * 1.05
    assert results["environment"]["torch"] and "| shared_2 |" in (out / "table.md").read_text()


def test_bench_gain_counts_each_rules_claims_and_what_the_user_gets() -> None:
    """One run gives both rules: the race's lead (one training each) and the confirmed one;
    a seed whose finalist is the defaults counts 0 in the pooled gain."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_gain import table, tabulate

    def row(seed: int, leader: int | None, held: bool | None, gain: float | None) -> dict:
        decision = {"leader": leader, "held": held, "defaults": 0.7, "noise": 0.02,
                    "leader_values": [] if leader is None else [0.8, 0.78]}
        check = None if gain is None else {"mean_gain": gain, "holds": gain > 0.05,
                                           "interval_95": [gain - 0.05, gain + 0.05],
                                           "above": 3, "seeds": 3}
        return {"seed": seed, "decision": decision, **({"check": check} if check else {})}

    rows = [row(0, 3, True, 0.06), row(1, 2, False, -0.01), row(2, None, None, None)]
    summary = tabulate(rows)
    assert summary["one_training_each"] == {"claims": 2, "mean_above_0": 1,
                                            "interval_above_0": 1}
    assert summary["confirmed"] == {"claims": 1, "mean_above_0": 1, "interval_above_0": 1}
    assert summary["pooled_confirmed"]["mean_gain"] == pytest.approx(0.02)
    assert summary["pooled_one_training_each"]["mean_gain"] == pytest.approx(0.05 / 3, abs=1e-5)
    text = table({"rows": rows, "summary": summary})
    assert "| 1 | trial 2 0.8 vs 0.7 | 0.78 (noise 0.02) | within the noise: defaults |" in text


def test_the_confirmation_claims_less_and_is_right_more_often_in_simulation() -> None:
    import numpy as np

    sys.path.insert(0, str(ROOT / "scripts"))
    from sim_confirm import simulate

    single = simulate("single", 0.02, 0.0, 0.05, 2, 20_000, np.random.default_rng(1))
    confirm = simulate("confirm", 0.02, 0.0, 0.05, 2, 20_000, np.random.default_rng(1))
    assert confirm[0] < single[0] and confirm[1] > single[1]
