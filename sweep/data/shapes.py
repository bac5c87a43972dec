"""The built-in synthetic datasets (`data=shapes`, `shapes.domain`; sweep.data.domains draws
them), made offline once per parameter set into the cache and reused by every run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from sweep.core.errors import ConfigError
from sweep.data.domains import DOMAINS, draw_image

_VERSION = 1  # bump when the drawing changes, so stale caches are not reused


def ensure_shapes(cache_dir: Path, train_images: int, val_images: int, imgsz: int,
                  seed: int, domain: str = "shapes") -> Path:
    """Generate the dataset once into `cache_dir` and return the path of its data.yaml.

    The folder name carries a hash of the parameters; it is written to a temporary folder and
    renamed into place, so concurrent runs never see half a dataset.
    """
    params: dict[str, object] = {"v": _VERSION, "train": train_images, "val": val_images,
                                 "imgsz": imgsz, "seed": seed}
    if domain != "shapes":  # the `shapes` folders keep the names they had before domains
        params["domain"] = domain
    if DOMAINS[domain].version != 1:
        params["drawing"] = DOMAINS[domain].version
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    root = cache_dir / f"{domain}-{digest}"
    yaml_path = root / "data.yaml"
    if yaml_path.exists():
        return yaml_path
    tmp = cache_dir / f".{domain}-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    rng = np.random.default_rng(seed)
    for split, count in (("train", train_images), ("val", val_images)):
        (tmp / "images" / split).mkdir(parents=True)
        (tmp / "labels" / split).mkdir(parents=True)
        for i in range(count):
            image, lines = draw_image(rng, imgsz, domain)
            cv2.imwrite(str(tmp / "images" / split / f"{split}_{i:05d}.png"), image)
            (tmp / "labels" / split / f"{split}_{i:05d}.txt").write_text("\n".join(lines) + "\n")
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(DOMAINS[domain].names))
    (tmp / "data.yaml").write_text(
        f"# sweep's synthetic {domain} dataset {json.dumps(params)}\n"
        f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n{names}\n"
    )
    try:
        tmp.rename(root)
    except OSError:  # another process won the race: use its copy
        shutil.rmtree(tmp, ignore_errors=True)
    return yaml_path


def shapes_data(cache_dir: Path, settings: dict[str, Any]) -> Path:
    """`data=shapes`: the `shapes` section's dataset (its domain checked first), made once."""
    domain = settings.get("domain", "shapes")
    if domain not in DOMAINS:
        raise ConfigError("shapes.domain", domain, "not one of sweep's synthetic domains",
                          f"use one of {sorted(DOMAINS)}")
    return ensure_shapes(cache_dir, **settings)
