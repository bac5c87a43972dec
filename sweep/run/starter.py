"""Starter weights: what sweep fine-tunes from when `model=yolo11n.pt` cannot be had offline.

Users fine-tune pretrained weights on their data; trials from scratch on a CPU rank
configurations by how fast random weights take off, not by what they give a fine-tuned model
(docs/benchmarks.md). So sweep makes weights of the same architecture once: pretrained on the
`starter` domain (sweep.data.shapes: other classes, other backgrounds than `shapes` and any
user's data), cached under `paths.cache/starter/`, reused by every later run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sweep.data.domains import STARTER_CLASS_NAMES
from sweep.data.shapes import ensure_shapes
from sweep.run.training import all_cores, train

log = logging.getLogger(__name__)
_VERSION = 1  # bump when the recipe changes, so stale starter weights are not reused
WEIGHTS = "weights.pt"
ABOUT = "about.json"


def starter_folder(architecture: str, settings: Mapping[str, Any], cache: Path) -> Path:
    """Where the starter weights of `architecture` made with `settings` (`starter.*`) live."""
    recipe = {"v": _VERSION, "arch": architecture,
              **{k: v for k, v in settings.items() if k != "enabled"}}
    digest = hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:10]
    return cache / "starter" / f"{Path(architecture).stem}-{digest}"


def damage(weights: Path) -> str | None:
    """Why `weights` cannot be loaded (a truncated or overwritten file), or None."""
    import torch

    try:
        checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    except Exception as err:  # any unreadable file is rebuilt, whatever the reason
        return f"{type(err).__name__}: {str(err)[:80]}"
    if not isinstance(checkpoint, dict) or checkpoint.get("model") is None:
        return "no model in the checkpoint"
    return None


def _about_damage(about: Path) -> str | None:
    """Why the starter's description cannot be read, or None."""
    try:
        json.loads(about.read_text())["fitness"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"{about.name}: {type(err).__name__}"
    return None


def _make(architecture: str, settings: Mapping[str, Any], cache: Path, folder: Path) -> None:
    """Pretrain `architecture` on the starter domain into `folder` (renamed into place whole,
    so a concurrent run never loads half a file)."""
    data = ensure_shapes(cache, int(settings["train_images"]), int(settings["val_images"]),
                         int(settings["imgsz"]), int(settings["seed"]), domain="starter")
    work = folder.parent / f".{folder.name}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    started = time.monotonic()
    with all_cores():  # the only training now
        trainer = train(architecture, data, work, "train",
                        {"epochs": int(settings["epochs"]), "imgsz": int(settings["imgsz"]),
                         "batch": int(settings["batch"]), "seed": int(settings["seed"]),
                         "deterministic": True, "warmup_epochs": 0, "plots": False,
                         "workers": 2}, log_file=work / "train.log")
    best = Path(trainer.best)
    shutil.copyfile(best if best.is_file() else trainer.last, work / WEIGHTS)
    about = {"architecture": architecture, "domain": "starter",
             "classes": list(STARTER_CLASS_NAMES), "images": int(settings["train_images"]),
             "epochs": int(settings["epochs"]), "imgsz": int(settings["imgsz"]),
             "fitness": round(float(trainer.best_fitness or 0.0), 4),
             "seconds": round(time.monotonic() - started, 1)}
    (work / ABOUT).write_text(json.dumps(about, indent=2))
    shutil.rmtree(work / "train", ignore_errors=True)
    try:
        work.rename(folder)
    except OSError:  # another process made them meanwhile: use its copy
        shutil.rmtree(work, ignore_errors=True)


def starter_weights(architecture: str, settings: Mapping[str, Any], cache: Path) -> Path:
    """The starter weights of `architecture` (e.g. yolo11n.yaml): made once, rebuilt when the
    cached file is damaged (saying so in one line)."""
    folder = starter_folder(architecture, settings, cache)
    weights = folder / WEIGHTS
    if weights.is_file() or (folder / ABOUT).is_file():
        problem = damage(weights) or _about_damage(folder / ABOUT)
        if problem is None:
            return weights
        log.warning("starter weights %s are damaged (%s): making them again", weights, problem)
        shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    log.info("making starter weights for %s (once: %d epochs on %d synthetic images, about 2 "
             "minutes on 2 CPU cores for yolo11n)", architecture, settings["epochs"],
             settings["train_images"])
    _make(architecture, settings, cache, folder)
    return weights


def describe(weights: Path) -> str:
    """What the starter weights are, in a phrase: their recipe and how well they learned it."""
    about = json.loads((weights.parent / ABOUT).read_text())
    return (f"{about['architecture']} pretrained {about['epochs']} epochs on {about['images']} "
            f"synthetic images of {', '.join(about['classes'])} on light stripes (classes and "
            f"backgrounds `shapes` does not have; fitness {about['fitness']:.3f} there, made in "
            f"{about['seconds']:.0f} s)")
