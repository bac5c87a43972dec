"""The budget's planner on fake epoch timings: what is measured, what is kept back for the
finale, whether another trial fits, what gives way, and when a budget is refused."""

from __future__ import annotations

import datetime
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from sweep.core.record import Attr
from sweep.core.text import parse_seconds
from sweep.study.budget_plan import (
    END_S,
    END_SHARE,
    STAGE_S,
    Costs,
    another_trial_fits,
    deadline,
    judged,
    kept_back,
    measure,
    outlook,
    plan_finale,
    too_small,
)

T0 = 1_000_000.0  # the command's start, epoch seconds
RUN = "run-now"


def config(candidates: int = 2, epochs: int = 10, trial_epochs: int = 10,
           baseline: bool = True, enabled: bool = True, n_trials: int = 1000) -> dict[str, Any]:
    return {"trial": {"epochs": trial_epochs, "fraction": 0.5, "val_images": 64},
            "final": {"candidates": candidates, "epochs": epochs, "fraction": 1.0,
                      "enabled": enabled},
            "study": {"baseline": baseline, "n_trials": n_trials}}


def budget(seconds: float, devices: int = 1, capped: bool = False) -> dict[str, Any]:
    # 256 train / 64 val images: a trial sees 128 + 64/3, a full-size epoch 256 + 64/3
    return {"seconds": seconds, "asked": f"{seconds}s", "started": T0, "devices": devices,
            "train_images": 256, "val_images": 64, "capped": capped}


def trial(epoch_s: float, epochs: int = 2, run_id: str = RUN, start: float = T0 + 10,
          state: TrialState = TrialState.RUNNING, wall_s: float | None = None,
          number: int = 0) -> FrozenTrial:
    attrs: dict[str, Any] = {Attr.RUN_ID: run_id, Attr.EPOCH_S: epoch_s, Attr.WORKER: "cpu#0"}
    if wall_s is not None:
        attrs.update({Attr.WALL_TIME_S: wall_s, Attr.EPOCHS_RUN: epochs})
    frozen = optuna.trial.create_trial(
        state=state, value=0.5 if state == TrialState.COMPLETE else None,
        user_attrs=attrs, intermediate_values={e: 0.1 * e for e in range(epochs)})
    frozen.datetime_start = datetime.datetime.fromtimestamp(start)
    frozen.number = number
    return frozen


SCALE = (256 + 64 / 3) / (128 + 64 / 3)


@pytest.mark.parametrize(("text", "seconds"), [
    (300, 300.0), ("300", 300.0), (90.5, 90.5), ("3h", 10800.0), ("45m", 2700.0),
    ("1h30m", 5400.0), ("90s", 90.0), ("1.5h", 5400.0), ("2d", 172800.0), (" 10 m", 600.0)])
def test_durations_as_typed(text: Any, seconds: float) -> None:
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", [-1, "-1", "abc", 0, "0", "0m", "h", "3x", "-5m", True, None,
                                  "nan", "inf", ""])
def test_durations_refused(text: Any) -> None:
    with pytest.raises(ValueError):
        parse_seconds(text)


def test_costs_are_this_runs_scaled_by_the_data() -> None:
    trials = [trial(4.0, run_id="earlier-run"), trial(6.0), trial(8.0, number=1)]
    costs = measure(trials, RUN, budget(600), config())
    assert costs is not None and not costs.full_measured
    assert costs.trial_epoch_s == 7.0  # the earlier run's machine is not this one's
    assert costs.full_epoch_s == pytest.approx(7.0 * SCALE)
    # the race measures a full-size epoch itself once it runs
    raced = measure(trials, RUN, budget(600), config(), race_trials=[trial(20.0)])
    assert raced is not None and raced.full_measured and raced.full_epoch_s == 20.0
    # a resumed run plans on its own epochs: none yet
    assert measure([trial(4.0, run_id="earlier-run")], RUN, budget(600), config()) is None


def test_overhead_is_what_a_trial_spends_beyond_its_epochs() -> None:
    done = trial(5.0, epochs=10, state=TrialState.COMPLETE, wall_s=58.0)
    costs = measure([done], RUN, budget(600), config())
    assert costs is not None and costs.overhead_s == pytest.approx(8.0)
    assert costs.training_s(10, full=False) == pytest.approx(58.0)


COSTS = Costs(trial_epoch_s=5.0, full_epoch_s=10.0, overhead_s=2.0)  # a full training: 102 s


