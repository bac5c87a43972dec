"""Benchmark: how well a trial's low fidelity ranks configurations at full size, and what the
pruner cuts (issue 23, item 3). One sweep in bench_tune's fine-tuning setting (sweep's starter
weights, the held-back shapes set) with no pruning, so that every trial's whole curve exists; a
random sample of its trials (the defaults always among them) is then trained once at full size,
as bench_tune re-validates. Reported: each trial's low-fidelity and full-size value, the rank
correlation between them, the noise of one full-size training (the defaults trained again at
other seeds), and where sweep's pruner, replayed on the recorded curves in the order the trials
ended, would have stopped each trial (policies()) and which race each would have handed over.

    python scripts/bench_rank.py --seed 0 --trials 10 --sample 6
    python scripts/bench_rank.py --seed 0 --sweep-args space=finetune --out bench-rank-ft

Writes results.json and table.md under --out, results after every full-size training.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optuna.pruners import BasePruner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tune_methods  # noqa: E402  (scripts/ is on the path when this file runs)


def sweep_trials(opts: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """Run the sweep, no pruner; every finished trial with its curve, in the order they ended."""
    import optuna
    from optuna.trial import TrialState

    from sweep.core.record import Attr

    name = f"rank-s{opts.seed}"
    tune_methods.sweep_cli(opts, opts.seed, work, name, opts.sampler, "none", opts.trials)
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{work / name / 'study.db'}")
    done = sorted((t for t in study.get_trials() if t.state == TrialState.COMPLETE),
                  key=lambda t: t.datetime_complete)
    return [{"trial": t.number, "params": dict(t.params), "low_fidelity": t.value,
             "baseline": bool(t.user_attrs.get(Attr.BASELINE)),
             "curve": [t.intermediate_values[s] for s in sorted(t.intermediate_values)]}
            for t in done]


def policies() -> dict[str, BasePruner]:
    """sweep's stopping rules, each as the pruner that replays it (conf/config.yaml's patience
    and zero rule, conf/pruner/median.yaml): the median asked every epoch after its own warm-up
    (`pruning.wait_for_stall=false`, what `auto` does from weights), the same from the middle of
    a trial, and Ultralytics' early stop alone (what `wait_for_stall=true` amounts to: the
    pruner is asked when the early stop ends the trial anyway, docs/benchmarks.md)."""
    from omegaconf import OmegaConf

    from sweep.pruning.policy import make_pruner
    from sweep.pruning.stall import StallPruner

    conf = OmegaConf.load(ROOT / "conf" / "config.yaml")
    median = OmegaConf.to_container(OmegaConf.load(ROOT / "conf" / "pruner" / "median.yaml"))
    zero, patience = conf.pruning.zero_is_warmup, int(conf.trial.patience)
    half = int(conf.trial.epochs) // 2

    def every_epoch(pruner: dict[str, Any]) -> BasePruner:  # sweep's own, wait_for_stall=false
        return make_pruner({"pruning": {"wait_for_stall": False, "zero_is_warmup": zero},
                            "trial": {"patience": patience}, "pruner": pruner})

    return {
        "median every epoch": every_epoch(median),
        f"median from epoch {half + 1}": every_epoch({**median, "n_warmup_steps": half}),
        f"early stop ({patience})": StallPruner(None, patience, zero),
    }


def replay_pruning(trials: list[dict[str, Any]], pruner: BasePruner) -> dict[int, int]:
    """The epoch (1-based) at which `pruner` would have stopped each trial, replayed on the
    recorded curves in the order the trials ended; trials it lets finish are absent."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    stopped: dict[int, int] = {}
    for record in trials:
        trial = study.ask()
        for step, value in enumerate(record["curve"]):
            trial.report(value, step)
            if trial.should_prune():
                stopped[record["trial"]] = step + 1
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, max(record["curve"]))
    return stopped


