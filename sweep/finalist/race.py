"""The finalist decided at full size: a race of the search's top candidates.

Short trials rank configurations by how fast they learn (docs/benchmarks.md), so the best
`final.candidates` searched trials by their low-fidelity value, plus the baseline trial
(Ultralytics' defaults), are trained again with `final.*`. A trial the pruner stopped is a
candidate by the best value it reported: once the defaults complete strongly, the median
pruner stops most trials (its median is over completed trials), and the race must still
compare the defaults with `final.candidates` searched configurations, not with the one or
two that happened to complete. The race
is an Optuna study of its own (`<study>-race-<hash of the candidates>`, same storage) whose
trials are the candidates, enqueued with fixed parameters and run by the same supervisor and
workers as the search: one per device, a crashed candidate retried, a killed race resumed
without retraining a finished candidate, machines that share the storage sharing the race. A
candidate that stalls for `final.patience` epochs below the others at the same epoch is stopped
by the sweep's pruner. The finalist is the candidate with the best full-size value.

A multi-objective study (sweep.config.objectives) races `final.candidates` members of its
Pareto front spread along it, and the defaults at each searched image size and model; nothing
is pruned; its result is the race's own front (race_result.pareto_summary), whose most
accurate member is the finalist.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState
from rich.console import Console

from sweep.config.baseline import auto_extras
from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import LATENCY_CONSTRAINT, Attr, Stop
from sweep.study.bookkeeping import training_settings
from sweep.study.naming import artifact_dir
from sweep.study.open import open_study
from sweep.study.queries import feasible_complete, pareto_front
from sweep.study.storage import claim_lock


def spread(front: list[FrozenTrial], count: int) -> list[FrozenTrial]:
    """`count` members of a front sorted by metric, evenly spaced along it, both ends kept:
    the race covers the whole trade-off, not its most accurate end."""
    if len(front) <= count:
        return list(front)
    if count == 1:
        return front[:1]
    picks = sorted({round(i * (len(front) - 1) / (count - 1)) for i in range(count)})
    return [front[i] for i in picks]


def low_fidelity(trial: FrozenTrial, maximize: bool) -> float | None:
    """A trial's value at low fidelity: a completed trial's own; for one the pruner stopped, the
    best value it reported (None when it reported none)."""
    if trial.state == TrialState.COMPLETE:
        return value_of(trial)
    reported = list(trial.intermediate_values.values())
    return (max if maximize else min)(reported) if reported else None


def searched(study: optuna.Study, complete: list[FrozenTrial]) -> list[FrozenTrial]:
    """The trials a race may take besides the defaults: the feasible completed ones
    (`complete`, study.queries.feasible_complete), and the ones the pruner stopped after
    reporting a value (not those a user or W&B stopped). Under a latency limit only completed
    ones: a pruned trial's latency was never measured."""
    trials = [t for t in complete if not t.user_attrs.get(Attr.BASELINE)]
    if any(LATENCY_CONSTRAINT in t.constraints for t in complete):
        return trials
    return trials + [t for t in study.get_trials(deepcopy=False, states=(TrialState.PRUNED,))
                     if t.user_attrs.get(Attr.STOP_REASON) == Stop.PRUNED
                     and t.intermediate_values and not t.user_attrs.get(Attr.BASELINE)]


def candidates(study: optuna.Study, count: int) -> list[FrozenTrial]:
    """The best `count` searched trials by their low-fidelity value (in a multi-objective
    study, `count` members of the Pareto front, spread along it), then the baseline if not
    among them (in a multi-objective study each of the defaults' grid:
    sweep.config.baseline.baseline_grid)."""
    complete = feasible_complete(study)
    if len(study.directions) > 1:
        chosen = spread(pareto_front(study), count)
    else:
        maximize = maximizes(study)
        sign = -1.0 if maximize else 1.0
        chosen = sorted(searched(study, complete), key=lambda t: (
            sign * low_fidelity(t, maximize), t.number))[:count]  # type: ignore[operator]
    raced = [t.params for t in chosen]
    for trial in complete:  # the best of a baseline's tries first (a retry has its params)
        if trial.user_attrs.get(Attr.BASELINE) and trial.params not in raced:
            chosen.append(trial)
            raced.append(trial.params)
    return chosen


def race_name(study_name: str, final: dict[str, Any], raced: list[dict[str, Any]]) -> str:
    """A race per (candidates' parameters, final.*): a resumed search with the same top
    candidates reuses its race; new candidates get a new one."""
    text = json.dumps({"final": training_settings(final), "candidates": raced},
                      sort_keys=True, default=str)
    return f"{study_name}-race-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def raced_params(trial: FrozenTrial, extras: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """A candidate's parameters in the race: its trial's, and `extras` (what optimizer=auto
    sets beyond them, sweep.config.baseline.auto_extras) at auto's value for the baseline, so
    that the defaults raced are `yolo train`'s, at the trials' own value for the others."""
    baseline = bool(trial.user_attrs.get(Attr.BASELINE))
    return {**trial.params,
            **{name: auto if baseline else trials for name, (auto, trials) in extras.items()}}


def race_plan(plan: Plan, name: str, count: int,
              extras: dict[str, tuple[Any, Any]] | None = None) -> Plan:
    """The search's plan at full size: trial.* becomes final.*, one trial per candidate;
    `extras` (raced_params) join the space as choices."""
    config = json.loads(json.dumps(plan.config))
    for arg, (auto, trials) in (extras or {}).items():
        config["space"][arg] = {"choices": [trials, auto]}
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
                starter_for=plan.starter_for, budget=plan.budget,
                label_scans=plan.label_scans, race_of=plan.study_name, models=plan.models)


def open_race(plan: Plan, study: optuna.Study) -> tuple[Plan, optuna.Study, list[FrozenTrial]]:
    """The race study for the current top candidates, created and filled once."""
    final = plan.config["final"]
    chosen = candidates(study, int(final["candidates"]))
    extras = (auto_extras(plan.config["space"], plan.config["train"])
              if any(t.user_attrs.get(Attr.BASELINE) for t in chosen) else {})
    raced = [raced_params(trial, extras) for trial in chosen]
    name = race_name(plan.study_name, final, raced)
    rplan = race_plan(plan, name, len(chosen), extras)
    race = open_study(rplan.config, name, plan.storage_url,
                      to_distributions(rplan.config["space"]))
    with claim_lock(plan.storage_url, name):
        if not race.get_trials(deepcopy=False):
            for trial, params in zip(chosen, raced, strict=True):
                race.enqueue_trial(params, user_attrs={
                    Attr.CANDIDATE_OF: trial.number,
                    Attr.LOW_FIDELITY: low_fidelity(trial, maximizes(study)),
                    Attr.BASELINE: bool(trial.user_attrs.get(Attr.BASELINE))})
    return rplan, race, chosen


def describe(console: Console, chosen: list[FrozenTrial], final: dict[str, Any]) -> None:
    numbers = ", ".join(f"#{t.number}" + (" (baseline)" if t.user_attrs.get(Attr.BASELINE) else
                                          f" (pruned at epoch {len(t.intermediate_values)})"
                                          if t.state == TrialState.PRUNED else "")
                        for t in chosen)
    console.print(f"racing {len(chosen)} candidates at full size ({final['epochs']} epochs, "
                  f"{final['fraction']:.0%} of the data): trials {numbers}", soft_wrap=True)
