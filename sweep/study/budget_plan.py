"""The run's wall-clock budget (`budget=`): what an epoch costs on this machine, what the race
and the finalist need, whether another trial fits, and what gives way when time runs short.

Measured, not guessed: every trial records its seconds per epoch (`Attr.EPOCH_S`) each epoch,
so the plan stands from the run's first epoch. A full-size epoch is a trial's epoch scaled by
the images it sees (training images, and validation images at a third: no backward pass)
until the race measures its own; the race and a leader's repeat each start workers, as the
search's first trial measured. The search keeps back the finale (the race as configured while
it takes at most half of the budget, else fewer candidates, else a plain retrain) and starts
no trial that would eat into it; when the search is over the finale shrinks to what is left
in the same order, and final.epochs is capped only when even a plain retrain cannot fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from optuna.trial import FrozenTrial

from sweep.core.record import Attr, Budget
from sweep.core.text import fmt_seconds

TRIAL_CAP = 1000       # study.n_trials under a budget, unless the command line sets it
VAL_WEIGHT = 1 / 3     # a validation image's cost against a training image's
FINALE_SHARE = 0.5     # the most of the budget the search keeps back for the finale
END_S = 10.0           # kept back for the run's end (summary, report, plots) ...
END_SHARE = 0.01       # ... and this share of the budget, for what the estimates miss
OVERHEAD_S = 2.0       # a training's cost beyond its epochs until one is measured
STAGE_S = 10.0         # a stage's start (workers spawned, warmed up) until the search measures it


@dataclass(frozen=True)
class Costs:
    """What a training costs here, in seconds."""

    trial_epoch_s: float   # a search trial's epoch (measured)
    full_epoch_s: float    # a full-size epoch (measured by the race, else scaled by the data)
    overhead_s: float      # a training beyond its epochs: data subset, its last evaluation
    full_measured: bool = False
    stage_s: float = 0.0   # a stage's start: its workers spawned, their first training warmed up

    def training_s(self, epochs: int, full: bool = True) -> float:
        return epochs * (self.full_epoch_s if full else self.trial_epoch_s) + self.overhead_s


@dataclass(frozen=True)
class Finale:
    """What follows the search: a race of the best `race` trials (with the baseline:
    `trainings` in all), or a plain retrain of the best (`race` 0), `epochs` epochs each."""

    race: int
    trainings: int
    epochs: int
    seconds: float
    shrunk: str | None = None  # what gave way to the budget, in words
    # one more training kept for a leader's repeat (final.confirm: sweep.finalist.confirm)
    confirm: bool = False

    @property
    def words(self) -> str:
        if self.race:
            return (f"a race of {self.trainings} x {self.epochs} epochs"
                    + (" and a leader's repeat" if self.confirm else ""))
        return f"a plain retrain of {self.epochs} epochs"


def deadline(budget: Budget) -> float:
    """When the run's work must be done: the budget's end less what the end and the
    estimates' misses need."""
    seconds = float(budget["seconds"])
    return float(budget["started"]) + seconds - (END_S + END_SHARE * seconds)


def full_scale(budget: Budget, trial: dict[str, Any], final_fraction: float) -> float:
    """How much more a full-size epoch sees than a trial's: training images, and validation
    images (all of them at full size, trial.val_images at most in a trial) at VAL_WEIGHT."""
    train, val = float(budget["train_images"]), float(budget["val_images"])
    cap = trial.get("val_images")
    seen = train * float(trial["fraction"]) + VAL_WEIGHT * (min(val, cap) if cap else val)
    return (train * final_fraction + VAL_WEIGHT * val) / max(1.0, seen)


def measure(trials: Sequence[FrozenTrial], run_id: str | None, budget: Budget,
            config: dict[str, Any], race_trials: Sequence[FrozenTrial] = ()) -> Costs | None:
    """Costs from this run's trials (every trial's: `run_id` None) and the race's once it
    measures; None before the first epoch."""
    mine = [t for t in trials if run_id in (None, t.user_attrs.get(Attr.RUN_ID))
            and t.user_attrs.get(Attr.EPOCH_S)]
    if not mine:
        return None
    epoch = fmean(float(t.user_attrs[Attr.EPOCH_S]) for t in mine)
    ended = [t for t in mine if Attr.WALL_TIME_S in t.user_attrs]
    overhead = fmean(max(0.0, float(t.user_attrs[Attr.WALL_TIME_S]) - float(
        t.user_attrs[Attr.EPOCH_S]) * int(t.user_attrs.get(Attr.EPOCHS_RUN, 0))) for t in ended
                     ) if ended else OVERHEAD_S
    stage = stage_start(ended, budget, epoch, overhead)
    raced = [float(t.user_attrs[Attr.EPOCH_S]) for t in race_trials
             if t.user_attrs.get(Attr.EPOCH_S)]
    if raced:
        return Costs(epoch, fmean(raced), overhead, full_measured=True, stage_s=stage)
    scale = full_scale(budget, config["trial"], float(config["final"]["fraction"]))
    return Costs(epoch, epoch * scale, overhead, stage_s=stage)


