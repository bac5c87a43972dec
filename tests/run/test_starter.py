"""Starter weights: made once, reused, rebuilt with one line when the cached file is damaged,
and said in one line by the run they stand in for."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sweep.run import starter
from sweep.run.starter import describe, starter_folder, starter_weights

TINY = {"enabled": True, "epochs": 1, "train_images": 8, "val_images": 4, "imgsz": 64,
        "batch": 4, "seed": 1000}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Starter weights made once for the module: a real, tiny pretraining."""
    return starter_weights("yolo11n.yaml", TINY, tmp_path_factory.mktemp("cache"))


@pytest.mark.slow
def test_starter_weights_are_a_real_checkpoint_of_the_architecture(made: Path) -> None:
    from ultralytics import YOLO

    model = YOLO(str(made))
    assert model.model.yaml["scale"] == "n" and len(model.names) == 4  # yolo11n, starter classes
    assert list(made.parent.parent.iterdir()) == [made.parent]  # no work folder left beside
    text = describe(made)
    assert "yolo11n.yaml pretrained 1 epochs on 8 synthetic images of ring, cross, bar, star" \
        in text and "fitness" in text


@pytest.mark.slow
def test_made_once_then_reused(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(starter, "_make", lambda *a: pytest.fail("made again"))
    assert starter_weights("yolo11n.yaml", TINY, made.parents[2]) == made


def test_other_settings_or_architectures_are_other_weights(tmp_path: Path) -> None:
    folder = starter_folder("yolo11n.yaml", TINY, tmp_path)
    assert folder == starter_folder("yolo11n.yaml", TINY | {"enabled": False}, tmp_path)
    assert folder != starter_folder("yolo11n.yaml", TINY | {"epochs": 2}, tmp_path)
    assert starter_folder("yolo11s.yaml", TINY, tmp_path).name.startswith("yolo11s-")


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "about"])
def test_a_damaged_cache_is_rebuilt_with_one_line(
        made: Path, tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    cache = tmp_path / "cache"
    shutil.copytree(made.parents[2], cache)
    weights = cache / made.relative_to(made.parents[2])
    if damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    else:
        (weights.parent / "about.json").write_text("{")
    remade: list[Path] = []

    def remake(architecture: str, settings: dict, cache: Path, folder: Path) -> None:
        remade.append(folder)
        folder.mkdir()
        shutil.copyfile(made, folder / "weights.pt")
        shutil.copyfile(made.parent / "about.json", folder / "about.json")

    monkeypatch.setattr(starter, "_make", remake)
    with caplog.at_level(logging.WARNING):
        assert starter_weights("yolo11n.yaml", TINY, cache) == weights
    assert remade == [weights.parent]
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "damaged" in lines[0] and "making them again" in lines[0]
    assert starter.damage(weights) is None
