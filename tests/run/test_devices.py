"""Devices: a GPU that is not there is refused before training."""

from __future__ import annotations

import pytest

from sweep.core.errors import ConfigError
from sweep.pipeline.prepare import prepare
from tests.conftest import Compose


def test_missing_gpu_is_refused_before_training(compose_cfg: Compose) -> None:
    with pytest.raises(ConfigError) as info:
        prepare(compose_cfg("workers.devices=[99]"), {})
    assert info.value.key == "workers.devices" and "no GPU [99]" in info.value.problem


def test_workers_per_device_share_each_device() -> None:
    from sweep.run.devices import worker_devices

    assert worker_devices({"devices": [0, 1], "per_device": 2}) == ["0", "0", "1", "1"]
    assert worker_devices({"devices": ["cpu"]}) == ["cpu"]  # a config from before the key
    assert worker_devices({"devices": "auto", "per_device": 3}) == ["cpu"] * 3  # no GPU here
