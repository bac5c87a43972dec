"""Whether trials measure their inference latency (sweep.run.latency_measure measures it), and
what each format needs; sweep.config.latency_check checks `latency.*` and
`study.max_latency_ms`."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

# Formats whose export and inference this environment must be able to run, and what they need.
FORMAT_NEEDS: dict[str, tuple[str, ...]] = {
    "torch": (), "torchscript": (), "onnx": ("onnx", "onnxruntime"), "openvino": ("openvino",)}


def wanted(config: Mapping[str, Any]) -> bool:
    """Whether trials measure their latency: `latency.measure`, or auto when a constraint on it
    is set or it is an objective (measuring costs each trial a second or so)."""
    measure = (config.get("latency") or {}).get("measure", False)
    if measure == "auto":
        return (config["study"].get("max_latency_ms") is not None
                # sweep.config.objectives.LATENCY_OBJECTIVE (not imported: a floor lower)
                or "latency_ms" in (config["study"].get("objectives") or ()))
    return measure is True


def missing_packages(fmt: str) -> list[str]:
    """The packages `fmt` needs that are not installed here."""
    return [name for name in FORMAT_NEEDS.get(fmt, ()) if importlib.util.find_spec(name) is None]
