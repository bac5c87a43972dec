"""The baseline trial's parameters: Ultralytics' defaults, and the config's own fixed value of a
searched argument (what a run without tuning would use)."""

from __future__ import annotations

from typing import Any

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution

from sweep.config.baseline import baseline_params
from tests.conftest import CONF, Compose, resolved


def test_the_defaults_fitted_into_the_space() -> None:
    space = {"lr0": FloatDistribution(1e-4, 1e-1, log=True),
             "optimizer": CategoricalDistribution(["SGD", "AdamW"]),
             "imgsz": CategoricalDistribution([64, 96, 128])}
    # optimizer=auto resolved as Ultralytics does for short runs; 640 is not a choice
    assert baseline_params(space, 3) == {"lr0": 0.001429, "optimizer": "AdamW", "imgsz": 64}


def test_a_searched_argument_the_config_fixes_starts_at_the_fixed_value() -> None:
    space = {"imgsz": CategoricalDistribution([64, 96, 128]),
             "scale": FloatDistribution(0.0, 0.9)}
    assert baseline_params(space, 3, {"imgsz": 128, "workers": 2}) == {"imgsz": 128,
                                                                        "scale": 0.5}


def test_a_multi_objective_baseline_is_the_defaults_at_each_speed_choice() -> None:
    from sweep.config.baseline import baseline_grid

    space = {"imgsz": CategoricalDistribution([64, 96, 128]),
             "model": CategoricalDistribution(["yolo11n.pt", "yolo11s.pt"]),
             "lr0": FloatDistribution(1e-4, 1e-1, log=True)}
    params = baseline_params(space, 3, {"imgsz": 128, "model": "yolo11n.pt"})
    grid = baseline_grid(space, params)
    assert grid[0] == params and len(grid) == 6  # the configured one first, then the rest
    assert {(g["imgsz"], g["model"]) for g in grid} == {
        (s, m) for s in (64, 96, 128) for m in ("yolo11n.pt", "yolo11s.pt")}
    assert all(g["lr0"] == params["lr0"] for g in grid)
    # too many combinations: the defaults alone; nothing searched for speed: the same
    wide = {**space, "imgsz": CategoricalDistribution([32, 64, 96, 128])}
    assert baseline_grid(wide, params) == [params]
    assert baseline_grid({"lr0": space["lr0"]}, {"lr0": 0.01}) == [{"lr0": 0.01}]


@pytest.mark.parametrize("space", sorted(p.stem for p in (CONF / "space").glob("*.yaml")))
def test_every_shipped_space_is_valid_and_has_a_baseline(compose_cfg: Compose,
                                                         space: str) -> None:
    from sweep.config.baseline import ultralytics_defaults
    from sweep.config.space import to_distributions
    from sweep.config.validate import validate

    cfg = compose_cfg("+experiment=yolo11n", f"space={space}")
    validate(cfg)
    for classes in (1, 3, 80):  # the defaults' lr0 moves with the classes (optimizer=auto)
        config = resolved(cfg, classes)
        distributions = to_distributions(config["space"])
        params = baseline_params(distributions, classes, config["train"])
        assert params and all(distributions[k]._contains(distributions[k].to_internal_repr(v))
                              for k, v in params.items())
        defaults = ultralytics_defaults(classes, config["train"])
        assert all(v == defaults[k] for k, v in params.items()), "a default clipped"


@pytest.mark.parametrize(("searched", "train", "extras"), [
    ({"optimizer", "lr0"}, {}, {"warmup_bias_lr": (0.0, 0.1)}),   # the baseline names AdamW
    ({"optimizer"}, {"warmup_bias_lr": 0.05}, {"warmup_bias_lr": (0.0, 0.05)}),
    ({"optimizer"}, {"warmup_bias_lr": 0.0}, {}),                  # trials already train so
    ({"optimizer", "warmup_bias_lr"}, {}, {}),                     # searched: the baseline's own
    ({"lr0"}, {}, {}),                     # optimizer=auto in every trial: Ultralytics sets it
    ({"optimizer"}, {"optimizer": "SGD"}, {}),                     # no auto to mirror
])
def test_what_auto_sets_beyond_the_baseline_params(searched: set[str], train: dict[str, Any],
                                                   extras: dict[str, Any]) -> None:
    """optimizer=auto starts the biases' warm-up at 0.0 (BaseTrainer.build_optimizer); the
    baseline names the optimizer explicitly, so its race candidate adds what auto would set."""
    from sweep.config.baseline import auto_extras

    assert auto_extras(searched, train) == extras
