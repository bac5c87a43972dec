"""prepare: the config resolved once into the plan."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sweep.finalist.race import race_plan
from sweep.pipeline.prepare import prepare
from sweep.pruning.policy import early_stop_patience, make_pruner, waits_for_stall
from sweep.pruning.stall import StallPruner
from tests.conftest import BCCD, Compose


def test_wait_for_stall_auto_follows_the_model(compose_cfg: Compose, tmp_path: Path) -> None:
    weights = tmp_path / "mine.pt"
    weights.write_bytes(b"not read before training")
    for model, wait in (("yolo11n.yaml", True), (str(weights), False)):
        cfg = compose_cfg(f"data={BCCD}", f"model={model}")
        plan, _, _ = prepare(cfg, {})
        assert plan.config["pruning"]["wait_for_stall"] is wait  # what the workers are given
        pruner = make_pruner(OmegaConf.create(plan.config))
        assert isinstance(pruner, StallPruner) and pruner.patience == (3 if wait else 0)
        # asked every epoch, the pruner decides instead of Ultralytics' early stop
        assert early_stop_patience(plan.config) == (3 if wait else 0)
        # the race compares candidates once stalled, whatever the search did
        assert race_plan(plan, "r", 2).config["pruning"]["wait_for_stall"] is True
    plan, _, _ = prepare(compose_cfg(f"data={BCCD}", f"model={weights}",
                                  "pruning.wait_for_stall=true"), {})
    assert make_pruner(OmegaConf.create(plan.config)).patience == 3
    assert early_stop_patience(plan.config) == 3
    plan, _, _ = prepare(compose_cfg(f"data={BCCD}", f"model={weights}", "pruner=none"), {})
    assert early_stop_patience(plan.config) == 3  # no pruner: Ultralytics' early stop stays
    assert waits_for_stall("auto", "/m/custom.yml") and not waits_for_stall(False, "a.yaml")


def test_the_config_is_resolved_into_the_plan_and_left_as_it_is(compose_cfg: Compose,
                                                                tmp_path: Path) -> None:
    weights = tmp_path / "mine.pt"
    weights.write_bytes(b"not read before training")
    cfg = compose_cfg(f"data={BCCD}", f"model={weights}")
    before = OmegaConf.to_yaml(cfg)
    plan, _, _ = prepare(cfg, {})
    assert OmegaConf.to_yaml(cfg) == before  # nothing changes cfg: the plan holds the result
    assert cfg.pruning.wait_for_stall == "auto"
    assert plan.config["pruning"]["wait_for_stall"] is False
    # a W&B agent's trial waits for a stall (W&B stops its runs), decided in prepare too
    agent, _, _ = prepare(cfg, {}, wait_for_stall=True)
    assert agent.config["pruning"]["wait_for_stall"] is True
    assert plan.config["pruning"]["wait_for_stall"] is False  # each plan its own copy


def test_starter_weights_stand_in_for_missing_weights_after_every_other_check(
        compose_cfg: Compose, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import ultralytics.utils as ul_utils

    from sweep.core.errors import ConfigError
    from sweep.pipeline import prepare as preparing

    monkeypatch.setattr(ul_utils, "ONLINE", False)
    monkeypatch.setitem(ul_utils.SETTINGS, "weights_dir", str(tmp_path / "weights"))
    monkeypatch.chdir(tmp_path)
    made: list[str] = []
    weights = tmp_path / "starter" / "weights.pt"

    def fake_starter(architecture: str, settings: dict, cache: Path) -> Path:
        made.append(architecture)
        return weights

    monkeypatch.setattr(preparing, "starter_weights", fake_starter)
    monkeypatch.setattr(preparing, "describe", lambda w: "yolo11n.yaml pretrained (fake)")
    with pytest.raises(ConfigError):  # a bad device is said before any weights are made
        prepare(compose_cfg(f"data={BCCD}", "model=yolo11n.pt", "workers.devices=[7]"), {})
    assert made == []
    with caplog.at_level(logging.WARNING):
        plan, _, _ = prepare(compose_cfg(f"data={BCCD}", "model=yolo11n.pt"), {})
    assert made == ["yolo11n.yaml"]
    assert plan.model == str(weights) and plan.starter_for == "yolo11n.pt"
    assert plan.config["pruning"]["wait_for_stall"] is False  # weights: asked every epoch
    said = [r.getMessage() for r in caplog.records if "yolo11n.pt" in r.getMessage()]
    assert len(said) == 1 and "fine-tuning from sweep's starter weights instead" in said[0]
    plan, _, _ = prepare(compose_cfg(f"data={BCCD}", "model=yolo11n.pt",
                                     "starter.enabled=false"), {})
    assert plan.model == "yolo11n.yaml" and plan.starter_for is None and made == ["yolo11n.yaml"]
