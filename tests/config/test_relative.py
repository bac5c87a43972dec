"""Ranges relative to Ultralytics' defaults (`times_default: [a, b]`): numbers once the data is
known, always holding the defaults, checked like any range."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from sweep.config.baseline import baseline_params, ultralytics_defaults
from sweep.config.relative import resolve_space, resolved_for
from sweep.config.space import to_distributions
from sweep.config.validate import validate
from sweep.core.errors import ConfigError
from sweep.pipeline.prepare import prepare
from tests.conftest import BCCD, Compose, resolved

LR0 = {"times_default": [0.25, 4.0], "log": True}


@pytest.mark.parametrize(("classes", "default"), [(3, 0.001429), (80, 0.000119)])
def test_a_relative_range_follows_the_default_of_the_data(classes: int, default: float) -> None:
    space = resolve_space({"lr0": LR0, "scale": {"low": 0.0, "high": 0.9}},
                          ultralytics_defaults(classes))
    assert space["lr0"] == {"low": pytest.approx(default / 4, rel=5e-3),
                            "high": pytest.approx(default * 4, rel=5e-3), "log": True}
    assert space["scale"] == {"low": 0.0, "high": 0.9}  # a plain range is left as it is
    # the baseline is Ultralytics' default itself, never clipped into the range
    assert baseline_params(to_distributions(space), classes)["lr0"] == default


def test_a_fixed_optimizer_moves_the_default_the_range_follows() -> None:
    config = {"train": {"optimizer": "SGD"}, "space": {"lr0": LR0}}
    assert resolved_for(config, 3)["space"]["lr0"]["high"] == pytest.approx(0.04)  # SGD's 0.01


def test_a_bound_given_as_a_number_is_that_bound(compose_cfg: Compose) -> None:
    config = resolved(compose_cfg("space.lr0.high=0.05"), 80)  # as the README overrides it
    assert config["space"]["lr0"] == {"low": 8.33e-05, "high": 0.05, "log": True}
    both = resolved(compose_cfg("space.lr0.low=1e-4", "space.lr0.high=1e-2"), 80)
    assert both["space"]["lr0"] == {"low": 1e-4, "high": 1e-2, "log": True}  # a plain range


def test_the_shipped_default_space_is_the_measured_range_on_three_classes(
        compose_cfg: Compose) -> None:
    # the benchmarks' data has 3 classes: the ranges they measured, to the digit
    for space, low, high in (("default", 0.001, 0.03), ("finetune", 0.0002, 0.004)):
        assert resolved(compose_cfg(f"space={space}"), 3)["space"]["lr0"] == {
            "low": low, "high": high, "log": True}


@pytest.mark.parametrize(("override", "key", "problem"), [
    ("+space.optimizer.times_default=[1,2]", "space.optimizer", "only low, high and log"),
    ("space.lr0.times_default=[2,1]", "space.lr0.times_default", "the lower first"),
    ("space.lr0.times_default=[0,1]", "space.lr0.times_default", "two positive multiples"),
    ("space.lr0.low=0", "space.lr0.low", "above 0 in a log-scaled range"),
    ("+space.degrees={times_default:[0.5,2.0]}", "space.degrees.times_default",
     "not a positive number"),
])
def test_what_cannot_be_relative_is_refused_before_anything_runs(
        compose_cfg: Compose, override: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate(compose_cfg("+experiment=yolo11n", override))
    assert err.value.key == key and problem in str(err.value)


def test_the_plan_holds_the_range_in_numbers_and_checks_them(compose_cfg: Compose) -> None:
    cfg = compose_cfg(f"data={BCCD}", "model=yolo11n.yaml", "space.lr0.times_default=[0.5,2]")
    plan, dataset, _ = prepare(cfg, {})
    assert len(dataset.names) == 3
    assert plan.config["space"]["lr0"] == {"low": 0.000714, "high": 0.00286, "log": True}
    assert OmegaConf.select(cfg, "space.lr0.times_default") == [0.5, 2]  # cfg left as it was
    # multiples that give an argument a value Ultralytics refuses fail here, before training
    too_high = compose_cfg(f"data={BCCD}", "model=yolo11n.yaml", "~space.momentum",
                           "+space.momentum={times_default:[0.5,1.5]}")
    with pytest.raises(ConfigError) as err:
        prepare(too_high, {})
    assert err.value.key == "space.momentum"