def stage_start(ended: Sequence[FrozenTrial], budget: Budget, epoch_s: float,
                overhead_s: float) -> float:
    """A stage's start: from the search's (`search_started`) to its first trial's end, less what
    a trial of its epochs costs once warm; STAGE_S until that trial has ended."""
    searched_from = budget.get("search_started")
    done = [t for t in ended if t.datetime_start and t.datetime_complete]
    if not searched_from or not done:
        return STAGE_S
    first = min(done, key=lambda t: t.datetime_start)  # type: ignore[arg-type,return-value]
    warm = epoch_s * int(first.user_attrs.get(Attr.EPOCHS_RUN, 0)) + overhead_s
    took = first.datetime_complete.timestamp() - float(searched_from)  # type: ignore[union-attr]
    return max(0.0, took - warm)


def plan_finale(costs: Costs, final: dict[str, Any], devices: int, left_s: float,
                trainings_for: Callable[[int], int], confirm: bool = False) -> Finale:
    """The largest finale that fits in `left_s`: the race with final.candidates down to 1
    (`trainings_for(count)` trainings, one per device at a time, and with `confirm` one more
    after them for a leader's repeat, each of those two stages starting its workers), then a
    plain retrain, then a plain retrain with final.epochs capped (never below 1)."""
    wanted, epochs = int(final["candidates"]), int(final["epochs"])
    one = costs.training_s(epochs)

    def race_s(count: int) -> float:
        rounds = math.ceil(trainings_for(count) / max(1, devices)) + int(confirm)
        return rounds * one + (1 + int(confirm)) * costs.stage_s

    for count in range(wanted, 0, -1) if wanted > 1 else ():
        trainings, seconds = trainings_for(count), race_s(count)
        if trainings > 1 and seconds <= left_s:
            shrunk = None if count == wanted else (
                f"final.candidates {wanted} -> {count}: the race of {trainings_for(wanted)} "
                f"would need {fmt_seconds(race_s(wanted))}, {fmt_seconds(left_s)} left")
            return Finale(count, trainings, epochs, seconds, shrunk, confirm)
    races = [race_s(count) for count in range(1, wanted + 1) if trainings_for(count) > 1]
    raced = (f"a plain retrain instead of the race (final.candidates={wanted}), whose smallest "
             f"would need {fmt_seconds(min(races))}; " if wanted > 1 and races else "")
    if one <= left_s:
        return Finale(0, 1, epochs, one, f"{raced}{fmt_seconds(left_s)} left" if raced else None)
    capped = min(epochs, max(1, int((left_s - costs.overhead_s) // costs.full_epoch_s)))
    return Finale(0, 1, capped, costs.training_s(capped),
                  f"{raced}final.epochs {epochs} -> {capped}: {epochs} epochs would need "
                  f"{fmt_seconds(one)}, {fmt_seconds(max(0.0, left_s))} left")


def confirms(config: dict[str, Any]) -> bool:
    """Whether a race may add a leader's repeat: final.confirm, with the defaults raced."""
    return bool(config["final"].get("confirm")) and bool(config["study"]["baseline"])


def kept_back(costs: Costs, config: dict[str, Any], budget: Budget) -> Finale | None:
    """What the search keeps back for the finale: the largest that takes at most FINALE_SHARE
    of the budget, and never less than a plain retrain of final.epochs."""
    final = config["final"]
    if not final["enabled"]:
        return None
    baseline = 1 if config["study"]["baseline"] else 0
    finale = plan_finale(costs, final, int(budget["devices"]),
                         FINALE_SHARE * float(budget["seconds"]), lambda count: count + baseline,
                         confirms(config))
    if finale.epochs < int(final["epochs"]):
        return Finale(0, 1, int(final["epochs"]), costs.training_s(int(final["epochs"])))
    return finale


@dataclass(frozen=True)
class Outlook:
    """The plan as the run's trials measure it now."""

    costs: Costs
    trial_s: float            # one search trial, all its epochs
    finale: Finale | None     # kept back for the race and the finalist
    search_end: float         # epoch seconds: the latest the search can end
    end: float                # the predicted end of the run


def outlook(trials: Sequence[FrozenTrial], config: dict[str, Any], budget: Budget,
            run_id: str | None, now: float, finished: int | None = None) -> Outlook | None:
    """The measured plan at `now` (from this run's trials; run_id None: every trial's, as
    W&B agents' trials are measured); None before the run's first epoch. `finished`: the trials
    the study has, when study.n_trials (a cap) may end the search before the budget does."""
    costs = measure(trials, run_id, budget, config)
    if costs is None:
        return None
    trial_s = costs.training_s(int(config["trial"]["epochs"]), full=False)
    finale = kept_back(costs, config, budget)
    finale_s = finale.seconds if finale else 0.0
    search_end = deadline(budget) - finale_s
    if finished is not None:
        left = max(0, int(config["study"]["n_trials"]) - finished)
        search_end = min(search_end, now + math.ceil(left / int(budget["devices"])) * trial_s)
    return Outlook(costs, trial_s, finale, max(now, search_end),
                   max(now, search_end) + finale_s + END_S)


def another_trial_fits(trials: Sequence[FrozenTrial], config: dict[str, Any],
                       budget: Budget, run_id: str | None, now: float) -> bool:
    """Whether a trial started now ends before what the finale needs: always, until this
    run's first epoch has measured what a trial costs."""
    seen = outlook(trials, config, budget, run_id, now)
    if seen is None:
        return True
    kept = seen.finale.seconds if seen.finale else 0.0
    return now + seen.trial_s + kept <= deadline(budget)


def judged(trials: Sequence[FrozenTrial], run_id: str) -> bool:
    """Whether this run has measured an epoch without the training's setup in it: a trial's
    second epoch, or a trial's end."""
    return any(t.user_attrs.get(Attr.RUN_ID) == run_id and t.user_attrs.get(Attr.EPOCH_S)
               and (len(t.intermediate_values) > 1 or t.state.is_finished()) for t in trials)


def too_small(trials: Sequence[FrozenTrial], config: dict[str, Any], budget: Budget,
              run_id: str) -> tuple[str, str] | None:
    """(problem, fix) when the budget cannot hold this run's first trial and a plain retrain of
    final.epochs, as its first epochs say; None when it can, or before two epochs (or a whole
    trial) have measured it."""
    costs = measure(trials, run_id, budget, config)
    if costs is None or not judged(trials, run_id):
        return None
    mine = [t for t in trials if t.user_attrs.get(Attr.RUN_ID) == run_id
            and t.datetime_start is not None]
    first = min(t.datetime_start.timestamp() for t in mine)  # type: ignore[union-attr]
    epochs, final_epochs = int(config["trial"]["epochs"]), int(config["final"]["epochs"])
    trial_s = costs.training_s(epochs, full=False)
    final_s = costs.training_s(final_epochs) if config["final"]["enabled"] else 0.0
    needed = first + trial_s + final_s - float(budget["started"])
    limit = deadline(budget) - float(budget["started"])
    if needed <= limit:
        return None
    room = limit - (first - float(budget["started"])) - trial_s - costs.overhead_s
    fits = int(room // costs.full_epoch_s) if room > 0 else 0
    whole = needed + END_S + END_SHARE * float(budget["seconds"])
    problem = (f"cannot hold one trial and the finalist: a trial {fmt_seconds(trial_s)} ({epochs} "
               f"epochs of {costs.trial_epoch_s:.1f} s, measured), the finalist "
               f"{fmt_seconds(final_s)} ({final_epochs} epochs of {costs.full_epoch_s:.1f} s at "
               f"full size, from the data), {fmt_seconds(whole)} in all with the start")
    fix = (f"set budget={math.ceil(whole / 60)}m or more"
           + (f", or final.epochs={fits}" if 0 < fits < final_epochs else "")
           + ", or fewer trial.epochs; the study is kept: the same command resumes it")
    return problem, fix
