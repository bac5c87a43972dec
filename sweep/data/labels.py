"""What Ultralytics' own label check will drop, said before the search starts.

Ultralytics verifies every image/label pair when it first loads a dataset
(`ultralytics.data.utils.verify_image_label`) and silently (to a quiet sweep) drops the pairs it
finds corrupt: malformed lines, class ids beyond `names`, coordinates out of range. sweep runs
that same check once over the dataset, warns with the count and an example, and refuses a
dataset with no usable label left, instead of training on nothing.

The check reads every image (about 0.3 ms each here) and every run starts with it, each W&B
agent trial too: with a cache folder, joblib.Memory keeps each split's verdict, keyed by its
files' paths, sizes and modification times and the Ultralytics version, so an unchanged dataset
is read once. What Ultralytics made of each image is kept too: every training's label cache is
written from it (sweep.data.label_cache), so no trial scans the labels again.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from sweep.core.errors import ConfigError
from sweep.data.datasets import Dataset, label_for
from sweep.data.label_cache import Scans, entry_maker, file_stat, load_scans, save_scans

_PREFIX = re.compile(r"^\W*WARNING\W*")  # Ultralytics' "WARNING ⚠️ " before each finding


@dataclass(frozen=True)
class SplitLabels:
    """Ultralytics' verdict on one split: images, how many it drops, how many carry a box."""

    split: str
    images: int
    dropped: int
    labelled: int
    example: str | None  # the first dropped pair, in Ultralytics' words
    # image path -> Ultralytics' label cache entry for it (sweep.data.label_cache), or, for a
    # kept verdict, the file that holds them (joblib reads numpy arrays back with Python's own
    # unpickler: 13 s for 20k images' entries, where pickle's takes under 1 s)
    scans: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    scans_file: str | None = None


def check_split(split: str, images: Iterable[Path], classes: int) -> SplitLabels:
    from ultralytics.data.utils import verify_image_label
    from ultralytics.utils import NUM_THREADS

    files = [str(p) for p in images]
    labels = [str(label_for(Path(p))) for p in files]
    args = zip(files, labels, repeat(""), repeat(False), repeat(classes), repeat(0), repeat(0),
               repeat(False), strict=False)
    dropped = labelled = 0
    example = None
    entry, scans = entry_maker(), {}
    with ThreadPoolExecutor(max(1, NUM_THREADS)) as pool:
        for file, result in zip(files, pool.map(verify_image_label, args), strict=True):
            if entry is not None:
                scans[file] = entry(result)
            lb, corrupt, msg = result[1], result[8], result[9]
            if corrupt:
                dropped += 1
                example = example or _PREFIX.sub("", str(msg)).strip()
            elif lb is not None and len(lb):
                labelled += 1
    return SplitLabels(split, len(files), dropped, labelled, example, scans)


# What a kept verdict holds; a new value sets aside what older sweeps kept (verdicts without
# Ultralytics' entries), as joblib keys its cache by the arguments.
KEPT = "verdict and Ultralytics' entries"


def _checked_split(split: str, files: tuple[tuple[str, Any, Any], ...], classes: int,
                   ultralytics: str, kept: str = KEPT, entries_dir: str | None = None
                   ) -> SplitLabels:
    """check_split over `files` (image path, its stat, its label's stat): the stats, the
    Ultralytics version and `kept` are there for the cache's key. With `entries_dir`, the
    entries go to a file there, named in the verdict."""
    checked = check_split(split, (Path(image) for image, _, _ in files), classes)
    # each entry with its files' stats as the key saw them (a file changed since: not taken)
    checked = dataclasses.replace(checked, scans={
        image: (checked.scans[image], (image_stat, label_stat))
        for image, image_stat, label_stat in files if image in checked.scans})
    if entries_dir is None:
        return checked
    kept_at = save_scans(checked.scans, Path(entries_dir) / f"{split}-{uuid.uuid4().hex}.pkl")
    return dataclasses.replace(checked, scans={}, scans_file=str(kept_at) if kept_at else None)


def cached_check(cache_dir: Path | None) -> Callable[..., SplitLabels]:
    """_checked_split, kept by joblib.Memory under `cache_dir` (None: not kept)."""
    if cache_dir is None:
        return _checked_split
    from joblib import Memory

    return functools.partial(Memory(cache_dir / "label-checks", verbose=0).cache(_checked_split),
                             entries_dir=str(cache_dir / "label-entries"))


def check_labels(dataset: Dataset, data: str, cache_dir: Path | None = None) -> str | None:
    """scan_labels' warning alone."""
    return scan_labels(dataset, data, cache_dir)[0]


def scan_labels(dataset: Dataset, data: str, cache_dir: Path | None = None
                ) -> tuple[str | None, Scans]:
    """Refuse a dataset whose train or val split has no usable label (ConfigError naming `data`);
    otherwise the one-line warning about the pairs Ultralytics will drop (or None), and what
    Ultralytics made of each image (sweep.data.label_cache). With `cache_dir`, an unchanged
    split's verdict is read back instead of checked again."""
    import ultralytics

    check = cached_check(cache_dir)
    splits = [check(name, tuple((str(image), file_stat(image), file_stat(label_for(image)))
                                for image in images), len(dataset.names), ultralytics.__version__,
                    KEPT)
              for name, images in (("train", dataset.train), ("val", dataset.val))]
    scans: Scans = {image: scan for split in splits
                    for image, scan in (split.scans or load_scans(split.scans_file)).items()}
    for split in splits:
        if split.labelled == 0:
            why = (f"{split.dropped} dropped as corrupt, e.g. {split.example}" if split.dropped
                   else "no label file has a box")
            raise ConfigError("data", data, f"no usable label in the {split.split} split "
                              f"({split.images} images; {why})",
                              f"fix the label files next to {dataset.yaml_path.parent} "
                              "(class id < number of names, 5 numbers per line, coordinates "
                              "in 0-1)")
    dropped = [s for s in splits if s.dropped]
    if not dropped:
        return None, scans
    counts = ", ".join(f"{s.dropped} of {s.images} {s.split}" for s in dropped)
    example = next(s.example for s in dropped)
    return (f"warning: data={data}: Ultralytics' label check drops {counts} images as corrupt "
            f"(they are not trained or validated on); e.g. {example}"), scans
