"""Datasets: resolve `data=`, check it, and build per-trial subsets as private symlink trees.

Ultralytics writes its label cache next to the labels (`labels/<split>.cache`), shared by every
run of that dataset; concurrent trials rewriting it can crash. Each trial therefore trains on its
own tree of symlinks (`<dir>/images/{train,val}`, `<dir>/labels/{train,val}`), which also carries
the seeded random subset and keeps caches out of read-only or shared dataset folders.
"""

from __future__ import annotations

import contextlib
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sweep.core.errors import ConfigError
from sweep.data.label_cache import Scans, write_tree_cache

IMAGE_SUFFIXES = {".bmp", ".dng", ".jpeg", ".jpg", ".mpo", ".png", ".tif", ".tiff", ".webp",
                  ".pfm", ".heic"}


@dataclass(frozen=True)
class Dataset:
    """A resolved detection dataset: its source yaml, class names and image files per split."""

    yaml_path: Path
    names: dict[int, str]
    train: tuple[Path, ...]
    val: tuple[Path, ...]
    # what Ultralytics' label check made of each image (sweep.data.label_cache), when the run
    # kept it: every tree gets its label cache from it instead of Ultralytics scanning again
    scans: Scans = field(default_factory=dict, compare=False, repr=False)


def label_for(image: Path) -> Path:
    """Ultralytics' rule: swap the last /images/ for /labels/ and the suffix for .txt."""
    parts = list(image.parts)
    idx = len(parts) - 1 - parts[::-1].index("images") if "images" in parts else None
    if idx is None:
        return image.with_suffix(".txt")
    parts[idx] = "labels"
    return Path(*parts).with_suffix(".txt")


def _list_images(entry: Any, root: Path, key: str, yaml_path: Path) -> list[Path]:
    """Images named by one train/val entry: a folder, a .txt list, an image, or a list of them."""
    entries = entry if isinstance(entry, list) else [entry]
    images: list[Path] = []
    for item in entries:
        path = Path(str(item))
        path = path if path.is_absolute() else root / path
        if path.is_dir():
            images += sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.suffix == ".txt" and path.is_file():
            for line in path.read_text().splitlines():
                line = line.strip()
                if line:
                    p = Path(line)
                    images.append(p if p.is_absolute() else (path.parent / p).resolve())
        elif path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            images.append(path)
        else:
            raise ConfigError(f"data ({yaml_path.name}: {key})", str(item),
                              f"{path} does not exist",
                              f"fix '{key}:' in {yaml_path} (relative paths resolve against "
                              f"'path:' or the yaml's folder)")
    return images


def _names(raw: dict[str, Any], yaml_path: Path) -> dict[int, str]:
    names = raw.get("names")
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        raise ConfigError(f"data ({yaml_path.name}: names)", names, "no class names",
                          f"add 'names: {{0: first_class, ...}}' to {yaml_path}")
    return {int(k): str(v) for k, v in names.items()}


