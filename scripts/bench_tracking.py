"""Benchmark: what the W&B mirror costs a sweep, and what an unreachable W&B costs (issue 10).

The same smoke sweep (`debug=smoke`: 2 trials of 2 epochs, a 2-epoch finalist, one CPU worker)
under four tracking setups, each in a fresh folder:

  disabled        tracking.wandb.mode=disabled: no mirror
  offline         the default without a key (auto -> offline): 3 W&B runs written offline
  online-no-net   a key and tracking.wandb.mode=online with W&B's real address unreachable
  online-hangs    a key, a local server that answers the probe but never W&B's API calls
                  (what a network dropping packets looks like), tracking.wandb.init_timeout=T

    python scripts/bench_tracking.py [--init-timeout 15] [--repeats 1] [--out DIR]

Prints a table (wall seconds per command, and the extra over `disabled`) and writes it, with
the raw timings, to DIR/results.json and DIR/table.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.testing.servers import serve_unanswering_wandb  # noqa: E402

FAKE_KEY = "0123456789abcdef" * 2 + "fa4e5e7c"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("WANDB_API_KEY", "WANDB_MODE", "WANDB_BASE_URL", "SWEEP_WANDB_MODE")}
    env.update({"YOLO_OFFLINE": "1", "SWEEP_CACHE_DIR": str(home / "cache"),
                "YOLO_CONFIG_DIR": str(home / "ultralytics"), "MPLCONFIGDIR": str(home / "mpl"),
                "WANDB_CACHE_DIR": str(home / "wandb-cache"),
                "WANDB_DATA_DIR": str(home / "wandb-data"),
                "WANDB_CONFIG_DIR": str(home / "wandb-config"),
                "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init-timeout", type=float, default=15.0,
                        help="tracking.wandb.init_timeout for the online setups (default 15)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per setup")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-tracking")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-tracking-"))
    env = _env(work / "home")
    hanging, _ = serve_unanswering_wandb()
    setups = {
        "disabled": ({}, ["tracking.wandb.mode=disabled"]),
        "offline": ({}, []),
        "online-no-net": ({"WANDB_API_KEY": FAKE_KEY},
                          ["tracking.wandb.mode=online",
                           f"tracking.wandb.init_timeout={opts.init_timeout}"]),
        "online-hangs": ({"WANDB_API_KEY": FAKE_KEY, "WANDB_BASE_URL": hanging},
                         ["tracking.wandb.mode=online",
                          f"tracking.wandb.init_timeout={opts.init_timeout}"]),
    }
    # One uncounted run first: it generates the dataset and warms the file cache.
    (work / "warm-up").mkdir()
    subprocess.run([sys.executable, "-m", "sweep", "debug=smoke", "study.name=warm-up",
                    "tracking.wandb.mode=disabled"], env=env, cwd=work / "warm-up",
                   capture_output=True, check=True)
    timings: dict[str, list[float]] = {}
    for name, (extra_env, overrides) in setups.items():
        for repeat in range(opts.repeats):
            folder = work / f"{name}-{repeat}"
            folder.mkdir()
            started = time.time()
            done = subprocess.run([sys.executable, "-m", "sweep", "debug=smoke",
                                   f"study.name={name}", *overrides], env={**env, **extra_env},
                                  cwd=folder, capture_output=True, text=True)
            wall = time.time() - started
            if done.returncode != 0:
                sys.exit(f"{name}: exit {done.returncode}\n{done.stdout[-2000:]}")
            summary = json.loads((folder / "outputs" / name / "summary.json").read_text())
            finished = summary["counts"]["COMPLETE"] + summary["counts"]["PRUNED"]
            runs = len(list((folder / "outputs" / name / "wandb").glob("offline-run-*")))
            timings.setdefault(name, []).append(wall)
            print(f"{name:14s} run {repeat}: {wall:6.1f} s, {finished} trials, {runs} W&B runs",
                  flush=True)
    base = statistics.median(timings["disabled"])
    lines = ["| setup | wall (s, median) | extra over disabled (s) |", "|---|---|---|"]
    for name, walls in timings.items():
        median = statistics.median(walls)
        lines.append(f"| {name} | {median:.1f} | {median - base:+.1f} |")
    table = "\n".join(lines)
    print(table)
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "table.md").write_text(table + "\n")
    (opts.out / "results.json").write_text(json.dumps(
        {"init_timeout": opts.init_timeout, "timings": timings}, indent=2) + "\n")


if __name__ == "__main__":
    main()
