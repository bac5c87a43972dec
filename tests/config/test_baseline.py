"""The baseline trial's parameters: Ultralytics' defaults, and the config's own fixed value of a
searched argument (what a run without tuning would use)."""

from __future__ import annotations

from optuna.distributions import CategoricalDistribution, FloatDistribution

from sweep.config.baseline import baseline_params


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
