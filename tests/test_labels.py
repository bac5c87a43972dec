"""Ultralytics' own label check, said before the search: a count and an example, or a refusal
when no usable label is left."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sweep.data import load_dataset
from sweep.errors import ConfigError
from sweep.labels import check_labels
from tests.conftest import BCCD


@pytest.fixture
def bccd(tmp_path: Path) -> Path:
    """A writable copy of the 16-image BCCD fixture."""
    shutil.copytree(BCCD.parent, tmp_path / "bccd")
    return tmp_path / "bccd"


def _labels(root: Path, split: str) -> list[Path]:
    return sorted((root / "labels" / split).glob("*.txt"))


def test_clean_labels_say_nothing(bccd: Path) -> None:
    assert check_labels(load_dataset(bccd / "data.yaml"), "bccd") is None


def test_corrupt_labels_are_counted_with_an_example(bccd: Path) -> None:
    first, second = _labels(bccd, "train")[:2]
    first.write_text("7 0.5 0.5 0.1 0.1\n")         # class id beyond the 3 names
    second.write_text("0 0.5 0.5 0.1\n")            # 4 numbers, not 5
    _labels(bccd, "val")[0].write_text("0 1.7 0.5 0.1 0.1\n")  # outside the image
    warning = check_labels(load_dataset(bccd / "data.yaml"), "bccd")
    assert warning is not None and "\n" not in warning
    assert warning.startswith("warning: data=bccd: Ultralytics' label check drops 2 of 12 train, "
                              "1 of 4 val images")
    assert first.stem in warning or second.stem in warning  # an example file, in its words


def test_no_usable_train_label_is_refused(bccd: Path) -> None:
    for label in _labels(bccd, "train"):
        label.write_text("9 0.5 0.5 0.1 0.1\n")
    with pytest.raises(ConfigError) as info:
        check_labels(load_dataset(bccd / "data.yaml"), "bccd")
    assert info.value.key == "data"
    assert "no usable label in the train split (12 images; 12 dropped as corrupt" in \
        str(info.value)


def test_no_label_files_at_all_is_refused(bccd: Path) -> None:
    shutil.rmtree(bccd / "labels" / "val")
    with pytest.raises(ConfigError) as info:
        check_labels(load_dataset(bccd / "data.yaml"), "bccd")
    assert "val split (4 images; no label file has a box)" in str(info.value)
