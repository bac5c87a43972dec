"""Sizes follow the data: the embedded default's for shapes, Ultralytics' own for the user's
data, with every later group (debug=smoke) and the command line still winning."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

from sweep.config.overrides import override_keys
from sweep.config.sizes import chosen_sizes, sizes_reason, with_sizes
from tests.conftest import BCCD, CONF


def sized(tmp_path: Path, *overrides: str) -> DictConfig:
    """What the commands compose: the config, then the sizes `auto` means for its data."""
    args = [f"paths.root={tmp_path}", "+experiment=yolo11n", *overrides]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(CONF)):
            cfg = compose("config", overrides=args)
            asked = next((o.split("=", 1)[1] for o in overrides if o.startswith("sizes=")),
                         "auto")
            return with_sizes(cfg, {"sizes": asked}, args)
    finally:
        GlobalHydra.instance().clear()


def test_the_embedded_default_keeps_its_sizes(tmp_path: Path) -> None:
    cfg = sized(tmp_path)
    assert (cfg.train.imgsz, cfg.train.warmup_epochs, cfg.trial.epochs, cfg.final.epochs,
            cfg.final.patience, cfg.trial.val_images) == (96, 0, 10, 10, 10, 64)


def test_your_own_data_gets_ultralytics_sizes(tmp_path: Path) -> None:
    cfg = sized(tmp_path, f"data={BCCD}")
    assert (cfg.train.imgsz, cfg.train.warmup_epochs, cfg.trial.epochs, cfg.final.epochs,
            cfg.final.patience, cfg.trial.val_images) == (640, 3, 10, 100, 100, 500)


@pytest.mark.parametrize(("overrides", "expected"), [
    (("train.imgsz=320", "final.epochs=50"), (320, 50, 3)),  # the command line wins
    (("debug=smoke",), (64, 2, 0)),                          # and so does debug=smoke
    (("sizes=demo",), (96, 10, 0)),                          # the demo's, chosen
])
def test_what_is_asked_wins_over_the_sizes(tmp_path: Path, overrides: tuple[str, ...],
                                           expected: tuple[int, int, int]) -> None:
    cfg = sized(tmp_path, f"data={BCCD}", *overrides)
    assert (cfg.train.imgsz, cfg.final.epochs, cfg.train.warmup_epochs) == expected


def test_shapes_can_be_sized_as_real_data(tmp_path: Path) -> None:
    assert sized(tmp_path, "sizes=real").train.imgsz == 640


def test_the_first_lines_say_why() -> None:
    assert chosen_sizes({"sizes": "auto"}, "shapes") == "demo"
    assert chosen_sizes({"sizes": "auto"}, "/data/x/data.yaml") == "real"
    assert chosen_sizes({}, "/data/x/data.yaml") is None  # a best.yaml's own config
    assert "your own data: conf/sizes/real.yaml" in sizes_reason({"sizes": "auto"}, "d.yaml")
    assert "data=shapes" in sizes_reason({"sizes": "auto"}, "shapes")
    assert "sizes=demo" in sizes_reason({"sizes": "demo"}, "d.yaml")


def test_sizes_auto_typed_on_the_command_line_still_means_real(tmp_path: Path) -> None:
    cfg = sized(tmp_path, f"data={BCCD}", "sizes=auto")
    assert cfg.train.imgsz == 640


def test_override_keys_are_hydras() -> None:
    assert override_keys(["+experiment=yolo11n", "++study.n_trials=5", "~tracking",
                          "sizes=real", "study.storage=postgresql://u:p@h/db"]) == [
        "experiment", "study.n_trials", "tracking", "sizes", "study.storage"]
