from __future__ import annotations

from pathlib import Path

from sweep import data as datasets
from sweep.shapes import ensure_shapes
from sweep.trial import prepare_trial_data
from tests.conftest import BCCD


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
