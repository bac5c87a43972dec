"""A trained model's inference time, measured where it will run (`latency.*`).

People tune YOLO to deploy it: "the best model under 20 ms on that CPU". After a trial, a race
candidate or the finalist, its weights predict one image at batch 1 and the training's image
size on `latency.device`, with torch fixed at `latency.threads` threads on a CPU so that figures
compare across trials (a worker's training threads would otherwise decide them): `rounds`
times, the weights loaded afresh, `warmup` runs then `repeats` timed ones. The figure is
Ultralytics' own per-image speed (preprocess + inference + postprocess, what `yolo predict`
prints), the median over every timed run, with the 10th and 90th percentiles. Rounds, because
one load times consistently within itself and yet 10-20% off another load of the same weights
on a shared 2-core machine; five loads brought fresh processes to within about 7% of each other
(docs/benchmarks.md). `latency.format` other than `torch` times an Ultralytics export
(`model.export(format=...)`) of the same weights, as it would be deployed.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sweep.config.latency import wanted
from sweep.core.record import Attr


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(weights: Path, image: Path, imgsz: int, settings: Mapping[str, Any]
            ) -> dict[str, Any]:
    """Time `weights` predicting `image` (see the module's docstring); an export is written
    next to the weights."""
    import torch
    from ultralytics import YOLO

    started = time.monotonic()
    fmt, device = str(settings["format"]), str(settings["device"])
    timed = str(weights)
    if fmt != "torch":
        timed = str(YOLO(timed, task="detect").export(format=fmt, imgsz=imgsz, device=device,
                                                      verbose=False))
    threads, collecting = torch.get_num_threads(), gc.isenabled()
    deterministic = torch.are_deterministic_algorithms_enabled()
    if device == "cpu":
        torch.set_num_threads(int(settings["threads"]))
    # a training with deterministic=true (sweep's default) leaves torch on its deterministic
    # kernels, 10-20% slower on a CPU: deployed inference does not use them
    torch.use_deterministic_algorithms(False)
    gc.collect()
    gc.disable()  # as timeit does: a training's heap makes collections slow, and they land
    try:          # inside the timed runs
        times: list[float] = []
        for _ in range(int(settings.get("rounds", 1))):
            model = YOLO(timed, task="detect")  # loaded afresh each round
            for run in range(int(settings["warmup"]) + int(settings["repeats"])):
                result: Any = next(iter(model.predict(  # a Results (typed with tensors)
                    str(image), imgsz=imgsz, device=device, batch=1, verbose=False, save=False)))
                if run >= int(settings["warmup"]):
                    times.append(sum(float(ms) for ms in result.speed.values()
                                     if ms is not None))
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic, warn_only=True)
        if collecting:
            gc.enable()
    times.sort()
    return {"ms": round(statistics.median(times), 3), "p10_ms": round(_percentile(times, 0.1), 3),
            "p90_ms": round(_percentile(times, 0.9), 3),
            "rounds": int(settings.get("rounds", 1)), "repeats": int(settings["repeats"]),
            "device": device, "threads": int(settings["threads"]) if device == "cpu" else None,
            "format": fmt, "imgsz": imgsz,
            "took_s": round(time.monotonic() - started, 2)}  # what measuring cost the trial


def latency_attrs(weights: Path, images: tuple[Path, ...], imgsz: int,
                  config: Mapping[str, Any]) -> dict[str, Any]:
    """A trained model's latency as its trial keeps it (`latency_ms` and how it was measured),
    timed on the first of the validation `images`; {} when latency is not wanted."""
    if not wanted(config):
        return {}
    found = measure(weights, min(images), imgsz, config["latency"])
    return {Attr.LATENCY_MS: found["ms"], Attr.LATENCY: found}
