"""Benchmark: what a dataset's size costs outside training (issue 24, item 7).

    python scripts/bench_data_scale.py                       # 10k and 100k train images
    python scripts/bench_data_scale.py --images 2000         # a quick look

A synthetic set of N train images and 1000 val images (symlinks to the `shapes` images and
labels, so that only their number differs from a real set), then, as a run spends them:
listing the data (load_dataset); the up-front label check, first and with its verdict kept;
reading its entries back (a worker's start); one trial's private tree at the real sizes (50% of
the train images, 500 val) with its label cache written from the check, and Ultralytics' loading
of that tree's labels; and the same tree without the check's entries, which Ultralytics scans
as it did before. Prints a table and writes results.json under --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.data import datasets  # noqa: E402
from sweep.data.label_cache import SCAN_FILE, load_scans, save_scans  # noqa: E402
from sweep.data.labels import scan_labels  # noqa: E402
from sweep.data.shapes import ensure_shapes  # noqa: E402


def make_set(source: datasets.Dataset, dest: Path, train: int, val: int) -> Path:
    """`train` + `val` images as symlinks cycling over `source`'s, each with its label."""
    for split, count, pool in (("train", train, source.train), ("val", val, source.val)):
        for kind in ("images", "labels"):
            (dest / kind / split).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            image = pool[i % len(pool)]
            (dest / "images" / split / f"{i:07d}{image.suffix}").symlink_to(image)
            (dest / "labels" / split / f"{i:07d}.txt").symlink_to(datasets.label_for(image))
    yaml_path = dest / "data.yaml"
    yaml_path.write_text(json.dumps({"path": str(dest), "train": "images/train",
                                     "val": "images/val", "names": source.names}))
    return yaml_path


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, round(time.perf_counter() - started, 2)


def ultralytics_load(tree: Path, names: dict[int, str]) -> tuple[bool, float]:
    """Ultralytics' dataset for the tree's train split, as a training builds it: whether it
    read a label cache it found (True) or scanned, and the seconds it took."""
    from ultralytics.cfg import DEFAULT_CFG
    from ultralytics.data.dataset import YOLODataset

    scanned: list[bool] = []
    scan = YOLODataset.cache_labels

    def spy(self: Any, path: Path) -> Any:
        scanned.append(True)
        return scan(self, path)

    YOLODataset.cache_labels = spy  # type: ignore[method-assign]
    try:
        _, seconds = timed(YOLODataset, img_path=str(tree.resolve() / "images" / "train"),
                           data={"names": names, "channels": 3}, task="detect", imgsz=640,
                           augment=False, hyp=DEFAULT_CFG, prefix="")
    finally:
        YOLODataset.cache_labels = scan  # type: ignore[method-assign]
    return not scanned, seconds


def one_size(images: int, out: Path, source: datasets.Dataset) -> dict[str, Any]:
    work = out / f"n{images}"
    shutil.rmtree(work, ignore_errors=True)
    _, made_s = timed(make_set, source, work / "data", images, 1000)
    dataset, list_s = timed(datasets.load_dataset, work / "data" / "data.yaml")
    cache = work / "cache"
    scans_file = work / SCAN_FILE
    def check() -> None:  # as a run's start does it: the check, its entries kept for workers
        save_scans(scan_labels(dataset, "bench", cache)[1], scans_file)

    _, check_first_s = timed(check)
    _, check_kept_s = timed(check)
    scans, read_s = timed(load_scans, str(scans_file))
    with_scans = dataclasses.replace(dataset, scans=scans)
    _, tree_s = timed(datasets.build_subset, with_scans, work / "tree", 0.5, 1, 500, 0)
    cached, load_s = ultralytics_load(work / "tree", dataset.names)
    _, plain_tree_s = timed(datasets.build_subset, dataset, work / "plain", 0.5, 1, 500, 0)
    plain_cached, scan_s = ultralytics_load(work / "plain", dataset.names)
    row = {"train_images": images, "set_made_s": made_s, "listing_s": list_s,
           "check_first_s": check_first_s, "check_kept_s": check_kept_s,
           "entries_read_s": read_s, "entries_mb": round(scans_file.stat().st_size / 2**20, 1),
           "trial_tree_s": tree_s, "ultralytics_load_s": load_s, "cache_taken": cached,
           "before_tree_s": plain_tree_s, "before_scan_s": scan_s,
           "before_cache_taken": plain_cached}
    shutil.rmtree(work, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-data-scale")
    opts = parser.parse_args()
    out = opts.out.resolve()
    source = datasets.load_dataset(ensure_shapes(out / "shapes", 256, 64, 128, 0))
    rows = []
    for images in opts.images:
        row = one_size(images, out, source)
        rows.append(row)
        print(json.dumps(row), flush=True)
    (out / "results.json").write_text(json.dumps({"runs": rows}, indent=2) + "\n")
    print(f"\n{'images':>7} {'check':>6} {'kept':>5} {'read':>5} {'tree':>5} {'load':>5} "
          f"{'| before: tree':>14} {'scan':>5}")
    for r in rows:
        print(f"{r['train_images']:>7} {r['check_first_s']:>6} {r['check_kept_s']:>5} "
              f"{r['entries_read_s']:>5} {r['trial_tree_s']:>5} {r['ultralytics_load_s']:>5} "
              f"{r['before_tree_s']:>14} {r['before_scan_s']:>5}")
    print(f"results: {out / 'results.json'}")


if __name__ == "__main__":
    main()
