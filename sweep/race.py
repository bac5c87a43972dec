"""The finalist decided at full size: a race of the search's top candidates.

Short trials from scratch rank configurations by how fast they learn (docs/benchmarks.md), so
the best `final.candidates` trials by their low-fidelity value, plus the baseline trial
(Ultralytics' defaults) when it is not among them, are trained again with `final.*`. The race
is an Optuna study of its own (`<study>-race-<hash of the candidates>`, same storage) whose
trials are the candidates, enqueued with fixed parameters and run by the same supervisor and
workers as the search: one per device, a crashed candidate retried, a killed race resumed
without retraining a finished candidate, machines that share the storage sharing the race. A
candidate that stalls for `final.patience` epochs below the others at the same epoch is stopped
by the sweep's pruner. The finalist is the candidate with the best full-size value.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import optuna
from omegaconf import OmegaConf
from optuna.trial import FrozenTrial, TrialState
from rich.console import Console

from sweep.finalist import (
    METRIC_KEYS,
    best_trial,
    feasible_complete,
    final_key,
    named_metrics,
    results_rows,
)
from sweep.plan import Plan
from sweep.review.artifacts import artifact_dir
from sweep.space import to_distributions
from sweep.storage import claim_lock
from sweep.study import open_study


def candidates(study: optuna.Study, count: int) -> list[FrozenTrial]:
    """The best `count` feasible completed trials by value, then the baseline if not among
    them."""
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    complete = feasible_complete(study)
    complete.sort(key=lambda t: (-t.value if maximize else t.value, t.number))  # type: ignore[operator]
    chosen = complete[:count]
    baseline = next((t for t in complete if t.user_attrs.get("baseline")), None)
    if baseline is not None and baseline.number not in {t.number for t in chosen}:
        chosen.append(baseline)
    return chosen


def race_name(study_name: str, final: dict[str, Any], chosen: list[FrozenTrial]) -> str:
    """A race per (candidates, final.*): a resumed search with the same top candidates reuses
    its race; new candidates get a new one."""
    text = json.dumps({"final": {k: v for k, v in final.items() if k != "only"},
                       "candidates": [t.params for t in chosen]}, sort_keys=True, default=str)
    return f"{study_name}-race-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def race_plan(plan: Plan, name: str, count: int) -> Plan:
    """The search's plan at full size: trial.* becomes final.*, one trial per candidate."""
    config = json.loads(json.dumps(plan.config))
    final = config["final"]
    config["trial"].update(fraction=final["fraction"], epochs=final["epochs"],
                           patience=final["patience"], val_images=None)
    config["train"]["plots"] = bool(final["plots"])
    # candidates are compared at equal epochs once stalled (the trials' patience rule), never
    # by rank alone: a full-size run may start slower than it ends
    config["pruning"]["wait_for_stall"] = True
    config["study"].update(name=name, n_trials=count, baseline=False, timeout=None,
                           artifacts=str(artifact_dir(plan.config, Path(plan.study_dir))))
    return Plan(config=config, study_name=name, storage_url=plan.storage_url,
                study_dir=str(Path(plan.study_dir) / "race"), data_yaml=plan.data_yaml,
                model=plan.model, run_id=plan.run_id, overrides=plan.overrides,
                race_of=plan.study_name)


def open_race(plan: Plan, study: optuna.Study) -> tuple[Plan, optuna.Study, list[FrozenTrial]]:
    """The race study for the current top candidates, created and filled once."""
    final = plan.config["final"]
    chosen = candidates(study, int(final["candidates"]))
    name = race_name(plan.study_name, final, chosen)
    rplan = race_plan(plan, name, len(chosen))
    cfg = OmegaConf.create(rplan.config)
    race = open_study(cfg, name, plan.storage_url, to_distributions(rplan.config["space"]))
    with claim_lock(plan.storage_url, name):
        if not race.get_trials(deepcopy=False):
            for trial in chosen:
                race.enqueue_trial(trial.params, user_attrs={
                    "candidate_of": trial.number, "low_fidelity": trial.value,
                    "baseline": bool(trial.user_attrs.get("baseline"))})
    return rplan, race, chosen