def race_under(trials: list[dict[str, Any]], policy: str, candidates: int) -> dict[str, Any]:
    """What the search would hand the race under a stopping rule: the best `candidates` trials
    it lets finish, by their low-fidelity value (the best epoch before the stop), plus the
    defaults; the finalist is the best of them at full size (where all were trained)."""
    finished = [r for r in trials if not r["pruned_at"].get(policy) and not r["baseline"]]
    finished.sort(key=lambda r: -r["low_fidelity"])
    raced = finished[:candidates] + [r for r in trials if r["baseline"]]
    known = [r for r in raced if r.get("full_size") is not None]
    best = max(known, key=lambda r: r["full_size"]) if known else None
    return {"raced": [r["trial"] for r in raced],
            "finalist": None if best is None else best["trial"],
            "finalist_full_size": None if best is None else best["full_size"],
            "complete": len(known) == len(raced)}


def full_size(opts: argparse.Namespace, work: Path, dataset: Any, label: str,
              params: dict[str, Any], seed: int) -> float:
    run = tune_methods.MethodRun(label, seed, best_params=params)
    tune_methods.revalidate(opts, run, work, dataset)
    return float(run.revalidated_fitness or 0.0)


def correlations(pairs: list[tuple[float, float]]) -> dict[str, float | None]:
    from scipy.stats import kendalltau, spearmanr

    if len(pairs) < 3:
        return {"spearman": None, "kendall": None}
    low, full = zip(*pairs, strict=True)
    return {"spearman": round(float(spearmanr(low, full).statistic), 3),
            "kendall": round(float(kendalltau(low, full).statistic), 3)}


def table(result: dict[str, Any]) -> str:
    names = list(result["policies"])
    lines = ["| trial | params | low fidelity | full size | stopped at epoch: "
             + " / ".join(names) + " |", "|---|---|---|---|---|"]
    for record in sorted(result["trials"], key=lambda r: -(r.get("full_size") or -1.0)):
        params = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                           for k, v in sorted(record["params"].items()))
        full = "-" if record.get("full_size") is None else f"{record['full_size']:.3f}"
        stops = " / ".join(str(record["pruned_at"].get(p) or "-") for p in names)
        lines.append(f"| {record['trial']}{'*' if record['baseline'] else ''} | {params} | "
                     f"{record['low_fidelity']:.3f} | {full} | {stops} |")
    noise = [value for _, value in result["defaults_repeats"]]
    lines += ["", "`*` the baseline (Ultralytics' defaults).", "",
              f"- Rank correlation, low fidelity vs full size, over {result['sampled']} "
              f"trials trained at full size: Spearman {result['spearman']}, "
              f"Kendall {result['kendall']}."]
    if len(noise) > 1:
        lines.append(f"- The defaults at full size, seeds "
                     f"{', '.join(str(s) for s, _ in result['defaults_repeats'])}: "
                     f"{', '.join(f'{v:.3f}' for v in noise)} (spread "
                     f"{max(noise) - min(noise):.3f}: one training's noise).")
    best = result["best_full_size"]
    lines.append(f"- Best at full size: trial {best['trial']} ({best['full_size']:.3f}); the "
                 f"defaults {result['defaults_full_size']:.3f}.")
    for policy, race in result["policies"].items():
        cut = [r for r in result["trials"] if r["pruned_at"].get(policy)]
        trained = ", ".join(f"trial {r['trial']} ({r['full_size']:.3f})" for r in cut
                            if r.get("full_size") is not None)
        finalist = ("-" if race["finalist"] is None else
                    f"trial {race['finalist']} ({race['finalist_full_size']:.3f})"
                    + ("" if race["complete"] else ", not every candidate trained at full size"))
        lines.append(f"- {policy}: stops {len(cut)} of {len(result['trials'])} trials "
                     f"(of those trained at full size: {trained or 'none'}); the race would get "
                     f"trials {', '.join(str(t) for t in race['raced'])}: finalist {finalist}.")
    return "\n".join(lines) + "\n"


