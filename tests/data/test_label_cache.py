"""A training's label cache written from sweep's own label check: the one Ultralytics would have
written after scanning the tree itself, accepted by its loader without a scan."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sweep.data.datasets import Dataset, build_tree, load_dataset
from sweep.data.label_cache import SCAN_FILE, load_scans, save_scans
from sweep.data.labels import scan_labels
from tests.conftest import BCCD


def scanned(dataset: Dataset, tmp_path: Path) -> Dataset:
    """The dataset with the entries its label check kept, read back as a worker reads them."""
    save_scans(scan_labels(dataset, "bccd")[1], tmp_path / SCAN_FILE)
    return dataclasses.replace(dataset, scans=load_scans(str(tmp_path / SCAN_FILE)))


def ultralytics_labels(tree: Path, split: str, names: dict[int, str],
                       scan: bool = True) -> list[dict[str, Any]]:
    """What Ultralytics' own loader reads for `tree`'s split; `scan=False`: it may not scan."""
    from ultralytics.cfg import DEFAULT_CFG
    from ultralytics.data.dataset import YOLODataset

    def refuse(self: Any, path: Path) -> dict[str, Any]:
        raise AssertionError(f"Ultralytics scanned {path}: the written cache was rejected")

    with pytest.MonkeyPatch.context() as patch:
        if not scan:
            patch.setattr(YOLODataset, "cache_labels", refuse)
        loaded = YOLODataset(img_path=str(tree.resolve() / "images" / split),
                             data={"names": names, "channels": 3}, task="detect", imgsz=64,
                             augment=False, hyp=DEFAULT_CFG, prefix="")
    return loaded.labels


@pytest.mark.parametrize("split", ["train", "val"])
def test_a_trees_cache_is_what_ultralytics_would_scan(tmp_path: Path, split: str) -> None:
    dataset = load_dataset(BCCD)
    train, val = sorted(dataset.train)[3:9], sorted(dataset.val)[:3]
    build_tree(scanned(dataset, tmp_path), tmp_path / "ours", train, val)
    build_tree(dataset, tmp_path / "theirs", train, val)  # no entries: Ultralytics scans it
    assert (tmp_path / "ours" / "labels" / f"{split}.cache").is_file()
    assert not (tmp_path / "theirs" / "labels" / f"{split}.cache").exists()
    ours = ultralytics_labels(tmp_path / "ours", split, dataset.names, scan=False)
    theirs = ultralytics_labels(tmp_path / "theirs", split, dataset.names)
    assert len(ours) == len(theirs) == len(train if split == "train" else val)
    for mine, scan in zip(ours, theirs, strict=True):
        assert Path(mine["im_file"]).parent == (tmp_path / "ours").resolve() / "images" / split
        assert Path(mine["im_file"]).name == Path(scan["im_file"]).name
        assert mine["shape"] == scan["shape"]
        np.testing.assert_array_equal(mine["cls"], scan["cls"])
        np.testing.assert_array_equal(mine["bboxes"], scan["bboxes"])


def test_a_file_changed_since_the_check_makes_ultralytics_scan(tmp_path: Path) -> None:
    """The cache's hash covers the files' sizes and times, as Ultralytics' own does: a label
    edited after the check is read afresh, never taken from the check."""
    shutil.copytree(BCCD.parent, tmp_path / "bccd")
    dataset = load_dataset(tmp_path / "bccd" / "data.yaml")
    kept = scanned(dataset, tmp_path)
    image = sorted(dataset.train)[0]
    label = tmp_path / "bccd" / "labels" / "train" / f"{image.stem}.txt"
    label.write_text("0 0.5 0.5 0.25 0.25\n")
    build_tree(kept, tmp_path / "tree", [image], sorted(dataset.val)[:1])
    with pytest.raises(AssertionError, match="scanned"):
        ultralytics_labels(tmp_path / "tree", "train", dataset.names, scan=False)
    (fresh,) = ultralytics_labels(tmp_path / "tree", "train", dataset.names)
    np.testing.assert_array_equal(fresh["bboxes"], [[0.5, 0.5, 0.25, 0.25]])


def test_no_entries_for_an_image_leaves_the_scan_to_ultralytics(tmp_path: Path) -> None:
    dataset = load_dataset(BCCD)
    kept = scanned(dataset, tmp_path)
    first = str(sorted(dataset.train)[0])
    partial = dataclasses.replace(kept, scans={k: v for k, v in kept.scans.items() if k != first})
    build_tree(partial, tmp_path / "tree", sorted(dataset.train)[:4], sorted(dataset.val)[:2])
    assert not (tmp_path / "tree" / "labels" / "train.cache").exists()
    assert (tmp_path / "tree" / "labels" / "val.cache").is_file()
    assert load_scans(str(tmp_path / "nothing-here.pkl")) == {}
