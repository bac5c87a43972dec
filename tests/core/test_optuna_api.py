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
