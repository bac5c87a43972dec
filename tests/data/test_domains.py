"""sweep's synthetic domains: what each holds, and that no two share a class or a look."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweep.core.errors import ConfigError
from sweep.data import datasets
from sweep.data.domains import DOMAINS
from sweep.data.shapes import ensure_shapes, shapes_data


def test_the_starter_domain_shares_no_class_and_no_background_with_shapes(tmp_path: Path) -> None:
    import cv2

    shapes = datasets.load_dataset(ensure_shapes(tmp_path, 6, 2, 64, 3))
    starter = datasets.load_dataset(ensure_shapes(tmp_path, 6, 2, 64, 3, domain="starter"))
    assert starter.yaml_path.parent != shapes.yaml_path.parent
    assert set(starter.names.values()) == {"ring", "cross", "bar", "star"}
    assert not set(starter.names.values()) & set(shapes.names.values())
    # light backgrounds there, dark ones here: the corners (rarely under an object) tell
    corners = [cv2.imread(str(p))[[0, 0, -1, -1], [0, -1, 0, -1]].mean()
               for p in (*starter.train, *shapes.train)]
    assert min(corners[:6]) > 120 and max(corners[6:]) < 60
    labels = [line.split() for p in starter.yaml_path.parent.rglob("labels/*/*.txt")
              for line in p.read_text().splitlines()]
    assert labels and all(0 <= int(c) < 4 and 0 < float(w) <= 1 and 0 < float(h) <= 1
                          for c, _, _, w, h in labels)
    bars = [(float(w), float(h)) for c, _, _, w, h in labels if c == "2"]
    assert all(max(w, h) > 2 * min(w, h) for w, h in bars)  # a bar, not a square


def test_crowd_and_signs_are_targets_of_other_difficulty_sharing_no_class(tmp_path: Path) -> None:
    """crowd: many small objects of four classes; signs: one or two large ones of two."""
    names = [set(domain.names) for domain in DOMAINS.values()]
    assert sum(map(len, names)) == len(set().union(*names))  # no class in two domains
    sizes = {}
    for domain, classes in (("crowd", 4), ("signs", 2)):
        dataset = datasets.load_dataset(ensure_shapes(tmp_path, 6, 2, 96, 1, domain=domain))
        assert len(dataset.names) == classes
        # a redrawn domain is made again, not read from a cache of its old drawing
        assert ('"drawing": 2' in dataset.yaml_path.read_text()) == (domain == "crowd")
        labels = [line.split() for p in dataset.yaml_path.parent.rglob("labels/*/*.txt")
                  for line in p.read_text().splitlines()]
        assert all(0 <= int(c) < classes and 0 < float(w) <= 1 and 0 < float(h) <= 1
                   for c, _, _, w, h in labels)
        widths = [float(w) for _, _, _, w, _ in labels]
        sizes[domain] = (len(labels) / 8, min(widths), max(widths))
    assert sizes["crowd"][0] > 2 * sizes["signs"][0]  # more objects an image
    assert sizes["crowd"][2] < 0.25 < 0.3 < sizes["signs"][1]  # and far smaller ones


def test_an_unknown_domain_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"shapes\.domain.*use one of \['crowd'"):
        shapes_data(tmp_path, {"train_images": 4, "val_images": 2, "imgsz": 64, "seed": 0,
                               "domain": "circles"})
