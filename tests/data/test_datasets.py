"""Datasets: the generated shapes set, seeded subsets, private symlink trees, and data.yaml
problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweep.core.errors import ConfigError
from sweep.data import datasets
from sweep.data.shapes import ensure_shapes
from sweep.run.trial import prepare_trial_data
from tests.conftest import BCCD


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("yaml_text", "key_part"),
    [
        ("val: images/val\nnames: {0: a}\n", "train"),
        ("train: images/train\nnames: {0: a}\n", "val"),
        ("train: images/train\nval: images/val\n", "names"),
        ("train: missing/train\nval: images/val\nnames: {0: a}\n", "train"),
        ("- just\n- a list\n", "data"),
    ],
)
def test_malformed_data_yaml(tmp_path: Path, yaml_text: str, key_part: str) -> None:
    for split in ("train", "val"):
        _write(tmp_path / "images" / split / "a.jpg", "x")
        _write(tmp_path / "labels" / split / "a.txt", "0 0.5 0.5 0.1 0.1\n")
    yaml_path = _write(tmp_path / "data.yaml", yaml_text)
    with pytest.raises(ConfigError) as info:
        datasets.load_dataset(yaml_path)
    assert key_part in info.value.key


def test_bccd_fixture_resolves() -> None:
    dataset = datasets.load_dataset(BCCD)
    assert (len(dataset.train), len(dataset.val)) == (12, 4)
    assert dataset.names[0] == "RBC"


def test_shapes_is_deterministic_and_cached(tmp_path: Path) -> None:
    a = ensure_shapes(tmp_path / "a", train_images=6, val_images=2, imgsz=64, seed=3)
    b = ensure_shapes(tmp_path / "b", train_images=6, val_images=2, imgsz=64, seed=3)
    files_a = sorted(p.relative_to(a.parent) for p in a.parent.rglob("*.png"))
    assert files_a == sorted(p.relative_to(b.parent) for p in b.parent.rglob("*.png"))
    for rel in files_a:
        assert (a.parent / rel).read_bytes() == (b.parent / rel).read_bytes()
    assert ensure_shapes(tmp_path / "a", 6, 2, 64, 3) == a  # reused, not regenerated
    dataset = datasets.load_dataset(a)
    assert len(dataset.train) == 6 and len(dataset.val) == 2
    assert dataset.names == {0: "circle", 1: "square", 2: "triangle"}


def test_seeded_subset_is_random_and_reproducible() -> None:
    dataset = datasets.load_dataset(BCCD)
    one = datasets.seeded_subset(dataset.train, 6, seed=1)
    assert one == datasets.seeded_subset(dataset.train, 6, seed=1)
    assert one != datasets.seeded_subset(dataset.train, 6, seed=2)
    assert one != sorted(dataset.train)[:6]  # not Ultralytics' first-N fraction
    assert datasets.subset_size(292, 0.5) == 146 and datasets.subset_size(3, 0.01) == 1


def test_trial_tree_is_private_and_leaves_shared_data_alone(tmp_path: Path) -> None:
    dataset = datasets.load_dataset(BCCD)
    cfg = {"train": {"seed": 0}, "trial": {"fraction": 0.5, "val_images": 3}}
    yaml_path, info = prepare_trial_data(cfg, dataset, tmp_path / "t", number=4)
    assert info == {"subset_seed": 4, "subset_size": 6, "val_size": 3}
    images = sorted((tmp_path / "t" / "ds" / "images" / "train").iterdir())
    labels = sorted((tmp_path / "t" / "ds" / "labels" / "train").iterdir())
    assert len(images) == len(labels) == 6
    assert all(p.is_symlink() and p.resolve().exists() for p in images + labels)
    assert datasets.load_dataset(yaml_path).names == dataset.names
    assert not list(BCCD.parent.rglob("*.cache"))


def test_label_path_rule() -> None:
    assert datasets.label_for(Path("/d/images/train/a.jpg")) == Path("/d/labels/train/a.txt")
    assert datasets.label_for(Path("/images/x/images/v/b.png")) == Path(
        "/images/x/labels/v/b.txt")