@pytest.mark.parametrize(
    ("candidates", "devices", "left", "with_baseline", "race", "trainings", "epochs", "gave"), [
        (2, 1, 400, True, 2, 3, 10, None),              # the race as configured
        (2, 1, 250, True, 1, 2, 10, "final.candidates 2 -> 1"),
        (2, 2, 250, True, 2, 3, 10, None),              # two at a time: 2 rounds, 204 s
        (3, 2, 250, True, 3, 4, 10, None),              # 4 trainings in 2 rounds
        (3, 2, 200, True, 1, 2, 10, "final.candidates 3 -> 1"),
        (2, 1, 150, True, 0, 1, 10, "a plain retrain instead of the race"),
        (2, 1, 52, True, 0, 1, 5, "final.epochs 10 -> 5"),  # the last resort
        (2, 1, 5, True, 0, 1, 1, "final.epochs 10 -> 1"),   # never below one epoch
        (1, 1, 150, True, 0, 1, 10, None),              # a plain retrain was asked for
        (1, 1, 60, True, 0, 1, 5, "final.epochs 10 -> 5"),
        (2, 1, 250, False, 2, 2, 10, None),             # the best is the baseline: 2 trainings
        (2, 1, 150, False, 0, 1, 10, "a plain retrain instead"),
    ])
def test_the_finale_gives_way_in_order(candidates: int, devices: int, left: float,
                                       with_baseline: bool, race: int, trainings: int,
                                       epochs: int, gave: str | None) -> None:
    finale = plan_finale(COSTS, config(candidates)["final"], devices, left,
                         lambda count: count + int(with_baseline))
    assert (finale.race, finale.trainings, finale.epochs) == (race, trainings, epochs)
    assert finale.seconds <= max(left, COSTS.training_s(1))
    if gave is None:
        assert finale.shrunk is None
    else:
        assert finale.shrunk is not None and gave in finale.shrunk, finale.shrunk


@pytest.mark.parametrize(("seconds", "devices", "kept"), [
    (1000, 1, (2, 3)),   # 306 s of a race of 3 is under half of 1000 s
    (500, 1, (1, 2)),    # half is 250 s: a race of 2
    (300, 1, (0, 1)),    # half is 150 s: a plain retrain
    (150, 1, (0, 1)),    # even that is over half: kept back whole, never capped while searching
    (500, 2, (2, 3)),    # two devices race two at a time
])
def test_the_search_keeps_back_at_most_half(seconds: float, devices: int,
                                            kept: tuple[int, int]) -> None:
    finale = kept_back(COSTS, config(), budget(seconds, devices))
    assert finale is not None and (finale.race, finale.trainings) == kept
    assert finale.epochs == 10
    assert kept_back(COSTS, config(enabled=False), budget(seconds)) is None


def test_another_trial_fits_until_the_finale_is_reached() -> None:
    plan_budget = budget(1000)
    first = trial(5.0, epochs=10, state=TrialState.COMPLETE, wall_s=52.0)  # overhead 2 s
    cfg = config()
    costs = measure([first], RUN, plan_budget, cfg)
    assert costs is not None and costs.full_epoch_s == pytest.approx(5.0 * SCALE)
    # kept back: a race of 3 full trainings and its start (under half the budget); a trial
    # takes 52 s
    race_s = 3 * costs.training_s(10) + costs.stage_s
    end = deadline(plan_budget)
    assert end == T0 + 1000 - END_S - END_SHARE * 1000
    last_start = end - race_s - 52
    assert another_trial_fits([first], cfg, plan_budget, RUN, last_start - 1)
    assert not another_trial_fits([first], cfg, plan_budget, RUN, last_start + 1)
    # before this run measured anything, the first trial always starts
    assert another_trial_fits([], cfg, plan_budget, RUN, end + 100)


def test_outlook_predicts_the_end_and_a_cap_ends_the_search_sooner() -> None:
    first = trial(5.0, epochs=10, state=TrialState.COMPLETE, wall_s=52.0)
    seen = outlook([first], config(), budget(1000), RUN, T0 + 100)
    assert seen is not None and seen.finale is not None and seen.finale.trainings == 3
    assert seen.search_end == pytest.approx(deadline(budget(1000)) - seen.finale.seconds)
    assert seen.end == pytest.approx(seen.search_end + seen.finale.seconds + END_S)
    capped = outlook([first], config(n_trials=3), budget(1000, capped=True), RUN, T0 + 100,
                     finished=1)
    assert capped is not None and capped.search_end == pytest.approx(T0 + 100 + 2 * 52)


