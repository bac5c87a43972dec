"""The GPU check: what only a GPU machine can show, measured unattended in under 8 minutes.

Every part runs the real command (`python -m sweep`) on the built-in `shapes` set from
`yolo11n.pt` (sweep's starter weights stand in offline), each bounded in time and skipped with
one line where it does not apply; the script exits 0 with whatever it measured, and writes
results.json and table.md under --out.

  env        the machine: GPUs, driver, torch, CUDA, Ultralytics, CPU cores
  one        the search with one worker on GPU 0, at a size where the GPU is the limit (GPU
             utilisation and memory sampled by nvidia-smi every half second)
  shared     the same trials with 2 and 3 workers on GPU 0 (workers.per_device): trials per
             hour against `one`, peak memory, failures
  multi      with 2 or more GPUs: one worker per GPU against one (goal: N x 0.95 trials per
             hour), and the finalist trained on all of them through Ultralytics' DDP
  latency    latency.device=0 on every trained model
  budget     a short budget= run: wall against the budget

    python scripts/bench_gpu.py                 # a GPU machine, < 8 minutes: outputs/bench-gpu
    python scripts/bench_gpu.py --mode tiny --out /tmp/bench    # CPU, the harness alone

On a GPU machine without the internet, torch is there and the rest travels as wheels: here,
`bash scripts/gpu_wheels.sh` downloads them into .whl/ (about 20 MiB); there,
`python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl` and
`PYTHONPATH=/tmp/site` before this script. W&B stays off (tracking=[]).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PRESETS: dict[str, dict[str, Any]] = {
    # 640 px, batch 32, 8 dataloader workers: yolo11n's own size, where one H100 epoch on 512
    # images is GPU work, not data loading
    "gpu": {"device": 0, "imgsz": 640, "batch": 32, "loaders": 8, "shapes": [512, 64, 640],
            "epochs": 3, "trials": 6, "final_epochs": 3, "budget": "100s", "part_s": 170,
            "total_s": 470, "extra": []},
    "tiny": {"device": "cpu", "imgsz": 64, "batch": 8, "loaders": 0, "shapes": [24, 8, 64],
             "epochs": 1, "trials": 2, "final_epochs": 1, "budget": "75s", "part_s": 300,
             "total_s": 1500, "extra": ["debug=smoke"]},
}


def environment() -> dict[str, Any]:
    """GPUs (nvidia-smi), driver, torch and its CUDA, Ultralytics, CPU cores."""
    import torch
    import ultralytics

    gpus = []
    if shutil.which("nvidia-smi"):
        done = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                               "--format=csv,noheader"], capture_output=True, text=True)
        gpus = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return {"gpus": gpus, "gpu_count": torch.cuda.device_count(), "torch": torch.__version__,
            "cuda": torch.version.cuda, "ultralytics": ultralytics.__version__,
            "python": platform.python_version(), "cpu_cores": os.cpu_count()}


class GpuSampler:
    """nvidia-smi every half second while a part runs: utilisation and memory per GPU."""

    def __init__(self) -> None:
        self.samples: list[tuple[int, float, float]] = []  # (gpu, util %, memory MiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            done = subprocess.run(["nvidia-smi", "--query-gpu=index,utilization.gpu,"
                                   "memory.used", "--format=csv,noheader,nounits"],
                                  capture_output=True, text=True)
            for line in done.stdout.splitlines():
                parts = [p.strip() for p in line.split(",")]
                if len(parts) == 3 and all(p.replace(".", "").isdigit() for p in parts):
                    self.samples.append((int(parts[0]), float(parts[1]), float(parts[2])))

    def __enter__(self) -> GpuSampler:
        if shutil.which("nvidia-smi"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def summary(self) -> dict[str, Any] | None:
        if not self.samples:
            return None
        busy = [u for _, u, _ in self.samples]
        return {"samples": len(self.samples),
                "mean_util_pct": round(sum(busy) / len(busy), 1),
                "busy_share": round(sum(u >= 50 for u in busy) / len(busy), 3),
                "peak_memory_mib": max(m for _, _, m in self.samples)}


def sweep_command(settings: dict[str, Any], root: Path, name: str, *overrides: str,
                  timeout: float) -> dict[str, Any]:
    """The real command at the preset's sizes; what it left (summary.json) and took."""
    shapes = settings["shapes"]
    args = [*settings["extra"], "+experiment=yolo11n", "data=shapes", "tracking=[]",
            f"paths.root={root}", f"study.name={name}", f"train.imgsz={settings['imgsz']}",
            f"space.batch.choices=[{settings['batch']}]", f"train.workers={settings['loaders']}",
            f"shapes.train_images={shapes[0]}", f"shapes.val_images={shapes[1]}",
            f"shapes.imgsz={shapes[2]}", f"trial.epochs={settings['epochs']}",
            f"study.n_trials={settings['trials']}", f"final.epochs={settings['final_epochs']}",
            "pruner=none", *overrides]
    env = {**os.environ, "YOLO_OFFLINE": "1", "WANDB_MODE": "disabled",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.time()
    try:
        done = subprocess.run([sys.executable, "-m", "sweep", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "wall_s": round(timeout, 1)}
    wall = time.time() - started
    summary_path = root / name / "summary.json"
    result: dict[str, Any] = {"exit": done.returncode, "wall_s": round(wall, 1)}
    if done.returncode != 0 or not summary_path.exists():
        result["error"] = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [
            "no output"]
        return result
    summary = json.loads(summary_path.read_text())
    search = (summary.get("budget") or {}).get("search_time") or {}
    trials = summary["counts"]["COMPLETE"] + summary["counts"]["PRUNED"]
    result.update(trials=trials, failed=summary["counts"]["FAIL"],
                  search_span_s=search.get("span_s"), outcome=summary.get("outcome"),
                  trials_per_hour=round(trials / search["span_s"] * 3600, 1)
                  if search.get("span_s") else None,
                  latency_ms=(summary.get("best_trial") or {}).get("latency_ms"),
                  budget=summary.get("budget"), finalist_device=(
                      summary.get("finalist") or {}).get("device"))
    return result


def measured(settings: dict[str, Any], root: Path, name: str, *overrides: str,
             timeout: float) -> dict[str, Any]:
    with GpuSampler() as sampler:
        result = sweep_command(settings, root, name, *overrides, timeout=timeout)
    result["gpu"] = sampler.summary()
    return result


def run_parts(settings: dict[str, Any], root: Path, gpus: int) -> dict[str, Any]:
    """Every part in order, each within part_s and the whole within total_s."""
    ends = time.time() + settings["total_s"]
    device, search_only = settings["device"], ["final.enabled=false"]
    parts: dict[str, Any] = {}

    def room(part: str) -> float | None:
        left = ends - time.time()
        if left < 30:
            parts[part] = {"skipped": f"{left:.0f} s left of the check's {settings['total_s']} s"}
            return None
        return min(float(settings["part_s"]), left)

    if (limit := room("one")) is not None:
        parts["one"] = measured(settings, root, "one", f"workers.devices=[{device}]",
                                *search_only, timeout=limit)
    for count in (2, 3):
        if (limit := room(f"shared_{count}")) is not None:
            parts[f"shared_{count}"] = measured(
                settings, root, f"shared-{count}", f"workers.devices=[{device}]",
                f"workers.per_device={count}", *search_only, timeout=limit)
    if gpus < 2:
        parts["multi"] = {"skipped": f"{gpus} GPU(s): one worker per GPU needs 2 or more"}
    elif (limit := room("multi")) is not None:
        parts["multi"] = measured(settings, root, "multi", "workers.devices=auto",
                                  "final.candidates=1", timeout=limit)
    if (limit := room("latency")) is not None:
        parts["latency"] = measured(settings, root, "latency", f"workers.devices=[{device}]",
                                    "latency.measure=true", f"latency.device={device}",
                                    "study.n_trials=1", *search_only, timeout=limit)
    if (limit := room("budget")) is not None:
        parts["budget"] = measured(settings, root, "budget", f"workers.devices=[{device}]",
                                   f"budget={settings['budget']}", "study.n_trials=1000",
                                   timeout=limit)
    return parts


def table(results: dict[str, Any]) -> str:
    """The short table: one line a part, against `one` where that means something."""
    parts, env = results["parts"], results["environment"]
    base = (parts.get("one") or {}).get("trials_per_hour")
    lines = [f"GPU check ({results['mode']}): {', '.join(env['gpus']) or 'no GPU'}; torch "
             f"{env['torch']} (CUDA {env['cuda']}), Ultralytics {env['ultralytics']}", "",
             "| part | trials | failed | trials/h | vs one | GPU util (mean) | GPU busy | "
             "peak GPU MiB | wall s | note |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, part in parts.items():
        if "skipped" in part:
            lines.append(f"| {name} | | | | | | | | | skipped: {part['skipped']} |")
            continue
        gpu = part.get("gpu") or {}
        rate = part.get("trials_per_hour")
        ratio = f"{rate / base:.2f}x" if rate and base else ""
        note = part.get("error") or ""
        if name == "latency" and part.get("latency_ms") is not None:
            note = f"{part['latency_ms']:.3g} ms per image"
        if name == "budget" and part.get("budget"):
            spent = part["budget"]
            note = (f"{spent['spent']['total_s']:.0f} s of {spent['asked_s']:.0f} s "
                    f"({spent['used']:.0%})")
        if name == "multi" and part.get("finalist_device"):
            goal = 0.95 * results["environment"]["gpu_count"]
            note = f"goal {goal:.2f}x; finalist (DDP) on {part['finalist_device']}"
        lines.append(f"| {name} | {part.get('trials', '')} | {part.get('failed', '')} | "
                     f"{rate or ''} | {ratio} | {gpu.get('mean_util_pct', '')} | "
                     f"{gpu.get('busy_share', '')} | {gpu.get('peak_memory_mib', '')} | "
                     f"{part.get('wall_s', '')} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=sorted(PRESETS), default="gpu")
    parser.add_argument("--out", type=Path, default=Path("outputs/bench-gpu"))
    opts = parser.parse_args(argv)
    settings = PRESETS[opts.mode]
    opts.out.mkdir(parents=True, exist_ok=True)
    env = environment()
    gpus = env["gpu_count"]
    results: dict[str, Any] = {"mode": opts.mode, "settings": settings, "environment": env}
    if opts.mode == "gpu" and not gpus:
        results["parts"] = {"all": {"skipped": "no GPU here: --mode tiny checks the harness"}}
    else:
        results["parts"] = run_parts(settings, opts.out / "runs", gpus)
    (opts.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    text = table(results)
    (opts.out / "table.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
