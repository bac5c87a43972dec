"""Composition of conf/ and every validation error: one line naming key, value and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweep import data as datasets
from sweep.app import prepare
from sweep.config import validate
from sweep.errors import ConfigError
from sweep.space import to_distributions
from sweep.stall import StallPruner
from sweep.study import make_sampler
from tests.conftest import BCCD, Compose, run_sweep


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
        (["pruning.wait_for_stall=sometimes"], "pruning.wait_for_stall"),
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
                                      "train.workers=0"])
def test_values_in_range_pass(compose_cfg: Compose, override: str) -> None:
    validate(compose_cfg(override))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("yaml_text", "key_part"),
    [
        ("val: images/val\nnames: {0: a}\n", "train"),
        ("train: images/train\nnames: {0: a}\n", "val"),
        ("train: images/train\nval: images/val\n", "names"),
        ("train: missing/train\nval: images/val\nnames: {0: a}\n", "train"),
        ("- just\n- a list\n", "data"),
    ],
)
def test_malformed_data_yaml(tmp_path: Path, yaml_text: str, key_part: str) -> None:
    for split in ("train", "val"):
        _write(tmp_path / "images" / split / "a.jpg", "x")
        _write(tmp_path / "labels" / split / "a.txt", "0 0.5 0.5 0.1 0.1\n")
    yaml_path = _write(tmp_path / "data.yaml", yaml_text)
    with pytest.raises(ConfigError) as info:
        datasets.load_dataset(yaml_path)
    assert key_part in info.value.key


def test_missing_data_path_is_rejected_before_training(compose_cfg: Compose) -> None:
    with pytest.raises(ConfigError) as info:
        prepare(compose_cfg("data=/nonexistent/data.yaml"), {})
    assert info.value.key == "data"


def test_bccd_fixture_resolves() -> None:
    dataset = datasets.load_dataset(BCCD)
    assert (len(dataset.train), len(dataset.val)) == (12, 4)
    assert dataset.names[0] == "RBC"


def test_cli_error_is_one_line_and_nonzero(sweep_env: dict[str, str], tmp_path: Path) -> None:
    result = run_sweep(sweep_env, f"paths.root={tmp_path}", "space.lr0.low=0.5",
                       "space.lr0.high=0.1", timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "space.lr0" in errors[0] and "Fix:" in errors[0]
    assert not list(tmp_path.glob("*/trials"))  # nothing trained


def test_ultralytics_dataset_name_offline_is_a_clear_error(sweep_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    result = run_sweep(sweep_env, f"paths.root={tmp_path}", "data=coco8.yaml", timeout=120)
    assert result.returncode == 2
    assert "offline" in result.stderr and "data=shapes" in result.stderr


@pytest.mark.parametrize("sampler", ["tpe", "gp", "cmaes", "random"])
def test_every_sampler_instantiates(compose_cfg: Compose, sampler: str) -> None:
    import optuna

    from sweep.space import to_distributions
    from sweep.study import make_pruner, make_sampler

    cfg = compose_cfg(f"sampler={sampler}")
    assert isinstance(make_sampler(cfg, to_distributions(cfg.space)), optuna.samplers.BaseSampler)
    assert isinstance(make_pruner(cfg), StallPruner)


def test_grid_sampler_needs_finite_values(compose_cfg: Compose) -> None:
    import optuna

    from sweep.space import to_distributions
    from sweep.study import make_sampler

    with pytest.raises(ConfigError, match="space.lr0"):
        cfg = compose_cfg("sampler=grid")
        make_sampler(cfg, to_distributions(cfg.space))
    cfg = compose_cfg("sampler=grid", "~space.lr0", "+space.lr0={choices:[0.001,0.01]}",
                      "space.lrf.low=0.1", "space.lrf.high=0.5", "+space.lrf.step=0.2",
                      "~space.momentum",
                      "~space.scale")
    sampler = make_sampler(cfg, to_distributions(cfg.space))
    assert isinstance(sampler, optuna.samplers.GridSampler)


@pytest.mark.parametrize("pruner", ["median", "hyperband", "successive_halving", "none"])
def test_every_pruner_is_wrapped_in_patience(compose_cfg: Compose, pruner: str) -> None:
    from sweep.study import make_pruner

    made = make_pruner(compose_cfg(f"pruner={pruner}", "trial.patience=4"))
    assert isinstance(made, StallPruner) and made.patience == 4


@pytest.mark.parametrize("sampler", ["tpe", "gp", "cmaes", "random"])
def test_every_sampler_samples_past_its_start_up(compose_cfg: Compose, sampler: str) -> None:
    """Each documented sampler's packages are installed (cmaes, scipy): asking works after the
    random start-up trials, where they are first imported."""
    import optuna

    from sweep.space import to_distributions
    from sweep.study import make_sampler

    cfg = compose_cfg(f"sampler={sampler}")
    distributions = to_distributions(cfg.space)
    study = optuna.create_study(direction="maximize",
                                sampler=make_sampler(cfg, distributions))
    for number in range(6):
        trial = study.ask(fixed_distributions=distributions)
        study.tell(trial, trial.params["lr0"] * (number + 1))
    assert len(study.trials) == 6


def test_missing_gpu_is_refused_before_training(compose_cfg: Compose) -> None:
    with pytest.raises(ConfigError) as info:
        prepare(compose_cfg("workers.devices=[99]"), {})
    assert info.value.key == "workers.devices" and "no GPU [99]" in info.value.problem


@pytest.mark.parametrize(("n_trials", "startup"), [(1, 2), (6, 2), (20, 5), (40, 10), (400, 10)])
def test_model_based_samplers_start_with_a_quarter_of_the_budget(
        compose_cfg: Compose, n_trials: int, startup: int) -> None:
    for sampler in ("tpe", "gp"):
        cfg = compose_cfg(f"sampler={sampler}", f"study.n_trials={n_trials}")
        assert cfg.sampler.n_startup_trials == startup
        assert make_sampler(cfg, to_distributions(cfg.space))._n_startup_trials == startup
