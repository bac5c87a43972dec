"""Each training's Ultralytics label cache, written from the label check sweep already ran.

Every training reads its own private symlink tree (sweep.data.datasets), so Ultralytics finds no
`labels/<split>.cache` there and scans the tree's images and labels again: 35 s a trial at 50k
images on 2 cores, where sweep's up-front check (sweep.data.labels) ran Ultralytics' very same
`verify_image_label` over the whole dataset once. The check keeps what Ultralytics made of
each image (its `result_to_label` entry); a tree's cache is those entries for the tree's images,
under the names and with the hash Ultralytics' own loader computes (`get_cache_hash`), saved
with its own `save_dataset_cache_file`. When anything does not match (another Ultralytics, a
file changed since the check, `single_cls`), Ultralytics rejects the cache by its hash and scans,
as before.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

log = logging.getLogger(__name__)

# image path -> (Ultralytics' entry for it: (label dict or None, missing, found, empty, corrupt,
# message), as YOLODataset.result_to_label gives; the image's and its label's (size, mtime)
# when checked, so that a file changed since is never taken from the check)
Scans = Mapping[str, tuple[tuple[Any, ...], tuple[Any, Any]]]
Stat = tuple[int, int] | None


def file_stat(path: Path) -> Stat:
    """(size, modification time in ns), or None for a missing file: how Ultralytics' and
    sweep's caches tell a changed file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


SCAN_FILE = "label-scan.pkl"  # beside the plan, for the workers


def entry_maker() -> Callable[[Any], tuple[Any, ...]] | None:
    """Ultralytics' own conversion of a `verify_image_label` result into its cache entry; None
    where this Ultralytics has none (its trainings then scan, as they always did)."""
    try:
        from ultralytics.data.dataset import YOLODataset

        convert = YOLODataset.result_to_label
    except (ImportError, AttributeError):
        return None
    return lambda result: convert(None, result)  # type: ignore[arg-type]  # reads no self


def save_scans(scans: Scans, path: Path) -> Path | None:
    """The check's entries, for the workers to read once each; None if they cannot be kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # runs sharing a study
        with open(partial, "wb") as out:
            pickle.dump(dict(scans), out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError as err:
        log.warning("label entries not kept (%s): every training scans its labels", err)
        return None
    return path


def load_scans(path: str | None) -> Scans:
    """What save_scans kept (nothing when there is no file or it cannot be read). They live as
    long as the process and are kept out of the garbage collector's passes (gc.freeze), which
    would otherwise touch, and so copy, every entry in each dataloader process Ultralytics forks
    from it (about 100k objects at 100k images)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as stream:
            scans = pickle.load(stream)  # noqa: S301 - sweep's own file, written by this run
    except (OSError, EOFError, pickle.UnpicklingError):
        return {}
    return held(scans)


def held(scans: Scans) -> Scans:
    """`scans`, frozen out of the garbage collector's passes (see load_scans)."""
    gc.freeze()
    return scans


def write_tree_cache(tree: Path, split: str, links: list[tuple[Path, Path, Path]],
                     scans: Scans, names: Mapping[int, str]) -> bool:
    """`tree/labels/<split>.cache` for the tree's `links` (link, source image, source label),
    as Ultralytics would write it after scanning them. False when an image has no entry or
    changed since the check, or this Ultralytics cannot be matched: it scans then."""
    if not scans or not links or any(
            str(image) not in scans or scans[str(image)][1] != (file_stat(image),
                                                               file_stat(label))
            for _, image, label in links):
        return False
    try:
        from ultralytics.data.dataset import DATASET_CACHE_VERSION, YOLODataset
        from ultralytics.data.utils import img2label_paths, save_dataset_cache_file
    except ImportError:
        return False
    root = tree.resolve()  # Ultralytics resolves data.yaml's folders, then lists them sorted
    pairs = sorted(((str(root / "images" / split / link.name), str(source))
                    for link, source, _ in links), key=lambda pair: pair[0])
    images = [image for image, _ in pairs]
    cache: dict[str, Any] = {"labels": [], "msgs": []}
    counts = [0, 0, 0, 0]  # found, missing, empty, corrupt (Ultralytics' order in `results`)
    for image, source in pairs:
        label, missing, found, empty, corrupt, message = scans[source][0]
        if label is not None:
            cache["labels"].append({**label, "im_file": image})
        if message:
            cache["msgs"].append(message)
        for index, count in enumerate((found, missing, empty, corrupt)):
            counts[index] += count
    if not cache["labels"]:
        return False
    owner = SimpleNamespace(im_files=images, label_files=img2label_paths(list(images)),
                            data={"names": dict(names)}, use_keypoints=False, single_cls=False)
    try:
        cache["hash"] = YOLODataset.get_cache_hash(owner)  # type: ignore[arg-type]
    except (AttributeError, KeyError, TypeError):
        return False
    cache["results"] = (*counts, len(images))
    path = root / "labels" / f"{split}.cache"
    with contextlib.suppress(OSError):
        save_dataset_cache_file("", path, cache, DATASET_CACHE_VERSION)
    return path.exists()
