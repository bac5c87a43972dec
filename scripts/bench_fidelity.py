"""Benchmark: why Ultralytics' defaults (sweep's baseline trial) score 0.0 in a low-fidelity
trial but ~0.8 at full size (issue 13). Trains the defaults alone, through the real command
(`final.only=true final.params=<defaults>`), at several fidelities on the embedded default data,
and reports the best fitness with the optimizer steps each fidelity gives.

    python scripts/bench_fidelity.py                  # every variant, seeds 0 and 1
    python scripts/bench_fidelity.py --seeds 0 --variants trial full-10

Writes results.json and table.md under --out.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.testing.commands import run_sweep_or_exit  # noqa: E402

# name -> (fraction, epochs, batch or None for the default's, extra overrides): what differs
# from a trial (half the data, 10 epochs, batch 16, no warm-up)
VARIANTS: dict[str, tuple[float, int, int | None, list[str]]] = {
    "trial": (0.5, 10, None, []),
    "trial-batch-8": (0.5, 10, 8, []),
    "trial-20-epochs": (0.5, 20, None, []),
    "trial-warmup-3": (0.5, 10, None, ["train.warmup_epochs=3"]),
    "full-10": (1.0, 10, None, []),
    "full-16": (1.0, 16, None, []),
}


def defaults() -> dict[str, Any]:
    from omegaconf import OmegaConf

    from sweep.config.relative import space_baseline

    space = OmegaConf.to_container(OmegaConf.load(ROOT / "conf" / "space" / "default.yaml"))
    return space_baseline(space, num_classes=3)  # type: ignore[arg-type]


def run(name: str, seed: int, root: Path, params: dict[str, Any], scale: float,
        overrides: list[str]) -> dict[str, Any]:
    fraction, epochs, batch, extra = VARIANTS[name]
    epochs = max(1, round(epochs * scale))
    batch = batch or params["batch"]
    fixed = ",".join(f"{k}:{v}" for k, v in {**params, "batch": batch}.items())
    args = ["+experiment=yolo11n", "model=yolo11n.yaml",
            f"study.name=fidelity-{name}-s{seed}", "final.only=true",
            f"final.params={{{fixed}}}", f"final.fraction={fraction}",
            f"final.epochs={epochs}", f"final.patience={epochs}", f"train.seed={seed}",
            "tracking=[]", f"paths.root={root}", *extra, *overrides]
    started = time.time()
    run_sweep_or_exit(args, f"{name} seed {seed}")
    summary = json.loads((root / f"fidelity-{name}-s{seed}" / "summary.json").read_text())
    images = summary["finalist"]["train_images"]
    return {"variant": name, "seed": seed, "fraction": fraction, "epochs": epochs,
            "batch": batch, "extra": extra, "train_images": images,
            "steps": math.ceil(images / batch) * epochs,
            "fitness": summary["finalist"]["metrics"].get("fitness"),
            "map50": summary["finalist"]["metrics"].get("map50"),
            "wall_s": round(time.time() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-fidelity")
    parser.add_argument("--epochs-scale", type=float, default=1.0,
                        help="multiply every variant's epochs (the tests use 0.1)")
    parser.add_argument("--set", nargs="*", default=[], dest="overrides",
                        help="extra overrides for every run, e.g. debug=smoke")
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    params = defaults()
    rows = []
    for seed in opts.seeds:
        for name in opts.variants:
            rows.append(run(name, seed, opts.out / "runs", params, opts.epochs_scale,
                            opts.overrides))
            print(json.dumps(rows[-1]), flush=True)
    (opts.out / "results.json").write_text(json.dumps({"defaults": params, "runs": rows},
                                                      indent=2))
    lines = ["| variant | fraction | epochs | batch | optimizer steps | seed | fitness | mAP50 |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['variant']} | {r['fraction']} | {r['epochs']} | {r['batch']} | "
              f"{r['steps']} | {r['seed']} | {r['fitness']:.3f} | {r['map50']:.3f} |"
              for r in rows]
    (opts.out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
