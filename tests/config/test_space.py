from __future__ import annotations

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from sweep.config.space import grid_values, sample, to_distribution, to_distributions
from sweep.core.errors import ConfigError


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"low": 1e-4, "high": 1e-2, "log": True}, FloatDistribution(1e-4, 1e-2, log=True)),
        ({"low": 0.0, "high": 0.9}, FloatDistribution(0.0, 0.9)),
        ({"low": 0.0, "high": 1.0, "step": 0.25}, FloatDistribution(0.0, 1.0, step=0.25)),
        ({"low": 8, "high": 64}, IntDistribution(8, 64)),
        ({"low": 8, "high": 64, "step": 8}, IntDistribution(8, 64, step=8)),
        ({"low": 1, "high": 64, "log": True}, IntDistribution(1, 64, log=True)),
        ({"low": 0, "high": 1, "type": "float"}, FloatDistribution(0.0, 1.0)),
        ({"low": 2.0, "high": 6.0, "type": "int"}, IntDistribution(2, 6)),
        ({"choices": ["SGD", "AdamW"]}, CategoricalDistribution(["SGD", "AdamW"])),
        ({"choices": [8, 16, 32]}, CategoricalDistribution([8, 16, 32])),
    ],
)
def test_entry_to_distribution(spec: dict, expected: object) -> None:
    assert to_distribution("x", spec) == expected


@pytest.mark.parametrize(
    ("spec", "key", "words"),
    [
        ({"low": 0.1, "high": 0.1}, "space.x", "below high"),
        ({"low": 0.5, "high": 0.1}, "space.x", "below high"),
        ({"low": 0.0, "high": 1.0, "log": True}, "space.x.low", "log-scaled"),
        ({"low": -1.0, "high": 1.0, "log": True}, "space.x.low", "log-scaled"),
        ({"choices": []}, "space.x.choices", "no choices"),
        ({"choices": None}, "space.x.choices", "no choices"),
        ({"choices": [1], "low": 0}, "space.x", "only 'choices'"),
        ({"low": 0.0}, "space.x", "needs 'low' and 'high'"),
        ({"high": 1.0, "lo": 0.0}, "space.x", "needs 'low' and 'high'"),
        ({"low": "a", "high": 1.0}, "space.x.low", "must be a number"),
        ({"low": 0.0, "high": 1.0, "step": 0}, "space.x.step", "positive"),
        ({"low": 0.1, "high": 1.0, "step": 0.1, "log": True}, "space.x", "cannot be combined"),
        ({"low": 0.5, "high": 2.5, "type": "int"}, "space.x", "whole-number"),
        ({"low": 0, "high": 1, "type": "str"}, "space.x.type", "'int' or 'float'"),
        (0.5, "space.x", "must be a mapping"),
    ],
)
def test_bad_entry_names_key_and_fix(spec: object, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        to_distribution("x", spec)  # type: ignore[arg-type]
    assert info.value.key == key
    assert words in info.value.problem
    assert "Fix:" in str(info.value)


def test_sampled_values_lie_in_their_distributions() -> None:
    space = {"lr0": {"low": 1e-4, "high": 1e-2, "log": True}, "batch": {"choices": [8, 16]},
             "mosaic": {"low": 0.0, "high": 1.0, "step": 0.5}}
    distributions = to_distributions(space)
    assert list(distributions) == ["batch", "lr0", "mosaic"]  # stable order
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        params = sample(study.ask(), distributions)
        assert 1e-4 <= params["lr0"] <= 1e-2
        assert params["batch"] in (8, 16)
        assert params["mosaic"] in (0.0, 0.5, 1.0)


def test_grid_values_and_its_limits() -> None:
    grid = grid_values(to_distributions({
        "batch": {"choices": [8, 16]}, "mosaic": {"low": 0.0, "high": 1.0, "step": 0.5},
        "close_mosaic": {"low": 0, "high": 4, "step": 2}}))
    assert grid == {"batch": [8, 16], "close_mosaic": [0, 2, 4], "mosaic": [0.0, 0.5, 1.0]}
    with pytest.raises(ConfigError, match="space.lr0"):
        grid_values(to_distributions({"lr0": {"low": 1e-4, "high": 1e-2, "log": True}}))
