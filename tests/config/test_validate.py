"""The composed config: what conf/ composes, and every bad value refused before training with its
key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweep.config.validate import validate
from sweep.core.errors import ConfigError
from sweep.pipeline.prepare import prepare
from sweep.testing.commands import one_error_line, run_sweep
from tests.conftest import Compose


def test_default_space_never_uses_auto_optimizer(compose_cfg: Compose) -> None:
    cfg = compose_cfg("+experiment=yolo11n")
    assert set(cfg.space) >= {"batch", "lr0", "lrf", "momentum", "optimizer", "scale"}
    assert "auto" not in [str(c).lower() for c in cfg.space.optimizer.choices]
    assert cfg.space.lr0.log is True
    assert cfg.model == "yolo11n.pt"
    validate(cfg)


def test_debug_smoke_wins_over_an_experiment(compose_cfg: Compose) -> None:
    cfg = compose_cfg("+experiment=yolo11n", "debug=smoke")
    assert cfg.model == "yolo11n.pt"
    assert cfg.study.n_trials == 2 and cfg.trial.epochs == 2 and cfg.train.imgsz == 64


def test_space_overrides_compose(compose_cfg: Compose) -> None:
    cfg = compose_cfg("space.lr0.high=0.05", "~space.scale",
                      "+space.weight_decay={low:0,high:0.001}", "sampler=gp",
                      "pruner=hyperband")
    assert cfg.space.lr0.high == 0.05
    assert "scale" not in cfg.space
    assert cfg.space.weight_decay.high == 0.001
    assert cfg.sampler._target_.endswith("GPSampler")
    validate(cfg)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["+space.lr_max={low:0.1,high:0.2}"], "space.lr_max"),
        (["+space.epochs={low:1,high:5}"], "space.epochs"),
        (["space.lr0.low=0.1", "space.lr0.high=0.01"], "space.lr0"),
        (["space.lr0.low=0"], "space.lr0.low"),
        (["space.optimizer.choices=[]"], "space.optimizer.choices"),
        (["space.optimizer.choices=[SGD,Lion]"], "space.optimizer"),
        (["space.optimizer.choices=[auto]"], "space.optimizer"),
        (["space.momentum.high=1.5"], "space.momentum"),
        (["trial.fraction=0"], "trial.fraction"),
        (["trial.fraction=1.5"], "trial.fraction"),
        (["final.fraction=-0.1"], "final.fraction"),
        (["trial.epochs=-1"], "trial.epochs"),
        (["final.epochs=0"], "final.epochs"),
        (["trial.patience=-2"], "trial.patience"),
        (["study.n_trials=0"], "study.n_trials"),
        (["study.metric=accuracy"], "study.metric"),
        (["study.timeout=-5"], "study.timeout"),
        (["+train.lr00=0.1"], "train.lr00"),
        (["+train.epochs=3"], "train.epochs"),
        (["+train.mosaic=abc"], "train.mosaic"),
        # ranges Ultralytics' check_cfg leaves out: refused for train.* as for space.*
        (["train.imgsz=0"], "train.imgsz"),
        (["train.workers=-1"], "train.workers"),
        (["train.warmup_epochs=-1"], "train.warmup_epochs"),
        (["+train.close_mosaic=-2"], "train.close_mosaic"),
        (["+train.box=-7.5"], "train.box"),
        (["+train.batch=0"], "train.batch"),
        (["+train.batch=16.5"], "train.batch"),
        (["train.cache=gpu"], "train.cache"),
        (["space.batch.choices=[0,16]"], "space.batch"),
        (["+space.imgsz={low:-32,high:640}"], "space.imgsz"),
        (["workers.devices=[gpu0]"], "workers.devices"),
        (["trial.val_images=0"], "trial.val_images"),
        (["pruning.zero_is_warmup=maybe"], "pruning.zero_is_warmup"),
        (["final.confirm=2"], "final.confirm"),
        (["workers.per_device=0"], "workers.per_device"),
        (["pruning.wait_for_stall=sometimes"], "pruning.wait_for_stall"),
        (["budget=-1"], "budget"),
        (["budget=abc"], "budget"),
        (["budget=0"], "budget"),
        (["budget=3x"], "budget"),
        # keys that others interpolate: blamed on the key set, not the one that reads it
        (["study.n_trials=abc"], "study.n_trials"),
        (["sampler=gp", "study.n_trials=2.5"], "study.n_trials"),
        (["train.seed=abc"], "train.seed"),
        (["pruner=hyperband", "trial.epochs=abc"], "trial.epochs"),
    ],
)
def test_bad_config_is_rejected_with_key(compose_cfg: Compose, overrides: list[str],
                                         key: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate(compose_cfg(*overrides))
    assert info.value.key == key, str(info.value)
    assert "Fix:" in str(info.value)


@pytest.mark.parametrize("override", ["+train.batch=-1", "+train.batch=0.7", "train.cache=ram",
                                      "train.cache=true", "+train.save_period=-1",
                                      "train.workers=0", "budget=3h", "budget=45m",
                                      "budget=900", "budget=1h30m"])
def test_values_in_range_pass(compose_cfg: Compose, override: str) -> None:
    validate(compose_cfg(override))


def test_missing_data_path_is_rejected_before_training(compose_cfg: Compose) -> None:
    with pytest.raises(ConfigError) as info:
        prepare(compose_cfg("data=/nonexistent/data.yaml"), {})
    assert info.value.key == "data"


@pytest.mark.slow
def test_cli_error_is_one_line_and_nonzero(sweep_env: dict[str, str], tmp_path: Path) -> None:
    result = run_sweep(sweep_env, f"paths.root={tmp_path}", "space.lr0.low=0.5",
                       "space.lr0.high=0.1", timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "space.lr0" in errors[0] and "Fix:" in errors[0]
    assert not list(tmp_path.glob("*/trials"))  # nothing trained


@pytest.mark.slow
def test_ultralytics_dataset_name_offline_is_a_clear_error(sweep_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    result = run_sweep(sweep_env, f"paths.root={tmp_path}", "data=coco8.yaml", timeout=120)
    assert result.returncode == 2
    assert "offline" in result.stderr and "data=shapes" in result.stderr


def test_an_interpolation_that_fails_names_the_key_it_reads(compose_cfg: Compose) -> None:
    from omegaconf import open_dict

    cfg = compose_cfg()
    with open_dict(cfg):  # a key of the user's own that reads another
        cfg.study.warmup = "${startup_trials:${data}}"
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    assert info.value.key == "data" and info.value.value == "shapes"
    assert "study.warmup (${startup_trials:${data}}) cannot be computed from it" in str(info.value)


def test_a_bad_key_others_read_is_one_line_through_the_command(sweep_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    result = run_sweep(sweep_env, "+experiment=yolo11n", "study.n_trials=abc",
                       f"paths.root={tmp_path}")
    assert result.returncode == 2
    assert one_error_line(result) == ("error: study.n_trials='abc': must be a whole number > 0. "
                                      "Fix: set study.n_trials to a whole number > 0")
