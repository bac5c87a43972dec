"""sweep's synthetic domains: what an image of each holds and how it is drawn.

`shapes` (the embedded default) is high-contrast and learnable from scratch on a CPU: bright
circles, squares and triangles on a dark, noisy background; real sets (bccd, coco) stay at mAP
0.0 in the few CPU epochs a test or a default run can afford. `starter` shares nothing with it:
dark rings, crosses, bars and stars on light, striped backgrounds; sweep pretrains its starter
weights there (sweep.run.starter), so that the embedded default fine-tunes from weights that
never saw its classes, as users fine-tune yolo11n.pt on theirs. `crowd` (3-7 small pentagons,
hexagons, ellipses and chevrons in clutter) and `signs` (one or two large arrows or diamonds on
a gradient) are targets of other difficulty for the benchmarks (`shapes.domain=crowd`). No two
share a class. Drawing is deterministic in the generator's state (sweep.data.shapes caches it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def _draw_shape(rng: np.random.Generator, image: np.ndarray, cls: int, box: Box) -> Box:
    """`shapes`: a bright filled circle, square or triangle filling `box`."""
    color = tuple(int(c) for c in rng.integers(150, 256, 3))
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    if cls == 0:
        cv2.circle(image, ((x0 + x1) // 2, (y0 + y1) // 2), (x1 - x0) // 2, color, -1)
    elif cls == 1:
        cv2.rectangle(image, (x0, y0), (x1, y1), color, -1)
    else:
        pts = np.array([[(x0 + x1) // 2, y0], [x0, y1], [x1, y1]], dtype=np.int32)
        cv2.fillPoly(image, [pts], color)
    return box


def _draw_starter(rng: np.random.Generator, image: np.ndarray, cls: int, box: Box) -> Box:
    """`starter`: a dark ring, cross, bar (the box's middle third, across or along: that band
    is its label) or star."""
    color = tuple(int(c) for c in rng.integers(0, 90, 3))
    if cls == 2:
        side, band = box[2] - box[0], (box[2] - box[0]) // 3
        x0, y0 = box[0], box[1]
        box = ((x0, y0 + band, x0 + side, y0 + 2 * band) if rng.random() < 0.5
               else (x0 + band, y0, x0 + 2 * band, y0 + side))
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
    return box


def _polygon(box: Box, sides: int, turn: float) -> np.ndarray:
    """A regular polygon inscribed in `box`, turned by `turn` radians."""
    cx, cy = (box[0] + box[2] - 1) / 2, (box[1] + box[3] - 1) / 2
    half = (box[2] - box[0] - 1) / 2
    angles = turn + np.arange(sides) * 2 * np.pi / sides
    pts = np.stack([cx + half * np.cos(angles), cy + half * np.sin(angles)], 1)
    return pts.round().astype(np.int32)


def _draw_crowd(rng: np.random.Generator, image: np.ndarray, cls: int, box: Box) -> Box:
    """`crowd`: a small pentagon, hexagon, ellipse (long along x or y: its band is its label)
    or chevron, in a colour near the clutter around it."""
    color = tuple(int(c) for c in rng.integers(60, 200, 3))
    turn = float(rng.uniform(0, 2 * np.pi))
    if cls in (0, 1):
        cv2.fillPoly(image, [_polygon(box, 5 + cls, turn)], color)
        return box
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    if cls == 2:
        side, band = box[2] - box[0], (box[2] - box[0]) // 4
        box = ((x0, y0 + band, x0 + side, y0 + side - band) if turn < np.pi
               else (x0 + band, y0, x0 + side - band, y0 + side))
        cv2.ellipse(image, (((box[0] + box[2] - 1) / 2, (box[1] + box[3] - 1) / 2),
                            (box[2] - box[0], box[3] - box[1]), 0), color, -1)
        return box
    thick = max(2, (x1 - x0) // 4)
    cv2.polylines(image, [np.array([[x0, y0], [(x0 + x1) // 2, y1], [x1, y0]], np.int32)],
                  False, color, thick)
    return box


def _draw_signs(rng: np.random.Generator, image: np.ndarray, cls: int, box: Box) -> Box:
    """`signs`: a large arrow (pointing up, down, left or right) or a diamond, light or dark
    at random over a random gradient, so some stand out and some barely do."""
    low, high = (170, 240) if rng.random() < 0.5 else (20, 90)
    color = tuple(int(c) for c in rng.integers(low, high, 3))
    x0, y0, x1, y1 = box[0], box[1], box[2] - 1, box[3] - 1
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    if cls == 1:
        pts = np.array([[cx, y0], [x1, cy], [cx, y1], [x0, cy]], np.int32)
    else:  # an arrow pointing right, then turned
        w = x1 - x0
        right = np.array([[0, 0.35], [0.55, 0.35], [0.55, 0.1], [1, 0.5], [0.55, 0.9],
                          [0.55, 0.65], [0, 0.65]])
        turns = int(rng.integers(0, 4))
        for _ in range(turns):
            right = np.stack([1 - right[:, 1], right[:, 0]], 1)
        pts = (np.array([x0, y0]) + right * w).round().astype(np.int32)
    cv2.fillPoly(image, [pts], color)
    return box


def _shapes_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dark noise."""
    return rng.integers(0, 40, (size, size, 3), dtype=np.uint8)


