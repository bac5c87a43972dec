"""The devices a sweep may use, counted one way: what torch sees in this process.

Workers are pinned with CUDA_VISIBLE_DEVICES before their interpreter starts (sweep.run
.supervisor); inside a pinned worker its one GPU is `0`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from sweep.core.errors import ConfigError

# A worker that exits with this code hit a CUDA error: a fresh process gets a clean context.
EXIT_DEVICE_ERROR = 3


def gpu_count() -> int:
    """GPUs torch can train on in this process (CUDA_VISIBLE_DEVICES applied)."""
    import torch

    return torch.cuda.device_count()


def resolve_devices(devices: str | Sequence[object]) -> list[str]:
    """`workers.devices`: auto (every visible CUDA device, else one CPU), or an explicit list."""
    if devices == "auto":
        count = gpu_count()
        return [str(i) for i in range(count)] if count else ["cpu"]
    return [str(d) for d in devices]


def worker_devices(workers: Mapping[str, Any]) -> list[str]:
    """One entry per worker process: `workers.devices` resolved, each device
    `workers.per_device` times (several trials sharing one GPU)."""
    per_device = int(workers.get("per_device", 1))
    return [device for device in resolve_devices(workers["devices"])
            for _ in range(per_device)]


def check_devices(devices: str | Sequence[object]) -> None:
    """Every GPU named in `workers.devices` exists here (before anything trains on the CPU
    instead while recording a GPU)."""
    if devices == "auto":
        return
    gpus = [str(d) for d in devices if d != "cpu"]
    if not gpus:
        return
    count = gpu_count()
    missing = [int(d) for d in gpus if int(d) >= count]
    if missing:
        here = f"GPUs 0-{count - 1}" if count else "no GPU"
        raise ConfigError("workers.devices", [str(d) for d in devices],
                          f"no GPU {missing} on this machine (it has {here})",
                          "list GPUs that exist, use workers.devices=auto, or [cpu]")


def physical_gpu(index: str) -> str:
    """The GPU a worker is pinned to for device `index` of this process: the index-th entry of
    CUDA_VISIBLE_DEVICES when that is set (torch numbers the visible GPUs from 0), else the
    index itself."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    gpus = [gpu.strip() for gpu in (listed or "").split(",") if gpu.strip()]
    return gpus[int(index)] if index.isdigit() and int(index) < len(gpus) else index


def all_devices() -> str:
    """Every visible device, for the finalist (`0,1` trains with DDP; one GPU or CPU plainly)."""
    return ",".join(resolve_devices("auto"))


def visible_gpus(explicit: str | None = None) -> list[str]:
    """GPUs for processes started from here (W&B agents): `explicit` (e.g. `0,1`), else
    CUDA_VISIBLE_DEVICES, else every GPU `nvidia-smi` lists (without importing torch)."""
    listed = explicit if explicit is not None else os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [gpu.strip() for gpu in listed.split(",") if gpu.strip() not in ("", "-1")]
    if shutil.which("nvidia-smi") is None:
        return []
    done = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                          capture_output=True, text=True, check=False)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] \
        if done.returncode == 0 else []


def device_for_ultralytics() -> str:
    """What to pass as `device=` inside a worker pinned by CUDA_VISIBLE_DEVICES."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", None)
    if visible == "" or visible == "-1":
        return "cpu"
    return "0" if gpu_count() else "cpu"


def physical_device(device: str) -> str:
    """The device this pinned process trains on, for the record: `cuda:<GPU index>` or `cpu`
    (`device`: what device_for_ultralytics gave)."""
    if device == "cpu":
        return "cpu"
    return f"cuda:{os.environ.get('CUDA_VISIBLE_DEVICES', '0')}"


def is_fatal_device_error(err: BaseException) -> bool:
    """CUDA errors can poison the process's context: the worker must exit and be replaced."""
    return "cuda" in f"{type(err).__name__}: {err}".lower()
