"""The built-in `shapes` dataset: synthetic, learnable from scratch on a CPU, made offline.

Real sets (bccd, coco) stay at mAP 0.0 in the few CPU epochs a test or a default run can afford, so
the embedded default is this high-contrast set: bright circles, squares and triangles on a dark,
noisy background. Generation is deterministic in its parameters, so one folder per parameter set
is made once and reused by every run.

A second domain, `starter`, shares nothing with it: dark rings, crosses, bars and stars on light,
striped backgrounds. sweep pretrains its starter weights there (sweep.run.starter), so that the
embedded default fine-tunes from weights that never saw its classes, as users fine-tune
yolo11n.pt on theirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import cv2
import numpy as np

CLASS_NAMES = ("circle", "square", "triangle")
STARTER_CLASS_NAMES = ("ring", "cross", "bar", "star")
DOMAINS = {"shapes": CLASS_NAMES, "starter": STARTER_CLASS_NAMES}
_VERSION = 1  # bump when the drawing changes, so stale caches are not reused


def _draw_shape(image: np.ndarray, cls: int, box: tuple[int, int, int, int],
                color: tuple[int, ...]) -> None:
    """The `shapes` domain: a filled circle, square or triangle filling `box`."""
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    if cls == 0:
        cv2.circle(image, ((x0 + x1) // 2, (y0 + y1) // 2), (x1 - x0) // 2, color, -1)
    elif cls == 1:
        cv2.rectangle(image, (x0, y0), (x1, y1), color, -1)
    else:
        pts = np.array([[(x0 + x1) // 2, y0], [x0, y1], [x1, y1]], dtype=np.int32)
        cv2.fillPoly(image, [pts], color)


def _draw_starter(image: np.ndarray, cls: int, box: tuple[int, int, int, int],
                  color: tuple[int, ...]) -> None:
    """The `starter` domain: a ring, a cross, a bar (across the box's middle) or a star."""
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    cx, cy, half = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
    thick = max(2, (x1 - x0) // 5)
    if cls == 0:
        cv2.circle(image, (cx, cy), half - thick // 2, color, thick)
    elif cls == 1:
        cv2.rectangle(image, (cx - thick // 2, y0), (cx + thick // 2, y1), color, -1)
        cv2.rectangle(image, (x0, cy - thick // 2), (x1, cy + thick // 2), color, -1)
    elif cls == 2:
        cv2.rectangle(image, (x0, y0), (x1, y1), color, -1)
    else:
        angles = np.pi / 2 + np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, half, half * 0.45)
        pts = np.stack([cx - radii * np.cos(angles), cy - radii * np.sin(angles)], 1)
        cv2.fillPoly(image, [pts.round().astype(np.int32)], color)


def _background(rng: np.random.Generator, size: int, domain: str) -> np.ndarray:
    """Dark noise for `shapes`; light stripes at a random angle, with noise, for `starter`."""
    if domain == "shapes":
        return rng.integers(0, 40, (size, size, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:size, 0:size]
    angle, period = rng.uniform(0, np.pi), rng.uniform(6, 20)
    stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
    base = rng.integers(170, 220, 3)
    image = base + 25 * stripes[..., None] + rng.integers(-15, 16, (size, size, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def _draw_image(rng: np.random.Generator, size: int,
                domain: str = "shapes") -> tuple[np.ndarray, list[str]]:
    """One image with 1-4 non-overlapping objects of `domain` and its YOLO label lines.

    A `starter` bar is a box's middle third, so its label is that band, not the square box.
    """
    image = _background(rng, size, domain)
    boxes: list[tuple[int, int, int, int]] = []
    lines: list[str] = []
    for _ in range(int(rng.integers(1, 5))):
        for _attempt in range(20):
            side = int(rng.integers(size // 6, size // 3))
            x0 = int(rng.integers(0, size - side))
            y0 = int(rng.integers(0, size - side))
            box = (x0, y0, x0 + side, y0 + side)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3]
                   for b in boxes):
                break
        else:
            continue
        boxes.append(box)
        cls = int(rng.integers(0, len(DOMAINS[domain])))
        if domain == "shapes":
            color = tuple(int(c) for c in rng.integers(150, 256, 3))
            _draw_shape(image, cls, box, color)
        else:
            color = tuple(int(c) for c in rng.integers(0, 90, 3))
            if cls == 2:  # a bar: the box's middle third, across or along
                band = side // 3
                box = ((x0, y0 + band, x0 + side, y0 + 2 * band) if rng.random() < 0.5
                       else (x0 + band, y0, x0 + 2 * band, y0 + side))
            _draw_starter(image, cls, box, color)
        cx, cy = (box[0] + box[2]) / 2 / size, (box[1] + box[3]) / 2 / size
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {(box[2] - box[0]) / size:.6f} "
                     f"{(box[3] - box[1]) / size:.6f}")
    return image, lines


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
            image, lines = _draw_image(rng, imgsz, domain)
            cv2.imwrite(str(tmp / "images" / split / f"{split}_{i:05d}.png"), image)
            (tmp / "labels" / split / f"{split}_{i:05d}.txt").write_text("\n".join(lines) + "\n")
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(DOMAINS[domain]))
    (tmp / "data.yaml").write_text(
        f"# sweep's synthetic {domain} dataset {json.dumps(params)}\n"
        f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n{names}\n"
    )
    try:
        tmp.rename(root)
    except OSError:  # another process won the race: use its copy
        shutil.rmtree(tmp, ignore_errors=True)
    return yaml_path
