"""The built-in `shapes` dataset: synthetic, learnable from scratch on a CPU, made offline.

Real sets (bccd, coco) stay at mAP 0.0 in the few CPU epochs a test or a default run can afford, so
the embedded default is this high-contrast set: bright circles, squares and triangles on a dark,
noisy background. Generation is deterministic in its parameters, so one folder per parameter set
is made once and reused by every run.
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
_VERSION = 1  # bump when the drawing changes, so stale caches are not reused


def _draw_image(rng: np.random.Generator, size: int) -> tuple[np.ndarray, list[str]]:
    """One image with 1-4 non-overlapping shapes and its YOLO label lines."""
    image = rng.integers(0, 40, (size, size, 3), dtype=np.uint8)
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
        cls = int(rng.integers(0, len(CLASS_NAMES)))
        color = tuple(int(c) for c in rng.integers(150, 256, 3))
        x1, y1 = box[2] - 1, box[3] - 1
        if cls == 0:
            cv2.circle(image, ((x0 + x1) // 2, (y0 + y1) // 2), (x1 - x0) // 2, color, -1)
        elif cls == 1:
            cv2.rectangle(image, (x0, y0), (x1, y1), color, -1)
        else:
            pts = np.array([[(x0 + x1) // 2, y0], [x0, y1], [x1, y1]], dtype=np.int32)
            cv2.fillPoly(image, [pts], color)
        cx, cy = (x0 + box[2]) / 2 / size, (y0 + box[3]) / 2 / size
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {side / size:.6f} {side / size:.6f}")
    return image, lines


def ensure_shapes(cache_dir: Path, train_images: int, val_images: int, imgsz: int,
                  seed: int) -> Path:
    """Generate the dataset once into `cache_dir` and return the path of its data.yaml.

    The folder name carries a hash of the parameters; it is written to a temporary folder and
    renamed into place, so concurrent runs never see half a dataset.
    """
    params = {"v": _VERSION, "train": train_images, "val": val_images, "imgsz": imgsz,
              "seed": seed}
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    root = cache_dir / f"shapes-{digest}"
    yaml_path = root / "data.yaml"
    if yaml_path.exists():
        return yaml_path
    tmp = cache_dir / f".shapes-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    rng = np.random.default_rng(seed)
    for split, count in (("train", train_images), ("val", val_images)):
        (tmp / "images" / split).mkdir(parents=True)
        (tmp / "labels" / split).mkdir(parents=True)
        for i in range(count):
            image, lines = _draw_image(rng, imgsz)
            cv2.imwrite(str(tmp / "images" / split / f"{split}_{i:05d}.png"), image)
            (tmp / "labels" / split / f"{split}_{i:05d}.txt").write_text("\n".join(lines) + "\n")
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(CLASS_NAMES))
    (tmp / "data.yaml").write_text(
        f"# sweep's synthetic shapes dataset {json.dumps(params)}\n"
        f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n{names}\n"
    )
    try:
        tmp.rename(root)
    except OSError:  # another process won the race: use its copy
        shutil.rmtree(tmp, ignore_errors=True)
    return yaml_path
