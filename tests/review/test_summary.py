"""summary.json's warnings: trials that cannot be ranked are said with the fix; a run too long
for the defaults the baseline raced is said too."""

from __future__ import annotations

import pytest
from optuna.trial import TrialState

from sweep.review.markdown import summary_markdown
from sweep.testing.fakes import SUMMARY, study_with_curves

CONFIG = {"study": {"metric": "fitness"}, "trial": {"epochs": 10, "fraction": 0.5},
          "model": "yolo11n.yaml"}


@pytest.mark.parametrize(("values", "warned"), [
    ([0.0, 0.0, 0.0, 0.4], True),     # 3 of 4 share 0.0
    ([0.0, 0.0, 0.3, 0.4], True),     # half
    ([0.0, 0.0], True),
    ([0.0, 0.2, 0.3, 0.4], False),
    ([0.5619, 0.4], False),           # half, but no two share a value: they rank
    ([0.0], False),                   # one trial: nothing to rank
])
def test_trials_that_cannot_be_ranked_are_said_with_the_fix(values: list[float],
                                                            warned: bool) -> None:
    from sweep.review.summary import ranking_warnings


    study = study_with_curves([(TrialState.COMPLETE, [v]) for v in values])
    warnings = ranking_warnings(study, CONFIG)
    assert bool(warnings) == warned
    if warned:
        tied = max(values.count(v) for v in values)
        assert warnings[0].startswith(f"{tied} of {len(values)} completed trials share fitness")
        assert "trial.epochs (now 10)" in warnings[0] and "model=yolo11n.pt" in warnings[0]
        assert "the baseline (Ultralytics' defaults) is one of them" in warnings[0]  # trial 0
        assert ("the best trial (#" in warnings[0]) == (values.count(max(values)) == tied)
        assert f"**Warning**: {warnings[0]}" in summary_markdown(
            {**SUMMARY, "warnings": warnings}, "fitness")


def test_a_tie_from_weights_does_not_ask_for_weights() -> None:
    from sweep.review.summary import ranking_warnings

    study = study_with_curves([(TrialState.COMPLETE, [v]) for v in (0.3, 0.3, 0.5)])
    [warning] = ranking_warnings(study, {**CONFIG, "model": "yolo11n.pt"})
    assert "raise trial.epochs (now 10) or trial.fraction (now 0.5)." in warning
    assert "pretrained" not in warning


def test_the_epochs_stopping_saved_are_counted_by_who_stopped() -> None:
    import optuna

    from sweep.core.record import Attr, Stop
    from sweep.review.lines import stopped_early_line
    from sweep.review.summary import epochs_saved

    study = optuna.create_study(direction="maximize")
    for state, ran, stop in [(TrialState.COMPLETE, 10, Stop.COMPLETED),
                             (TrialState.PRUNED, 2, Stop.PRUNED),
                             (TrialState.COMPLETE, 6, Stop.EARLY_STOPPED),
                             (TrialState.PRUNED, 1, Stop.PRUNED),
                             (TrialState.FAIL, 1, Stop.FAILED),
                             (TrialState.COMPLETE, 0, Stop.OUT_OF_MEMORY)]:
        attrs = {Attr.EPOCHS_RUN: ran, Attr.STOP_REASON: stop}
        if stop == Stop.OUT_OF_MEMORY:
            attrs[Attr.NOT_TRAINED] = True
        study.add_trial(optuna.trial.create_trial(
            state=state, value=0.1 if state == TrialState.COMPLETE else None,
            intermediate_values={0: 0.0} if state == TrialState.PRUNED else None,
            user_attrs=attrs))
    report = epochs_saved(study, 10)
    assert report == {"trials": 4, "pruned": 2, "early_stopped": 1, "epochs_planned": 40,
                      "epochs_saved": 21, "saved_by_pruner": 17, "saved_by_early_stop": 4}
    line = stopped_early_line(report)
    assert line == ("stopped early: 2 of 4 trials pruned (17 epochs saved), 1 by Ultralytics' "
                    "early stop (4); 21 of 40 trial epochs not trained (52%)")
    assert f"**Stopped early**{line[13:]}." in summary_markdown(
        {**SUMMARY, "stopped_early": report}, "fitness")
    assert epochs_saved(study_with_curves([(TrialState.FAIL, [0.0])]), 10) is None


def test_the_baseline_is_its_retry_when_the_first_try_was_cut_off() -> None:
    import optuna

    from sweep.core.record import Attr
    from sweep.review.summary import _baseline

    study = optuna.create_study(direction="maximize")
    x = optuna.distributions.FloatDistribution(0, 1)
    study.add_trial(optuna.trial.create_trial(state=TrialState.FAIL, params={"x": 0.5},
                                              distributions={"x": x},
                                              user_attrs={Attr.BASELINE: True}))
    assert _baseline(study) == {"number": 0, "state": "FAIL", "value": None}
    study.add_trial(optuna.trial.create_trial(value=0.7, params={"x": 0.5},
                                              distributions={"x": x},
                                              user_attrs={Attr.BASELINE: True,
                                                          Attr.RETRY_OF: 0}))
    assert _baseline(study) == {"number": 1, "state": "COMPLETE", "value": 0.7}


@pytest.mark.parametrize(("images", "epochs", "fixed", "warned"), [
    (6400, 100, {}, False),                   # 100 x 100 = 10000: auto still picks AdamW
    (6401, 100, {}, True),                    # 101 x 100: MuSGD
    (200000, 300, {"optimizer": "SGD"}, False),  # an optimizer the user fixed: no auto
])
def test_a_run_long_enough_for_musgd_says_which_defaults_raced(
        images: int, epochs: int, fixed: dict[str, str], warned: bool) -> None:
    """Ultralytics' optimizer=auto picks MuSGD above 10000 nominal iterations (64 images each,
    BaseTrainer); the baseline races its short-run AdamW, which the user is told."""
    from sweep.review.summary import defaults_warnings

    config = {"train": {"batch": 16, **fixed}, "space": {"optimizer": {}, "lr0": {}}}
    finalist = {"race": "s-race-1", "train_images": images, "epochs": epochs,
                "params": {"batch": 8}}
    race = {"candidates": [{"trial": 3, "baseline": False}, {"trial": 0, "baseline": True}]}
    warnings = defaults_warnings(config, finalist, race)
    assert bool(warnings) == warned
    if warned:
        assert "MuSGD" in warnings[0] and "space.optimizer=" in warnings[0]
    assert defaults_warnings(config, finalist, None) == []  # no race: no defaults raced
    assert defaults_warnings(config, finalist, {"candidates": race["candidates"][:1]}) == []
    auto_everywhere = {**config, "space": {"lr0": {}}}  # every run keeps auto: MuSGD for all
    assert defaults_warnings(auto_everywhere, finalist, race) == []
