"""The Optuna private API sweep relies on is all there in this Optuna."""

from __future__ import annotations

import optuna

from sweep.core.optuna_api import contains, problems


def test_this_optuna_has_every_private_name_sweep_uses() -> None:
    missing = problems()
    assert not missing, (
        f"Optuna {optuna.__version__} changed private API that sweep.core.optuna_api relies on; "
        "adapt that module (and only it) to the new release:\n" + "\n".join(missing))


def test_contains_reads_values_as_users_give_them() -> None:
    assert contains(optuna.distributions.IntDistribution(8, 32, step=8), 16)
    assert not contains(optuna.distributions.IntDistribution(8, 32, step=8), 12)
    assert contains(optuna.distributions.CategoricalDistribution(["SGD", "AdamW"]), "AdamW")
    assert not contains(optuna.distributions.FloatDistribution(0.1, 1.0), 1.5)


def test_ask_new_leaves_queued_trials_queued() -> None:
    from sweep.core.optuna_api import ask_new

    study = optuna.create_study()
    study.enqueue_trial({"x": 0.5})
    x = optuna.distributions.FloatDistribution(0, 1)
    trial = ask_new(study, {"x": x})
    assert trial.number == 1 and [t.state.name for t in study.trials] == ["WAITING", "RUNNING"]
    assert study.ask({"x": x}).params == {"x": 0.5}  # the queued one, for the next plain ask
