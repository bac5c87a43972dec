"""Creating a study: every sampler and pruner conf/ offers, and the sampler's start-up trials."""

from __future__ import annotations

import pytest

from sweep.config.space import to_distributions
from sweep.core.errors import ConfigError
from sweep.pruning.stall import StallPruner
from sweep.study.open import make_sampler
from tests.conftest import Compose, resolved


@pytest.mark.parametrize("sampler", ["tpe", "gp", "cmaes", "random"])
def test_every_sampler_instantiates(compose_cfg: Compose, sampler: str) -> None:
    import optuna

    from sweep.config.space import to_distributions
    from sweep.pruning.policy import make_pruner
    from sweep.study.open import make_sampler

    cfg = compose_cfg(f"sampler={sampler}")
    sampler = make_sampler(cfg, to_distributions(resolved(cfg)["space"]))
    assert isinstance(sampler, optuna.samplers.BaseSampler)
    assert isinstance(make_pruner(cfg), StallPruner)


def test_grid_sampler_needs_finite_values(compose_cfg: Compose) -> None:
    import optuna

    from sweep.config.space import to_distributions
    from sweep.study.open import make_sampler

    with pytest.raises(ConfigError, match="space.lr0"):
        cfg = compose_cfg("sampler=grid")
        make_sampler(cfg, to_distributions(resolved(cfg)["space"]))
    cfg = compose_cfg("sampler=grid", "~space.lr0", "+space.lr0={choices:[0.001,0.01]}",
                      "space.lrf.low=0.1", "space.lrf.high=0.5", "+space.lrf.step=0.2",
                      "~space.momentum",
                      "~space.scale")
    sampler = make_sampler(cfg, to_distributions(resolved(cfg)["space"]))
    assert isinstance(sampler, optuna.samplers.GridSampler)


@pytest.mark.parametrize("pruner", ["median", "hyperband", "successive_halving", "none"])
def test_every_pruner_is_wrapped_in_patience(compose_cfg: Compose, pruner: str) -> None:
    from sweep.pruning.policy import make_pruner

    made = make_pruner(compose_cfg(f"pruner={pruner}", "trial.patience=4"))
    assert isinstance(made, StallPruner) and made.patience == 4


@pytest.mark.parametrize("sampler", ["tpe", "gp", "cmaes", "random"])
def test_every_sampler_samples_past_its_start_up(compose_cfg: Compose, sampler: str) -> None:
    """Each documented sampler's packages are installed (cmaes, scipy): asking works after the
    random start-up trials, where they are first imported."""
    import optuna

    from sweep.config.space import to_distributions
    from sweep.study.open import make_sampler

    cfg = compose_cfg(f"sampler={sampler}")
    distributions = to_distributions(resolved(cfg)["space"])
    study = optuna.create_study(direction="maximize",
                                sampler=make_sampler(cfg, distributions))
    for number in range(6):
        trial = study.ask(fixed_distributions=distributions)
        study.tell(trial, trial.params["lr0"] * (number + 1))
    assert len(study.trials) == 6


@pytest.mark.parametrize(("n_trials", "startup"), [(1, 2), (6, 2), (20, 5), (40, 10), (400, 10)])
def test_model_based_samplers_start_with_a_quarter_of_the_budget(
        compose_cfg: Compose, n_trials: int, startup: int) -> None:
    for sampler in ("tpe", "gp"):
        cfg = compose_cfg(f"sampler={sampler}", f"study.n_trials={n_trials}")
        assert cfg.sampler.n_startup_trials == startup
        sampler = make_sampler(cfg, to_distributions(resolved(cfg)["space"]))
        assert sampler._n_startup_trials == startup
