"""Does a finished run's gain hold? Its finalist and Ultralytics' defaults, each trained again at
full size with training seeds the run never used, paired by seed.

One training is one draw, and a finalist picked as the best of several trainings is biased
upward: retraining it with the run's own seed reproduces that draw, it does not test it. This
trains the finalist's configuration and the defaults it raced (both as the race trained them:
final.* sizes, the run's data and weights) once per fresh seed, and reports each seed's gain,
their mean and a 95% interval (Student's t over the paired gains). Writes
<study dir>/out_of_sample.json.

    python scripts/check_gain.py outputs/<study>               # 3 fresh seeds
    python scripts/check_gain.py outputs/<study> --seeds 5 --first-seed 200
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import statistics
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("YOLO_VERBOSE", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.config.plan import Plan  # noqa: E402
from sweep.data import datasets  # noqa: E402
from sweep.finalist.confirm import REPEAT_SEED_OFFSET  # noqa: E402
from sweep.finalist.retrain import train_finalist  # noqa: E402

RESULT = "out_of_sample.json"


def paired(gains: list[float]) -> dict[str, Any]:
    """Mean paired gain and its 95% interval (Student's t; None below two seeds), and how many
    seeds the finalist was above the defaults on."""
    from scipy.stats import t

    mean = statistics.fmean(gains)
    if len(gains) < 2:
        low = high = None
    else:
        half = float(t.ppf(0.975, len(gains) - 1)) * statistics.stdev(gains) / math.sqrt(
            len(gains))
        low, high = mean - half, mean + half
    return {"seeds": len(gains), "mean_gain": round(mean, 5),
            "interval_95": None if low is None else [round(low, 5), round(high, 5)],
            "above": sum(g > 0 for g in gains),
            "holds": bool(low is not None and low > 0)}


def what_to_check(study_dir: Path, leader: bool = False
                  ) -> tuple[Plan, dict[str, Any], dict[str, Any], int]:
    """The search's plan, the finalist's (or with `leader` the race's leader's, whether its lead
    held or not) and the defaults' parameters as they raced, and the trial they came from;
    exits with the reason when there is nothing to compare."""
    summary_path = study_dir / "summary.json"
    if not summary_path.exists():
        raise SystemExit(f"{summary_path} not found: give a finished run's study folder "
                         "(outputs/<study name>)")
    summary = json.loads(summary_path.read_text())
    finalist, race = summary.get("finalist"), summary.get("race") or {}
    defaults = next((c for c in race.get("candidates", []) if c["baseline"]), None)
    if not finalist or defaults is None:
        raise SystemExit("this run did not race its finalist against Ultralytics' defaults "
                         "(final.candidates > 1 and study.baseline=true do): nothing to compare")
    plans = sorted(study_dir.glob("plan-*.json"), key=lambda p: p.stat().st_mtime)
    if not plans:
        raise SystemExit(f"no plan-*.json in {study_dir}: the run's plan is needed to train "
                         "as it did")
    chosen = (finalist["params"], finalist["source_trial"])
    lead = (race.get("decision") or {}).get("leader")
    if leader and lead is not None:
        chosen = (next(c["params"] for c in race["candidates"] if c["trial"] == lead), lead)
    return Plan.load(plans[-1]), chosen[0], defaults["params"], chosen[1]


def check(study_dir: Path, seeds: list[int], out: Path | None = None,
          leader: bool = False) -> dict[str, Any]:
    plan, finalist, defaults, source = what_to_check(study_dir, leader)
    used = int(plan.config["train"]["seed"])
    if set(seeds) & {used, used + REPEAT_SEED_OFFSET}:
        raise SystemExit(f"seeds {used} and {used + REPEAT_SEED_OFFSET} trained the run: "
                         "choose others (--first-seed)")
    result: dict[str, Any] = {"study_dir": str(study_dir), "finalist_trial": source,
                              "finalist_params": finalist, "defaults_params": defaults,
                              "per_seed": []}
    if finalist == defaults:
        result["note"] = "the finalist is Ultralytics' defaults: no gain was claimed"
        print(result["note"])
        return result
    dataset = datasets.load_dataset(Path(plan.data_yaml))
    out = out or study_dir / "out-of-sample"
    for seed in seeds:
        config = copy.deepcopy(plan.config)
        config["train"]["seed"] = seed
        values = {}
        for which, params in (("finalist", finalist), ("defaults", defaults)):
            record = train_finalist(config, dataset, plan.model_for(params),
                                    out / f"seed-{seed}-{which}", dict(params), None)
            values[which] = record["value"]
        gain = values["finalist"] - values["defaults"]
        result["per_seed"].append({"seed": seed, **values, "gain": round(gain, 5)})
        print(f"seed {seed}: finalist {values['finalist']:.4g}, defaults "
              f"{values['defaults']:.4g}, gain {gain:+.4g}", flush=True)
    result.update(paired([row["gain"] for row in result["per_seed"]]))
    interval = result["interval_95"]
    print(f"mean paired gain {result['mean_gain']:+.4g} over {len(seeds)} fresh seeds"
          + (f", 95% interval [{interval[0]:+.4g}, {interval[1]:+.4g}]" if interval else "")
          + f"; above the defaults on {result['above']} of {len(seeds)}: "
          + ("the gain holds" if result["holds"] else "not shown to hold"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("study_dir", type=Path, help="a finished run's folder: outputs/<study>")
    parser.add_argument("--seeds", type=int, default=3, help="fresh training seeds (3)")
    parser.add_argument("--leader", action="store_true",
                        help="check the race's leader (a searched candidate that beat the "
                             "defaults' first training) even when its lead did not hold")
    parser.add_argument("--first-seed", type=int, default=100,
                        help="the first of them (100: the run trains with train.seed, its "
                             "leader's repeat with train.seed + 1)")
    opts = parser.parse_args(argv)
    if opts.seeds < 1:
        parser.error("--seeds must be at least 1")
    seeds = list(range(opts.first_seed, opts.first_seed + opts.seeds))
    result = check(opts.study_dir, seeds, leader=opts.leader)
    (opts.study_dir / RESULT).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {opts.study_dir / RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