def _starter_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Light stripes at a random angle, with noise."""
    yy, xx = np.mgrid[0:size, 0:size]
    angle, period = rng.uniform(0, np.pi), rng.uniform(6, 20)
    stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
    base = rng.integers(170, 220, 3)
    image = base + 25 * stripes[..., None] + rng.integers(-15, 16, (size, size, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def _crowd_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Mid-tone clutter: lines and blobs in the objects' own range of colours, with noise."""
    image = np.full((size, size, 3), rng.integers(80, 160, 3), dtype=np.uint8)
    for _ in range(int(rng.integers(3, 8))):
        color = tuple(int(c) for c in rng.integers(60, 200, 3))
        a, b = rng.integers(0, size, 2), rng.integers(0, size, 2)
        if rng.random() < 0.5:
            cv2.line(image, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), color,
                     int(rng.integers(1, 4)))
        else:
            cv2.circle(image, (int(a[0]), int(a[1])), int(rng.integers(2, size // 10)), color,
                       -1)
    noise = rng.integers(-15, 16, (size, size, 3))
    return np.clip(image.astype(np.int64) + noise, 0, 255).astype(np.uint8)


def _signs_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth gradient between two random colours at a random angle, lightly noisy."""
    yy, xx = np.mgrid[0:size, 0:size] / max(1, size - 1)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.clip(0.5 + (xx - 0.5) * np.cos(angle) + (yy - 0.5) * np.sin(angle), 0, 1)
    start, stop = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    image = start + (stop - start) * ramp[..., None] + rng.integers(-8, 9, (size, size, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


Draw = Callable[[np.random.Generator, np.ndarray, int, Box], Box]


@dataclass(frozen=True)
class Domain:
    """A synthetic domain: its classes, how many objects an image holds and how large (as a
    fraction of the image side), its background and how an object is drawn."""

    names: tuple[str, ...]
    objects: tuple[int, int]  # per image, [low, high)
    side: tuple[int, int]     # the image side divided by these: [size // a, size // b)
    background: Callable[[np.random.Generator, int], np.ndarray]
    draw: Draw
    # bumped when this domain's drawing changes: its cached folders are then made again
    # (sweep.data.shapes); 1 leaves the folder names of before versions existed
    version: int = 1


# `shapes` is the embedded default; `starter` is where starter weights are pretrained
# (sweep.run.starter); `crowd` (hard: small, many, cluttered) and `signs` (large, few, two
# classes) are further targets for the benchmarks that must hold on more than one set. No two
# share a class.
DOMAINS = {
    "shapes": Domain(("circle", "square", "triangle"), (1, 5), (6, 3),
                     _shapes_background, _draw_shape),
    "starter": Domain(("ring", "cross", "bar", "star"), (1, 5), (6, 3),
                      _starter_background, _draw_starter),
    "crowd": Domain(("pentagon", "hexagon", "ellipse", "chevron"), (3, 8), (7, 4),
                    _crowd_background, _draw_crowd, version=2),
    "signs": Domain(("arrow", "diamond"), (1, 3), (3, 2), _signs_background, _draw_signs),
}
STARTER_CLASS_NAMES = DOMAINS["starter"].names


def draw_image(rng: np.random.Generator, size: int,
                domain: str = "shapes") -> tuple[np.ndarray, list[str]]:
    """One image with non-overlapping objects of `domain` and its YOLO label lines."""
    kind = DOMAINS[domain]
    image = kind.background(rng, size)
    boxes: list[Box] = []
    lines: list[str] = []
    for _ in range(int(rng.integers(*kind.objects))):
        for _attempt in range(20):
            side = int(rng.integers(size // kind.side[0], size // kind.side[1]))
            x0 = int(rng.integers(0, size - side))
            y0 = int(rng.integers(0, size - side))
            box = (x0, y0, x0 + side, y0 + side)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3]
                   for b in boxes):
                break
        else:
            continue
        boxes.append(box)
        cls = int(rng.integers(0, len(kind.names)))
        box = kind.draw(rng, image, cls, box)
        cx, cy = (box[0] + box[2]) / 2 / size, (box[1] + box[3]) / 2 / size
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {(box[2] - box[0]) / size:.6f} "
                     f"{(box[3] - box[1]) / size:.6f}")
    return image, lines
