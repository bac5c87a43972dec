"""Ultralytics' label check, run once up front: counted, said, or refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sweep.core.errors import ConfigError
from sweep.data.datasets import load_dataset
from sweep.data.labels import check_labels
from sweep.testing.commands import one_error_line, run_sweep
from tests.conftest import BCCD


@pytest.mark.slow
def test_a_dataset_without_a_usable_label_is_refused_before_training(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    import shutil

    from tests.conftest import BCCD

    data = tmp_path / "bccd"
    shutil.copytree(BCCD.parent, data)
    for label in (data / "labels" / "train").glob("*.txt"):
        label.write_text("3 0.5 0.5 0.2 0.2\n")  # class 3 of 3 names (0-2)
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", f"data={data / 'data.yaml'}",
                       f"paths.root={tmp_path / 'out'}")
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("error: data=") and "no usable label in the train split" in line
    assert "exceeds dataset class count" in line  # Ultralytics' own words, as an example
    assert not list((tmp_path / "out").glob("*/trials"))


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


def test_an_unchanged_dataset_is_checked_once(bccd: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sweep.data import labels

    checked: list[str] = []
    real = labels.check_split
    monkeypatch.setattr(labels, "check_split", lambda split, images, classes: (
        checked.append(split), real(split, images, classes))[1])
    cache = tmp_path / "cache"
    first = _labels(bccd, "train")[0]
    first.write_text("7 0.5 0.5 0.1 0.1\n")  # one corrupt label: a warning to keep
    warning = check_labels(load_dataset(bccd / "data.yaml"), "bccd", cache)
    assert checked == ["train", "val"] and warning is not None
    assert check_labels(load_dataset(bccd / "data.yaml"), "bccd", cache) == warning
    assert checked == ["train", "val"]  # read back, not checked again
    first.write_text("0 0.5 0.5 0.1 0.1\n")  # fixed: that split is checked again
    assert check_labels(load_dataset(bccd / "data.yaml"), "bccd", cache) is None
    assert checked == ["train", "val", "train"]
