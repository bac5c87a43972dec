"""A train argument's value: what Ultralytics' own check takes, then the ranges it leaves out."""

from __future__ import annotations

import pytest

from sweep.config.train_args import check_arg_value, check_optimizer
from sweep.core.errors import ConfigError


@pytest.mark.parametrize(("arg", "value", "why"), [
    ("batch", 1.5, "whole number of images"), ("batch", 0, "must be >= 1"),
    ("imgsz", 0, "must be >= 1"), ("cache", "yes", "true, false, ram or disk"),
    ("lr0", "fast", "Ultralytics"), ("warmup_epochs", -1, "must be >= 0")])
def test_values_ultralytics_would_take_and_then_fail_on_are_refused(arg: str, value: object,
                                                                     why: str) -> None:
    with pytest.raises(ConfigError, match=why) as refused:
        check_arg_value(f"train.{arg}", arg, value)
    assert f"train.{arg}" in str(refused.value)


@pytest.mark.parametrize(("arg", "value"), [("batch", -1), ("batch", 0.7), ("batch", 16),
                                            ("cache", "ram"), ("lr0", 0.01)])
def test_values_in_range_pass(arg: str, value: object) -> None:
    check_arg_value(f"train.{arg}", arg, value)


def test_optimizer_auto_is_refused_for_what_it_does_to_lr0() -> None:
    with pytest.raises(ConfigError, match="ignore lr0 and momentum"):
        check_optimizer("train.optimizer", "auto")
    check_optimizer("train.optimizer", "adamw")  # case as Ultralytics takes it