def test_a_budget_that_cannot_hold_a_trial_and_the_finalist_is_refused() -> None:
    running = trial(5.0, epochs=2, start=T0 + 20)
    assert judged([running], RUN)
    # from T0 + 20: a trial 52 s, then a plain finalist of 10 epochs of 5 x SCALE s: ~95 s
    refused = too_small([running], config(), budget(80), RUN)
    assert refused is not None
    problem, fix = refused
    assert "cannot hold one trial and the finalist" in problem
    assert "budget=3m" in fix and "final.epochs=" not in fix  # no final epoch fits at all
    assert too_small([running], config(), budget(200), RUN) is None
    fewer = too_small([running], config(), budget(120), RUN)  # 3 final epochs would fit
    assert fewer is not None and "final.epochs=3" in fewer[1]
    # one epoch carries the training's setup: no verdict on it alone
    assert not judged([trial(30.0, epochs=1)], RUN)
    assert too_small([trial(30.0, epochs=1)], config(), budget(120), RUN) is None


def test_a_leaders_repeat_is_kept_back_as_one_more_training_after_the_race() -> None:
    """final.confirm: the race may end with one more training (sweep.finalist.confirm), after
    the race's rounds; with the defaults not raced there is nothing to confirm."""
    final = {**config()["final"], "confirm": True}
    one = COSTS.training_s(10)
    assert plan_finale(COSTS, config()["final"], 1, 4 * one - 1, lambda n: n + 1).race == 2
    finale = plan_finale(COSTS, final, 1, 4 * one - 1, lambda n: n + 1, confirm=True)
    assert (finale.race, finale.trainings, finale.confirm) == (1, 2, True)
    assert finale.seconds == pytest.approx(3 * one)
    assert finale.words == "a race of 2 x 10 epochs and a leader's repeat"
    two = plan_finale(COSTS, final, 2, 3 * one, lambda n: n + 1, confirm=True)
    assert (two.race, two.seconds) == (2, pytest.approx(3 * one))  # 2 rounds, then the repeat
    with_confirm = {**config(), "final": final}
    assert kept_back(COSTS, with_confirm, budget(1000)).confirm  # type: ignore[union-attr]
    assert not kept_back(COSTS, {**with_confirm, "study": {"baseline": False}},
                         budget(1000)).confirm  # type: ignore[union-attr]


def test_each_stage_after_the_search_pays_its_start_as_the_search_measured_it() -> None:
    """The race and a leader's repeat each start worker processes (spawned, warmed up): the
    search's first trial measures that from the search's start; the finale keeps it back."""
    searched_from = T0 + 20
    first = trial(5.0, epochs=10, state=TrialState.COMPLETE, wall_s=52.0, start=T0 + 27)
    first.datetime_complete = datetime.datetime.fromtimestamp(T0 + 27 + 52)
    plan_budget = {**budget(1000), "search_started": searched_from}
    costs = measure([first], RUN, plan_budget, config())
    # 59 s from the search's start to the first trial's end, of which 52 s a trial's own
    assert costs is not None and costs.stage_s == pytest.approx(7.0)
    # until the first trial has ended (or without the search's start), a stage is STAGE_S
    assert measure([trial(5.0)], RUN, plan_budget, config()).stage_s == STAGE_S  # type: ignore[union-attr]
    assert measure([first], RUN, budget(1000), config()).stage_s == STAGE_S  # type: ignore[union-attr]
    staged = Costs(trial_epoch_s=5.0, full_epoch_s=10.0, overhead_s=2.0, stage_s=7.0)
    one = staged.training_s(10)
    final = {**config()["final"], "confirm": True}
    race = plan_finale(staged, config()["final"], 1, 1000, lambda n: n + 1)
    assert race.seconds == pytest.approx(3 * one + 7.0)
    repeat = plan_finale(staged, final, 1, 1000, lambda n: n + 1, confirm=True)
    assert repeat.seconds == pytest.approx(4 * one + 2 * 7.0)
    # what fitted without the stages gives way with them: the race of 2 and the baseline
    # with its repeat needs 4 trainings and two starts
    tight = plan_finale(staged, final, 1, 4 * one + 10.0, lambda n: n + 1, confirm=True)
    assert (tight.race, tight.trainings) == (1, 2) and tight.shrunk
