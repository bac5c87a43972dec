"""The race's outcome: each candidate's low-fidelity and full-size value and rank, the rank
correlation, and the winner's record in the finalist's shape."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.config.plan import Plan
from sweep.core.record import Attr
from sweep.core.results import best_epoch_metrics
from sweep.study.queries import best_trial
from sweep.study.records import final_key


def race_summary(race: optuna.Study) -> dict[str, Any]:
    """The race as summary.json keeps it: each candidate's low-fidelity and full-size value and
    rank, and the Spearman correlation of the two rankings (None when it is undefined)."""
    from scipy.stats import rankdata, spearmanr

    maximize = race.direction == optuna.study.StudyDirection.MAXIMIZE
    rows = []
    for trial in race.get_trials(deepcopy=False):
        if Attr.CANDIDATE_OF not in trial.user_attrs:
            continue
        done = trial.state == TrialState.COMPLETE and trial.value is not None
        rows.append({"trial": trial.user_attrs[Attr.CANDIDATE_OF], "race_trial": trial.number,
                     "state": trial.state.name, "baseline": trial.user_attrs[Attr.BASELINE],
                     "low_fidelity": trial.user_attrs[Attr.LOW_FIDELITY],
                     "full_size": trial.value if done else None,
                     "epochs_run": trial.user_attrs.get(Attr.EPOCHS_RUN),
                     "train_s": trial.user_attrs.get(Attr.TRAIN_S),
                     "stop_reason": trial.user_attrs.get(Attr.STOP_REASON),
                     "latency_ms": trial.user_attrs.get(Attr.LATENCY_MS)})
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


def finalist_record(plan: Plan, race: optuna.Study, started: float) -> dict[str, Any] | None:
    """The record of the race's winner, in the finalist's shape (its run is the finalist's)."""
    best = best_trial(race)
    if best is None:
        return None
    run_dir = Path(best.user_attrs[Attr.RUN_DIR])
    metrics = best_epoch_metrics(run_dir / "results.csv")
    metric = plan.config["study"]["metric"]
    final = plan.config["final"]
    return {
        "key": final_key(final, {"race": race.study_name}),
        "source_trial": best.user_attrs[Attr.CANDIDATE_OF],
        "params": dict(best.params),
        "run_dir": str(run_dir),
        "weights": str(run_dir / "weights" / "best.pt"),
        "device": best.user_attrs.get(Attr.DEVICE),
        "train_images": best.user_attrs.get(Attr.SUBSET_SIZE),
        "epochs": int(final["epochs"]),
        "wall_time_s": round(time.time() - started, 1),
        "metrics": metrics,
        "value": metrics.get(metric),
        "race": race.study_name,
        **({"latency_ms": best.user_attrs[Attr.LATENCY_MS],
            "latency": best.user_attrs.get(Attr.LATENCY)}
           if Attr.LATENCY_MS in best.user_attrs else {}),
    }