def judge(result: dict[str, Any], candidates: int) -> dict[str, Any]:
    """Everything computed from the recorded curves and full-size values: the replayed
    stopping rules, the race each hands over, the correlations."""
    trials = result["trials"]
    rules = policies()
    stops = {policy: replay_pruning(trials, pruner) for policy, pruner in rules.items()}
    for record in trials:
        record["pruned_at"] = {policy: stops[policy].get(record["trial"]) for policy in rules}
    result["policies"] = {policy: race_under(trials, policy, candidates) for policy in rules}
    sampled = [r for r in trials if r.get("full_size") is not None]
    result.update(correlations([(r["low_fidelity"], r["full_size"]) for r in sampled]),
                  sampled=len(sampled))
    if sampled:
        result["best_full_size"] = max(sampled, key=lambda r: r["full_size"])
    result["defaults_full_size"] = next(
        (r.get("full_size") for r in trials if r["baseline"]), None)
    return result


def _write(out: Path, result: dict[str, Any], candidates: int) -> None:
    judge(result, candidates)
    (out / "results.json").write_text(json.dumps(result, indent=2))
    if result["sampled"] and result.get("defaults_full_size") is not None:
        (out / "table.md").write_text(table(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(tune_methods.PRESETS), default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=10, help="sweep trials (no pruning)")
    parser.add_argument("--sampler", default="tpe", help="sweep's sampler= (random: the same "
                        "configurations whatever the stopping rule)")
    parser.add_argument("--sample", type=int, default=6,
                        help="trials trained at full size, the defaults among them")
    parser.add_argument("--repeats", type=int, default=2,
                        help="full-size trainings of the defaults (seeds seed, seed+1, ...)")
    parser.add_argument("--data-seed", type=int, default=7, help="the held-back shapes set")
    parser.add_argument("--sweep-args", nargs="*", default=[], metavar="OVERRIDE")
    parser.add_argument("--reuse", type=Path, nargs="*", default=[], help="results.json files "
                        "of earlier runs (same seed and set): a configuration trained at full "
                        "size there is not trained again (training here is deterministic)")
    parser.add_argument("--judge", type=Path, help="train nothing: recompute the replay, the "
                        "races and table.md from this results.json")
    parser.add_argument("--out", type=Path, required=True)
    opts = parser.parse_args(argv)
    for key, value in tune_methods.PRESETS[opts.mode].items():
        setattr(opts, key, value)
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if opts.judge:
        _write(out, json.loads(opts.judge.read_text()), opts.candidates)
        print((out / "table.md").read_text())
        return 0
    opts.model = tune_methods.starter_model(opts)
    dataset = tune_methods.bench_dataset(opts)
    opts.data = str(dataset.yaml_path)
    started = time.time()
    trials = sweep_trials(opts, out)
    searched = [r for r in trials if not r["baseline"]]
    sample = random.Random(opts.seed).sample(searched, min(len(searched), opts.sample - 1))
    defaults = next(r for r in trials if r["baseline"])
    result: dict[str, Any] = {"seed": opts.seed, "sampler": opts.sampler,
                              "sweep_args": opts.sweep_args, "trials": trials,
                              "defaults_repeats": []}
    earlier = [json.loads(path.read_text()) for path in opts.reuse]
    if any(run["seed"] != opts.seed for run in earlier):
        raise SystemExit(f"--reuse: every run must have --seed {opts.seed}")
    known = {json.dumps(r["params"], sort_keys=True): r["full_size"]
             for run in earlier for r in run["trials"] if r.get("full_size") is not None}
    for record in [defaults, *sample]:
        record["full_size"] = known.get(json.dumps(record["params"], sort_keys=True))
        if record["full_size"] is None:
            record["full_size"] = full_size(opts, out, dataset, f"trial{record['trial']}",
                                            record["params"], opts.seed)
        print(f"trial {record['trial']}: {record['low_fidelity']:.3f} -> "
              f"{record['full_size']:.3f}", flush=True)
        _write(out, result, opts.candidates)
    result["defaults_repeats"] = [(opts.seed, defaults["full_size"])]
    for seed in range(opts.seed + 1, opts.seed + opts.repeats):
        value = full_size(opts, out, dataset, "defaults", defaults["params"], seed)
        result["defaults_repeats"].append((seed, value))
    result["wall_s"] = round(time.time() - started, 1)
    _write(out, result, opts.candidates)
    print((out / "table.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
