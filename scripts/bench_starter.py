"""Benchmark: sweep's starter weights (issue 23). What making them costs, and what they give a
training against the same training from scratch, on the embedded default and on other data.

    python scripts/bench_starter.py                                   # shapes, 10 epochs
    python scripts/bench_starter.py --data shapes ../shared/datasets/bccd/data.yaml \\
        --epochs 15                                                   # and real data
    python scripts/bench_starter.py --starter epochs=15 imgsz=128     # another recipe

Makes the starter weights with the config's recipe (`starter.*` in conf/config.yaml, changed by
--starter key=value) into a fresh cache under --out, timing it, then trains the same
Ultralytics defaults (the baseline a sweep starts from) twice on each --data: from those
weights and from yolo11n.yaml. Prints and writes results.json under --out: the making time,
the starter's own fitness, and per data and start the fitness (mAP50-95) per epoch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from omegaconf import OmegaConf  # noqa: E402

from sweep.data import datasets  # noqa: E402
from sweep.run.starter import starter_weights  # noqa: E402
from sweep.run.training import train  # noqa: E402


def _curve(run_dir: Path) -> list[float]:
    """mAP50-95 per epoch from Ultralytics' results.csv."""
    lines = (run_dir / "results.csv").read_text().splitlines()
    column = [c.strip() for c in lines[0].split(",")].index("metrics/mAP50-95(B)")
    return [round(float(line.split(",")[column]), 4) for line in lines[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["shapes"],
                        help="data.yaml paths, or shapes (the embedded default's)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--imgsz", type=int, default=128)
    parser.add_argument("--starter", nargs="*", default=[], metavar="KEY=VALUE",
                        help="changes to the starter.* recipe of conf/config.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-starter")
    opts = parser.parse_args()
    out = opts.out.resolve()
    config = OmegaConf.load(ROOT / "conf" / "config.yaml")
    recipe: dict[str, Any] = OmegaConf.to_container(config.starter)  # type: ignore[assignment]
    recipe.update({k: int(v) for k, v in (item.split("=", 1) for item in opts.starter)})
    cache = out / f"cache-{time.strftime('%Y%m%d-%H%M%S')}"
    started = time.monotonic()
    weights = starter_weights("yolo11n.yaml", recipe, cache)
    made_s = time.monotonic() - started
    about = json.loads((weights.parent / "about.json").read_text())
    print(f"starter weights made in {made_s:.0f} s (recipe {recipe}); fitness there "
          f"{about['fitness']:.3f}", flush=True)
    results: dict[str, Any] = {"recipe": recipe, "made_s": round(made_s, 1),
                               "starter_fitness": about["fitness"], "epochs": opts.epochs,
                               "imgsz": opts.imgsz, "data": {}}
    for item in opts.data:
        if item == "shapes":
            from sweep.data.shapes import ensure_shapes

            data = ensure_shapes(cache, **OmegaConf.to_container(config.shapes))  # type: ignore
        else:
            data = Path(item).resolve()
        name = "shapes" if item == "shapes" else data.parent.name
        results["data"][name] = {"yaml": str(data)}
        # trained through a private symlink tree, as sweep's trials are: Ultralytics writes its
        # label caches there, never into the dataset's own folder (../shared/datasets is shared)
        dataset = datasets.load_dataset(data)
        data = datasets.build_tree(dataset, out / "trees" / name, sorted(dataset.train),
                                   sorted(dataset.val))
        for start, model in (("starter", str(weights)), ("scratch", "yolo11n.yaml")):
            began = time.monotonic()
            trainer = train(model, data, out / "runs", f"{name}-{start}",
                            {"epochs": opts.epochs, "imgsz": opts.imgsz, "batch": 16, "seed": 0,
                             "deterministic": True, "warmup_epochs": 0, "plots": False,
                             "workers": 2, "patience": opts.epochs},
                            log_file=out / f"{name}-{start}.log")
            curve = _curve(Path(trainer.save_dir))
            results["data"][name][start] = {"curve": curve, "best": max(curve),
                                            "train_s": round(time.monotonic() - began, 1)}
            print(f"{name}, from {start}: best {max(curve):.3f}, per epoch {curve}", flush=True)
        (out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"written {out / 'results.json'}")


if __name__ == "__main__":
    main()
