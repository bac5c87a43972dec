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
    from sweep.data.shapes import DOMAINS

    names = [set(domain.names) for domain in DOMAINS.values()]
    assert sum(map(len, names)) == len(set().union(*names))  # no class in two domains
    sizes = {}
    for domain, classes in (("crowd", 4), ("signs", 2)):
        dataset = datasets.load_dataset(ensure_shapes(tmp_path, 6, 2, 96, 1, domain=domain))
        assert len(dataset.names) == classes
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
        datasets.resolve("shapes", tmp_path, {"train_images": 4, "val_images": 2, "imgsz": 64,
                                              "seed": 0, "domain": "circles"})
