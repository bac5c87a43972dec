"""summary.json: the run's record (counts, stop reasons, best trial, baseline, finalist, race,
memory, warnings), which the terminal, the note and report.md all read."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.config.baseline import (
    AUTO_SHORT_RUN_ITERATIONS,
    auto_iterations,
    names_auto_explicitly,
)
from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import Attr, FinalistRecord, RaceRecord, Stop, SummaryRecord
from sweep.core.secrets import redact
from sweep.review.latency_report import latency_summary, latency_warnings
from sweep.review.lines import outcome, pareto_outcome, rerun_command
from sweep.study.memory import memory_report
from sweep.study.queries import best_trial, counts, feasible_complete, finished_trials


def _baseline(study: optuna.Study) -> dict[str, Any] | None:
    """The baseline trial (Ultralytics' defaults, study.baseline) as it ended, if it has: its
    retry when the first try was cut off and the retry completed."""
    ended = [t for t in study.get_trials(deepcopy=False)
             if t.user_attrs.get(Attr.BASELINE) and t.state.is_finished()]
    if not ended:
        return None
    trial = min(ended, key=lambda t: t.state != TrialState.COMPLETE)  # the first completed
    value = value_of(trial) if trial.state == TrialState.COMPLETE else None
    return {"number": trial.number, "state": trial.state.name, "value": value,
            **({"latency_ms": trial.user_attrs[Attr.LATENCY_MS]}
               if Attr.LATENCY_MS in trial.user_attrs else {})}


def ranking_warnings(study: optuna.Study, config: dict[str, Any]) -> list[str]:
    """Sentences for the user when the completed trials cannot be told apart (half or more
    share one value, such as 0.0), with the fix."""
    complete = feasible_complete(study)
    if len(complete) < 2:
        return []
    value, count = Counter(round(value_of(t) or 0.0, 4) for t in complete).most_common(1)[0]
    if count < 2 or count * 2 < len(complete):  # a value of one's own ranks
        return []
    tied = [t for t in complete if round(value_of(t) or 0.0, 4) == value]
    best = best_trial(study)
    sentence = (f"{count} of {len(complete)} completed trials share {config['study']['metric']} "
                f"{value:g} (trials {', '.join(str(t.number) for t in tied)}), so they cannot "
                "be ranked against each other")
    if best is not None and best.number in {t.number for t in tied}:
        sentence += f"; the best trial (#{best.number}) was picked among them"
    if any(t.user_attrs.get(Attr.BASELINE) for t in tied):
        sentence += "; the baseline (Ultralytics' defaults) is one of them"
    trial = config["trial"]
    scratch = str(config.get("model", "")).endswith((".yaml", ".yml"))
    return [f"{sentence}. Give trials more to learn from: raise trial.epochs (now "
            f"{trial['epochs']}) or trial.fraction (now {trial['fraction']})"
            + (", or start from pretrained weights (model=yolo11n.pt)." if scratch else ".")]


def defaults_warnings(config: dict[str, Any], finalist: FinalistRecord | None,
                      race: RaceRecord | None) -> list[str]:
    """A sentence when the finalist's run is long enough that `yolo train` would not train
    what the baseline raced: there optimizer=auto picks MuSGD, the baseline its short-run
    AdamW (sweep.config.baseline; only when the space names the optimizer: else every run
    keeps auto), so "over Ultralytics' defaults" means over that."""
    train = config["train"]
    raced_defaults = any(c["baseline"] for c in (race["candidates"] if race else []))
    images = finalist.get("train_images") if finalist else None
    if (not finalist or not raced_defaults or not images
            or not names_auto_explicitly(config["space"], train)):
        return []
    batch = int(finalist.get("params", {}).get("batch") or train.get("batch") or 16)
    iterations = auto_iterations(int(images), int(finalist["epochs"]), batch,
                                 int(train.get("nbs") or 64))
    if iterations <= AUTO_SHORT_RUN_ITERATIONS:
        return []
    return [f"the full-size run trains {iterations} iterations (over "
            f"{AUTO_SHORT_RUN_ITERATIONS}): for a run that long `yolo train` (optimizer=auto) "
            "picks MuSGD at lr0 0.01, while the baseline raced as Ultralytics' defaults is "
            "auto's choice for short runs (AdamW); the gain over the defaults is over that. "
            "To race MuSGD as well: space.optimizer={choices:[SGD,AdamW,MuSGD]}"]


def _full_size_gain(race: RaceRecord | None) -> float | None:
    """The finalist's full-size value minus Ultralytics' defaults': a confirmed leader's mean
    over its two trainings (sweep.finalist.confirm), 0 when its lead was within the noise and
    the defaults are the finalist, else the race winner's one training."""
    if not race:
        return None
    decision = race.get("decision") or {}
    if decision.get("held") is not None:
        return decision["margin"] if decision["held"] else 0.0
    values = [c["full_size"] for c in race["candidates"] if c["full_size"] is not None]
    base = next((c["full_size"] for c in race["candidates"] if c["baseline"]), None)
    if not values or base is None:
        return None
    return round(max(values) - base, 5)


def epochs_saved(study: optuna.Study, epochs: int) -> dict[str, Any] | None:
    """What stopping trials early saved: of the `epochs` (`trial.epochs`) each finished trial
    could have trained, those it did not, by the pruner and by Ultralytics' early stop."""
    finished = finished_trials(study.get_trials(deepcopy=False))
    if not finished:
        return None

    def saved(t: Any) -> int:
        return max(0, epochs - int(t.user_attrs.get(Attr.EPOCHS_RUN, epochs)))

    pruned = [t for t in finished if t.state == TrialState.PRUNED]
    early = [t for t in finished if t.user_attrs.get(Attr.STOP_REASON) == Stop.EARLY_STOPPED]
    return {"trials": len(finished), "pruned": len(pruned), "early_stopped": len(early),
            "epochs_planned": epochs * len(finished),
            "epochs_saved": sum(saved(t) for t in finished),
            "saved_by_pruner": sum(saved(t) for t in pruned),
            "saved_by_early_stop": sum(saved(t) for t in early)}


def summary(study: optuna.Study, storage_url: str, finalist: FinalistRecord | None,
            best_yaml: Path | None, stopped_by: str | None,
            artifacts: Path | None = None, warnings: list[str] | None = None,
            race: RaceRecord | None = None, trial_epochs: int | None = None,
            no_race: str | None = None, pareto: dict[str, Any] | None = None
            ) -> SummaryRecord:
    """summary.json. `no_race`: why a finalist was not raced against the defaults, when the
    config asked for a race (the budget left no time for one); `pareto`: a multi-objective
    study's fronts (sweep.finalist.race_result.pareto_summary)."""
    best = best_trial(study)
    baseline = _baseline(study)
    reasons = Counter(str(t.user_attrs[Attr.STOP_REASON]) for t in study.get_trials(deepcopy=False)
                      if Attr.STOP_REASON in t.user_attrs)
    maximize = maximizes(study)
    metric = study.metric_names[0] if study.metric_names else "value"
    latency = latency_summary(study)
    best_value = None if best is None else value_of(best)
    return {
        "study_name": study.study_name,
        # the result at full size, first wherever a user reads it (terminal, note, best.yaml)
        "outcome": (pareto_outcome(pareto, race) if pareto else
                    outcome(finalist, race, metric, maximize,
                            baseline["number"] if baseline else None, no_race)),
        "storage": redact(storage_url),
        "counts": counts(study),
        "stop_reasons": dict(reasons.most_common()),
        "stopped_early": epochs_saved(study, trial_epochs) if trial_epochs else None,
        "stopped_by": stopped_by,
        "best_trial": None if best is None else {
            "number": best.number, "params": best.params, "value": value_of(best),
            "run_dir": best.user_attrs.get(Attr.RUN_DIR),
            **({"latency_ms": best.user_attrs[Attr.LATENCY_MS]}
               if Attr.LATENCY_MS in best.user_attrs else {}),
        },
        "baseline": baseline,
        "gain_over_baseline": (None if best_value is None or baseline is None or
                               baseline["value"] is None else best_value - baseline["value"]),
        "finalist": finalist,
        "race": race,
        "gain_over_defaults_at_full_size": _full_size_gain(race),
        "pareto": pareto,
        "best_yaml": str(best_yaml) if best_yaml else None,
        "rerun_command": rerun_command(best_yaml) if best_yaml else None,
        "memory": memory_report(study),
        "latency": latency,
        "artifacts": str(artifacts) if artifacts else None,
        "warnings": list(warnings or []) + latency_warnings(latency),
    }


def write_summary(path: Path, data: SummaryRecord) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