def race_summary(race: optuna.Study) -> dict[str, Any]:
    """The race as summary.json keeps it: each candidate's low-fidelity and full-size value and
    rank, and the Spearman correlation of the two rankings (None when it is undefined)."""
    from scipy.stats import rankdata, spearmanr

    maximize = race.direction == optuna.study.StudyDirection.MAXIMIZE
    rows = []
    for trial in race.get_trials(deepcopy=False):
        if "candidate_of" not in trial.user_attrs:
            continue
        done = trial.state == TrialState.COMPLETE and trial.value is not None
        rows.append({"trial": trial.user_attrs["candidate_of"], "race_trial": trial.number,
                     "state": trial.state.name, "baseline": trial.user_attrs["baseline"],
                     "low_fidelity": trial.user_attrs["low_fidelity"],
                     "full_size": trial.value if done else None,
                     "epochs_run": trial.user_attrs.get("epochs_run"),
                     "train_s": trial.user_attrs.get("train_s"),
                     "stop_reason": trial.user_attrs.get("stop_reason")})
    ranked = [r for r in rows if r["full_size"] is not None]
    sign = -1.0 if maximize else 1.0  # rank 1 = best; ties share their mean rank
    for key, rank in (("low_fidelity", "low_fidelity_rank"), ("full_size", "full_size_rank")):
        ranks = rankdata([sign * r[key] for r in ranked], method="average") if ranked else []
        for row, value in zip(ranked, ranks, strict=True):
            row[rank] = float(value)
    correlation = None
    if len(ranked) >= 3 and len({r["low_fidelity"] for r in ranked}) > 1 and \
            len({r["full_size"] for r in ranked}) > 1:
        correlation = round(float(spearmanr([r["low_fidelity"] for r in ranked],
                                            [r["full_size"] for r in ranked]).statistic), 3)
    return {"study": race.study_name, "candidates": rows, "rank_correlation": correlation}


def _metrics(results_csv: Path) -> dict[str, float]:
    """The metrics of the best epoch (by mAP50-95, Ultralytics 8.4's fitness) of a run."""
    return named_metrics(max(results_rows(results_csv),
                             key=lambda r: float(r.get(METRIC_KEYS["map50-95"]) or 0.0)))


def finalist_record(plan: Plan, race: optuna.Study, started: float) -> dict[str, Any] | None:
    """The record of the race's winner, in the finalist's shape (its run is the finalist's)."""
    best = best_trial(race)
    if best is None:
        return None
    run_dir = Path(best.user_attrs["run_dir"])
    metrics = _metrics(run_dir / "results.csv")
    metric = plan.config["study"]["metric"]
    final = plan.config["final"]
    return {
        "key": final_key(final, {"race": race.study_name}),
        "source_trial": best.user_attrs["candidate_of"],
        "params": dict(best.params),
        "run_dir": str(run_dir),
        "weights": str(run_dir / "weights" / "best.pt"),
        "device": best.user_attrs.get("device"),
        "train_images": best.user_attrs.get("subset_size"),
        "epochs": int(final["epochs"]),
        "wall_time_s": round(time.time() - started, 1),
        "metrics": metrics,
        "value": metrics.get(metric),
        "race": race.study_name,
    }


def describe(console: Console, chosen: list[FrozenTrial], final: dict[str, Any]) -> None:
    numbers = ", ".join(f"#{t.number}" + (" (baseline)" if t.user_attrs.get("baseline") else "")
                        for t in chosen)
    console.print(f"racing {len(chosen)} candidates at full size ({final['epochs']} epochs, "
                  f"{final['fraction']:.0%} of the data): trials {numbers}", soft_wrap=True)
