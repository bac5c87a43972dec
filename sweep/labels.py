"""What Ultralytics' own label check will drop, said before the search starts.

Ultralytics verifies every image/label pair when it first loads a dataset
(`ultralytics.data.utils.verify_image_label`) and silently (to a quiet sweep) drops the pairs it
finds corrupt: malformed lines, class ids beyond `names`, coordinates out of range. sweep runs
that same check once over the dataset, warns with the count and an example, and refuses a
dataset with no usable label left, instead of training on nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from sweep.data import Dataset, label_for
from sweep.errors import ConfigError

_PREFIX = re.compile(r"^\W*WARNING\W*")  # Ultralytics' "WARNING ⚠️ " before each finding


@dataclass(frozen=True)
class SplitLabels:
    """Ultralytics' verdict on one split: images, how many it drops, how many carry a box."""

    split: str
    images: int
    dropped: int
    labelled: int
    example: str | None  # the first dropped pair, in Ultralytics' words


def check_split(split: str, images: Iterable[Path], classes: int) -> SplitLabels:
    from ultralytics.data.utils import verify_image_label
    from ultralytics.utils import NUM_THREADS

    files = [str(p) for p in images]
    labels = [str(label_for(Path(p))) for p in files]
    args = zip(files, labels, repeat(""), repeat(False), repeat(classes), repeat(0), repeat(0),
               repeat(False), strict=False)
    dropped = labelled = 0
    example = None
    with ThreadPoolExecutor(max(1, NUM_THREADS)) as pool:
        for result in pool.map(verify_image_label, args):
            lb, corrupt, msg = result[1], result[8], result[9]
            if corrupt:
                dropped += 1
                example = example or _PREFIX.sub("", str(msg)).strip()
            elif lb is not None and len(lb):
                labelled += 1
    return SplitLabels(split, len(files), dropped, labelled, example)


def check_labels(dataset: Dataset, data: str) -> str | None:
    """Refuse a dataset whose train or val split has no usable label (ConfigError naming `data`);
    otherwise the one-line warning about the pairs Ultralytics will drop, or None."""
    splits = [check_split(name, images, len(dataset.names))
              for name, images in (("train", dataset.train), ("val", dataset.val))]
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
        return None
    counts = ", ".join(f"{s.dropped} of {s.images} {s.split}" for s in dropped)
    example = next(s.example for s in dropped)
    return (f"warning: data={data}: Ultralytics' label check drops {counts} images as corrupt "
            f"(they are not trained or validated on); e.g. {example}")
