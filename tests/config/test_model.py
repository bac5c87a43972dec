from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sweep.config.model import ModelChoice, resolve_model
from sweep.core.errors import ConfigError


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import ultralytics.utils as ul_utils

    monkeypatch.setattr(ul_utils, "ONLINE", False)
    monkeypatch.setitem(ul_utils.SETTINGS, "weights_dir", str(tmp_path / "weights"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_missing_weights_are_replaced_by_starter_weights_of_the_architecture(
        offline: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert resolve_model("yolo11n.pt") == ModelChoice("yolo11n.yaml", missing="yolo11n.pt")
        assert resolve_model("yolo11s.pt") == ModelChoice("yolo11s.yaml", missing="yolo11s.pt")
    assert not caplog.records  # the run says it once, when the starter weights are there


def test_without_starter_weights_missing_weights_train_from_scratch_once(
        offline: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert resolve_model("yolo11n.pt", starter=False) == ModelChoice("yolo11n.yaml")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "from scratch" in warnings[0].getMessage()


def test_local_weights_are_used(offline: Path) -> None:
    (offline / "yolo11n.pt").write_bytes(b"x")
    assert resolve_model("yolo11n.pt") == ModelChoice(str(offline / "yolo11n.pt"))


@pytest.mark.parametrize("name", ["yolo11n.yaml", "yolov8s.yaml"])
def test_architectures_resolve(offline: Path, name: str) -> None:
    assert resolve_model(name) == ModelChoice(name)


@pytest.mark.parametrize("name", ["my_weights.pt", "yolo99z.yaml", "model.onnx"])
def test_unknown_models_are_config_errors(offline: Path, name: str) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_model(name)
    assert info.value.key == "model"