def load_dataset(yaml_path: Path) -> Dataset:
    """Read and check a data.yaml: train, val and names present, images found, labels beside."""
    try:
        raw = yaml.safe_load(yaml_path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError("data", str(yaml_path), f"cannot read it ({err})",
                          "point data= at a valid YOLO data.yaml") from err
    if not isinstance(raw, dict):
        raise ConfigError("data", str(yaml_path), "not a YAML mapping",
                          "point data= at a YOLO data.yaml with train:, val: and names:")
    for key in ("train", "val"):
        if not raw.get(key):
            raise ConfigError(f"data ({yaml_path.name}: {key})", None, f"no '{key}:' entry",
                              f"add '{key}: images/{key}' (a folder, .txt list or list) to "
                              f"{yaml_path}")
    names = _names(raw, yaml_path)
    root = Path(str(raw.get("path") or yaml_path.parent))
    if not root.is_absolute():
        local = (yaml_path.parent / root).resolve()
        root = local if local.exists() else root.resolve()
    train = _list_images(raw["train"], root, "train", yaml_path)
    val = _list_images(raw["val"], root, "val", yaml_path)
    for key, images in (("train", train), ("val", val)):
        if not images:
            raise ConfigError(f"data ({yaml_path.name}: {key})", raw[key], "no images found",
                              f"put images under the '{key}:' folder of {yaml_path}")
    if not any(label_for(p).exists() for p in train):
        raise ConfigError(f"data ({yaml_path.name}: train)", raw["train"],
                          "no label files beside the images (looked for .../labels/*.txt)",
                          "put YOLO labels in a 'labels' folder parallel to 'images'")
    return Dataset(yaml_path=yaml_path.resolve(), names=names, train=tuple(train),
                   val=tuple(val))


def seeded_subset(images: tuple[Path, ...], size: int, seed: int) -> list[Path]:
    """`size` images drawn without replacement by `seed` (sorted first, so the draw is stable)."""
    pool = sorted(images)
    if size >= len(pool):
        return pool
    return sorted(random.Random(seed).sample(pool, size))


def subset_size(total: int, fraction: float) -> int:
    """How many images a fraction keeps: at least one."""
    return max(1, round(total * fraction))


def _link(target: Path, link: Path) -> None:
    """`link` pointing at `target`'s absolute path (without resolving each folder on the way:
    realpath was a third of a 10k-image tree's time); one already there is kept (a resumed
    trial's tree)."""
    with contextlib.suppress(FileExistsError):
        os.symlink(os.path.abspath(target), link)


def build_tree(dataset: Dataset, dest: Path, train: list[Path], val: list[Path]) -> Path:
    """Symlink the chosen images and their labels under `dest`, with Ultralytics' label cache
    for each split when the dataset carries the check's entries; return its data.yaml."""
    for split, images in (("train", train), ("val", val)):
        image_dir, label_dir = dest / "images" / split, dest / "labels" / split
        for folder in (image_dir, label_dir):
            folder.mkdir(parents=True, exist_ok=True)
        links = []
        for i, image in enumerate(images):
            # A running index keeps names unique when a dataset repeats file names across folders.
            stem = f"{i:06d}_{image.stem}"
            link = image_dir / f"{stem}{image.suffix}"
            _link(image, link)
            label = label_for(image)
            links.append((link, image, label))
            if os.path.exists(label):
                _link(label, label_dir / f"{stem}.txt")
        write_tree_cache(dest, split, links, dataset.scans, dataset.names)
    yaml_path = dest / "data.yaml"
    yaml_path.write_text(yaml.safe_dump({
        "path": str(dest.resolve()), "train": "images/train", "val": "images/val",
        "names": dataset.names,
    }, sort_keys=False))
    return yaml_path


def build_subset(dataset: Dataset, dest: Path, fraction: float, seed: int,
                 val_images: int | None = None, val_seed: int = 0) -> tuple[Path, int, int]:
    """A training's private tree under `dest`: a `seed`ed random `fraction` of the train images
    and, with `val_images`, a subset of that many val images drawn by `val_seed` (else all of
    them). Returns its data.yaml and the train and val image counts."""
    train = seeded_subset(dataset.train, subset_size(len(dataset.train), fraction), seed)
    val = list(dataset.val) if val_images is None else seeded_subset(dataset.val, val_images,
                                                                      val_seed)
    return build_tree(dataset, dest, train, val), len(train), len(val)


def resolve(data: str) -> Dataset:
    """`data=` other than `shapes` (sweep.data.shapes): a local data.yaml, or an Ultralytics
    dataset name (downloaded online)."""
    path = Path(data).expanduser()
    if path.is_file():
        return load_dataset(path)
    if path.suffix not in {".yaml", ".yml"}:
        raise ConfigError("data", data, "not a data.yaml, an Ultralytics dataset name or "
                          "'shapes'", "point data= at a YOLO data.yaml, or use data=shapes")
    return load_dataset(_fetch_ultralytics_dataset(data))


def _fetch_ultralytics_dataset(name: str) -> Path:
    """An Ultralytics dataset name such as coco8.yaml: let Ultralytics find or download it."""
    from ultralytics.cfg import DEFAULT_CFG_PATH

    known = DEFAULT_CFG_PATH.parent / "datasets" / Path(name).name
    if Path(name).parent != Path(".") or not known.exists():
        raise ConfigError("data", name, "no such file, and not an Ultralytics dataset name",
                          "check the path (relative paths resolve against the current folder) "
                          "or use data=shapes")
    from ultralytics.data.utils import check_det_dataset
    from ultralytics.utils import ONLINE

    if not ONLINE:
        local = _already_downloaded(known)
        if local is None:
            raise ConfigError("data", name, "Ultralytics would download this dataset, but "
                              "this machine is offline", "point data= at a local data.yaml, "
                              "or use data=shapes")
        return local
    try:
        info = check_det_dataset(name)
    except Exception as err:  # Ultralytics raises many kinds on a failed download
        raise ConfigError("data", name, f"Ultralytics could not fetch it ({err})",
                          "point data= at a local data.yaml, or use data=shapes") from err
    return _write_resolved_yaml(info, Path(info["yaml_file"]).name)


def _already_downloaded(known: Path) -> Path | None:
    """The dataset's folder in Ultralytics' datasets_dir, if an earlier online run fetched it."""
    from ultralytics.utils import SETTINGS

    raw = yaml.safe_load(known.read_text())
    root = Path(SETTINGS["datasets_dir"]) / str(raw.get("path", known.stem))
    if not root.is_dir():
        return None
    raw["path"] = str(root)
    out = root / f"sweep-{known.name}"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return out


def _write_resolved_yaml(info: dict[str, Any], name: str) -> Path:
    root = Path(info["path"])
    out = root / f"sweep-{name}"
    out.write_text(yaml.safe_dump({"path": str(root), "train": str(info["train"]),
                                   "val": str(info["val"]), "names": info["names"]},
                                  sort_keys=False))
    return out
