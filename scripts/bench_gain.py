"""Does the gain the main command claims hold? The command run with several seeds, each race's
leader checked on training seeds the runs never used (scripts/check_gain.py).

For every seed: `python -m sweep +experiment=yolo11n train.seed=<seed> <overrides>`, then,
when a searched candidate led the defaults in the race, that candidate and the defaults trained
again with --fresh seeds, paired. One run gives both decision rules: the race's one training
each (a lead is a claimed gain: final.confirm=false) and the confirmation (a lead that beats
the defaults by more than its two trainings differ: the default). The table says how often each
rule claims a gain, how often a claim holds out of sample (the paired mean above 0, and its
95% interval above 0), and the pooled paired gain of what the user gets (the defaults' own
seeds count 0). Writes results.json and table.md under --out.

    python scripts/bench_gain.py --seeds 0 1 2 3 4 --out outputs/bench-gain
    python scripts/bench_gain.py --seeds 0 1 2 --out outputs/bench-gain-bccd -- \\
        data=path/to/data.yaml sizes=demo train.imgsz=160
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from check_gain import check, paired  # noqa: E402


def one_seed(seed: int, fresh: list[int], out: Path, overrides: list[str]) -> dict[str, Any]:
    """The main command with `seed`, and its leader checked on `fresh` seeds."""
    root = out / f"seed-{seed}"
    env = {**os.environ, "YOLO_OFFLINE": "1",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "sweep", "+experiment=yolo11n", "tracking=[]",
                           f"train.seed={seed}", f"paths.root={root}", *overrides],
                          cwd=ROOT, env=env, capture_output=True, text=True)  # resumes a run
    if done.returncode != 0:
        raise SystemExit(f"seed {seed}: exit {done.returncode}\n{done.stdout[-2000:]}\n"
                         f"{done.stderr[-2000:]}")
    [summary_path] = [p for p in root.glob("*/summary.json") if p.parent.name != "hydra"]
    summary = json.loads(summary_path.read_text())
    decision = summary["race"]["decision"]
    row: dict[str, Any] = {"seed": seed, "wall_s": round(time.time() - started, 1),
                           "outcome": summary["outcome"], "decision": decision,
                           "repeats": summary["race"]["repeats"]}
    checked = summary_path.parent / "out_of_sample.json"
    if decision["leader"] is not None:
        kept = json.loads(checked.read_text()) if checked.exists() else None
        row["check"] = kept if kept and [r["seed"] for r in kept["per_seed"]] == fresh else \
            check(summary_path.parent, fresh, leader=True)
        checked.write_text(json.dumps(row["check"], indent=2) + "\n")
    return row


def tabulate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Claims per rule, how many hold out of sample, and the pooled gain the user gets."""
    led = [r for r in rows if r["decision"]["leader"] is not None]
    held = [r for r in led if r["decision"]["held"]]

    def holds(subset: list[dict[str, Any]]) -> dict[str, int]:
        return {"claims": len(subset),
                "mean_above_0": sum(r["check"]["mean_gain"] > 0 for r in subset),
                "interval_above_0": sum(bool(r["check"]["holds"]) for r in subset)}

    # what the user gets per seed under each rule: the leader's out-of-sample gain where the
    # rule hands it over, 0 where it hands over the defaults
    def pooled(chosen: list[dict[str, Any]]) -> dict[str, Any] | None:
        gains = [next((r["check"]["mean_gain"] for r in chosen if r is row), 0.0)
                 for row in rows]
        return paired(gains) if gains else None

    return {"runs": len(rows), "one_training_each": holds(led), "confirmed": holds(held),
            "pooled_one_training_each": pooled(led), "pooled_confirmed": pooled(held)}


def table(result: dict[str, Any]) -> str:
    lines = ["| seed | race (first trainings) | leader's repeat | decision | out of sample "
             "(leader - defaults, paired) |", "|---|---|---|---|---|"]
    for row in result["rows"]:
        d, check_ = row["decision"], row.get("check")
        first = ("the defaults led" if d["leader"] is None else
                 f"trial {d['leader']} {d['leader_values'][0]:.4g} vs {d['defaults']:.4g}")
        repeat = (f"{d['leader_values'][1]:.4g} (noise {d['noise']:.2g})"
                  if len(d["leader_values"]) > 1 else "-")
        verdict = ("defaults" if d["leader"] is None else "gain held" if d["held"] else
                   "within the noise: defaults" if d["held"] is False else "unchecked")
        oos = "-" if not check_ else (
            f"{check_['mean_gain']:+.4f} [{check_['interval_95'][0]:+.4f}, "
            f"{check_['interval_95'][1]:+.4f}], above on {check_['above']}/{check_['seeds']}")
        lines.append(f"| {row['seed']} | {first} | {repeat} | {verdict} | {oos} |")
    summary = result["summary"]
    for rule in ("one_training_each", "confirmed"):
        s = summary[rule]
        pooled = summary[f"pooled_{rule}"]
        lines.append("")
        lines.append(f"{rule.replace('_', ' ')}: {s['claims']} claimed gain(s) of "
                     f"{summary['runs']} runs; held out of sample (mean > 0) {s['mean_above_0']}, "
                     f"(95% interval > 0) {s['interval_above_0']}; pooled gain the user gets "
                     f"{pooled['mean_gain']:+.4f}"
                     + (f" [{pooled['interval_95'][0]:+.4f}, {pooled['interval_95'][1]:+.4f}]"
                        if pooled and pooled["interval_95"] else ""))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--fresh", type=int, default=3, help="out-of-sample seeds per check")
    parser.add_argument("--out", type=Path, default=Path("outputs/bench-gain"))
    parser.add_argument("overrides", nargs="*", help="after --: overrides for every run")
    opts = parser.parse_args(argv)
    opts.out.mkdir(parents=True, exist_ok=True)
    fresh = list(range(100, 100 + opts.fresh))
    rows = []
    for seed in opts.seeds:
        rows.append(one_seed(seed, fresh, opts.out, opts.overrides))
        result = {"seeds": opts.seeds, "fresh": fresh, "overrides": opts.overrides,
                  "rows": rows, "summary": tabulate(rows)}
        (opts.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
        (opts.out / "table.md").write_text(table(result))
    print((opts.out / "table.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
