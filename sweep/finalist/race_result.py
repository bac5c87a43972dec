"""The race's outcome: each candidate's low-fidelity and full-size value and rank, the rank
correlation, and the winner's record in the finalist's shape."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweep.config.plan import Plan
from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import Attr, FinalistRecord, RaceCandidate, RaceRecord, RaceRepeat
from sweep.core.results import best_epoch_metrics
from sweep.finalist.confirm import decide
from sweep.study.bookkeeping import final_key
from sweep.study.queries import best_trial, pareto_front


def _repeat_row(trial: FrozenTrial) -> RaceRepeat:
    """A repeat (sweep.finalist.confirm): the candidate, its seed and its full-size value."""
    done = trial.state == TrialState.COMPLETE and trial.values is not None
    return {"trial": trial.user_attrs[Attr.CANDIDATE_OF], "race_trial": trial.number,
            "repeat_of": trial.user_attrs[Attr.REPEAT_OF], "state": trial.state.name,
            "seed": trial.user_attrs.get(Attr.TRAINING_SEED),
            "full_size": value_of(trial) if done else None,
            "epochs_run": trial.user_attrs.get(Attr.EPOCHS_RUN),
            "train_s": trial.user_attrs.get(Attr.TRAIN_S)}


def _ranks(values: list[float | None], sign: float) -> list[float]:
    """Rank 1 = best; ties share their mean rank."""
    from scipy.stats import rankdata

    return [float(r) for r in rankdata([sign * (v or 0.0) for v in values], method="average")
            ] if values else []


def race_summary(race: optuna.Study) -> RaceRecord:
    """The race as summary.json keeps it: each candidate's low-fidelity and full-size value and
    rank, the Spearman correlation of the two rankings (None when it is undefined), the repeat
    of a candidate that led the defaults and the decision (sweep.finalist.confirm)."""
    from scipy.stats import spearmanr

    maximize = maximizes(race)
    rows: list[RaceCandidate] = []
    repeats: list[RaceRepeat] = []
    for trial in race.get_trials(deepcopy=False):
        if Attr.CANDIDATE_OF not in trial.user_attrs:
            continue
        if Attr.REPEAT_OF in trial.user_attrs:
            repeats.append(_repeat_row(trial))
            continue
        done = trial.state == TrialState.COMPLETE and trial.values is not None
        rows.append({"trial": trial.user_attrs[Attr.CANDIDATE_OF], "race_trial": trial.number,
                     "state": trial.state.name, "baseline": trial.user_attrs[Attr.BASELINE],
                     "low_fidelity": trial.user_attrs[Attr.LOW_FIDELITY],
                     "full_size": value_of(trial) if done else None,
                     "epochs_run": trial.user_attrs.get(Attr.EPOCHS_RUN),
                     "train_s": trial.user_attrs.get(Attr.TRAIN_S),
                     "stop_reason": trial.user_attrs.get(Attr.STOP_REASON),
                     "latency_ms": trial.user_attrs.get(Attr.LATENCY_MS),
                     "params": dict(trial.params)})
    ranked = [r for r in rows if r["full_size"] is not None]
    sign = -1.0 if maximize else 1.0
    for row, low, full in zip(ranked, _ranks([r["low_fidelity"] for r in ranked], sign),
                              _ranks([r["full_size"] for r in ranked], sign), strict=True):
        row["low_fidelity_rank"], row["full_size_rank"] = low, full
    correlation = None
    if len(ranked) >= 3 and len({r["low_fidelity"] for r in ranked}) > 1 and \
            len({r["full_size"] for r in ranked}) > 1:
        correlation = round(float(spearmanr([r["low_fidelity"] for r in ranked],
                                            [r["full_size"] for r in ranked]).statistic), 3)
    verdict = decide(race) if len(race.directions) == 1 else None
    return {"study": race.study_name, "candidates": rows, "rank_correlation": correlation,
            "repeats": repeats, "decision": verdict.record() if verdict else None}


def _member(trial: FrozenTrial, names: list[str]) -> dict[str, Any]:
    """A front member: its objectives by name, parameters and where its weights are."""
    row: dict[str, Any] = {"trial": trial.user_attrs.get(Attr.CANDIDATE_OF, trial.number),
                           "baseline": bool(trial.user_attrs.get(Attr.BASELINE)),
                           **dict(zip(names, trial.values, strict=True)),
                           "params": dict(trial.params)}
    if Attr.CANDIDATE_OF in trial.user_attrs:
        row["race_trial"] = trial.number
        row["weights"] = str(Path(trial.user_attrs[Attr.RUN_DIR]) / "weights" / "best.pt")
    return row


def pareto_summary(study: optuna.Study, race: optuna.Study | None) -> dict[str, Any] | None:
    """summary.json's `pareto` for a multi-objective study (None for one objective): the
    search's front at low fidelity and the race's at full size, each by metric, best first;
    each full-size member with the weights it trained (pick one by its latency)."""
    if len(study.directions) == 1:
        return None
    names = list(study.metric_names or [])
    return {"objectives": names,
            "directions": [d.name.lower() for d in study.directions],
            "low_fidelity": [_member(t, names) for t in pareto_front(study)],
            "full_size": [_member(t, names) for t in pareto_front(race)] if race else []}


def finalist_record(plan: Plan, race: optuna.Study, started: float
                    ) -> FinalistRecord | None:
    """The record of the race's winner (sweep.finalist.confirm), in the finalist's shape (its
    run is the finalist's)."""
    verdict = decide(race) if len(race.directions) == 1 else None
    best = verdict.winner if verdict else best_trial(race)
    if best is None:
        return None
    run_dir = Path(best.user_attrs[Attr.RUN_DIR])
    metrics = best_epoch_metrics(run_dir / "results.csv")
    metric = plan.config["study"]["metric"]
    final = plan.config["final"]
    record: FinalistRecord = {
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
    }
    if Attr.LATENCY_MS in best.user_attrs:  # as the trial keeps it
        record["latency_ms"] = best.user_attrs[Attr.LATENCY_MS]
        record["latency"] = best.user_attrs.get(Attr.LATENCY)
    return record
