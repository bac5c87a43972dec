"""What a sweep leaves behind: best.yaml, summary.json, and a table in the terminal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import optuna
import yaml
from optuna.trial import TrialState
from rich.console import Console
from rich.table import Table

from sweep.finalist import best_trial, feasible_complete
from sweep.memory import memory_report
from sweep.storage import redact, strip_password
from sweep.study import counts


def rerun_command(best_yaml: Path) -> str:
    return f"python -m sweep --config-path {best_yaml.parent} --config-name {best_yaml.stem}"


def race_lines(race: dict[str, Any]) -> list[str]:
    """The race, one line per candidate, then the rank correlation."""
    lines = []
    for c in race["candidates"]:
        full = "-" if c["full_size"] is None else f"{c['full_size']:.4g}"
        lines.append(f"trial {c['trial']}{' (baseline)' if c['baseline'] else ''}: "
                     f"low fidelity {c['low_fidelity']:.4g} (rank "
                     f"{_fmt(c.get('low_fidelity_rank', '-'))}), full size {full} (rank "
                     f"{_fmt(c.get('full_size_rank', '-'))}), {c['epochs_run']} epochs, "
                     f"{c['stop_reason']}")
    correlation = race["rank_correlation"]
    lines.append("rank correlation (Spearman) low fidelity vs full size: " + (
        f"{correlation:.3g}" if correlation is not None
        else "undefined (needs 3 finished candidates whose values differ)"))
    return lines


def write_best_yaml(path: Path, config: dict[str, Any], study_name: str, storage_url: str,
                    params: dict[str, Any], race: dict[str, Any] | None = None) -> None:
    """The finalist's full configuration, best parameters fixed, runnable on its own.

    It names the same study (so its finalist is recorded beside the sweep) and sets
    final.only=true with final.params, so running it retrains without searching. A database
    password is left out: psycopg takes it from PGPASSWORD or ~/.pgpass.
    """
    best = json.loads(json.dumps(config))  # a deep, plain copy
    best["study"]["name"] = study_name
    best["study"]["storage"] = strip_password(storage_url)
    best["final"].update({"enabled": True, "only": True, "params": params})
    best["hydra"] = {"run": {"dir": str(Path(config["paths"]["root"]) / "hydra" /
                                        "${now:%Y-%m-%d}" / "${now:%H-%M-%S}")},
                     "job": {"chdir": False}, "output_subdir": None}
    header = (f"# Best configuration of study {study_name}. Retrain the finalist with:\n"
              f"#   {rerun_command(path)}\n")
    if race:
        header += "# Chosen by a full-size race of the search's top candidates:\n"
        header += "".join(f"#   {line}\n" for line in race_lines(race))
    if best["study"]["storage"] != storage_url:
        header += ("# The database password is not stored here: set PGPASSWORD (or ~/.pgpass), "
                   "or pass study.storage='${oc.env:SWEEP_STORAGE}' with the URL in "
                   "SWEEP_STORAGE.\n")
    path.write_text(header + yaml.safe_dump(best, sort_keys=False))


def _baseline(study: optuna.Study) -> dict[str, Any] | None:
    """The baseline trial (Ultralytics' defaults, study.baseline) as it ended, if it has."""
    for trial in study.get_trials(deepcopy=False):
        if trial.user_attrs.get("baseline") and trial.state.is_finished():
            value = trial.value if trial.state == TrialState.COMPLETE else None
            return {"number": trial.number, "state": trial.state.name, "value": value}
    return None


def ranking_warnings(study: optuna.Study, config: dict[str, Any]) -> list[str]:
    """Sentences for the user when the completed trials cannot be told apart (half or more
    share one value, such as 0.0), with the fix."""
    complete = feasible_complete(study)
    if len(complete) < 2:
        return []
    value, count = Counter(round(float(t.value or 0.0), 4) for t in complete).most_common(1)[0]
    if count * 2 < len(complete):
        return []
    tied = [t for t in complete if round(float(t.value or 0.0), 4) == value]
    best = best_trial(study)
    sentence = (f"{count} of {len(complete)} completed trials share {config['study']['metric']} "
                f"{value:g} (trials {', '.join(str(t.number) for t in tied)}), so they cannot "
                "be ranked against each other")
    if best is not None and best.number in {t.number for t in tied}:
        sentence += f"; the best trial (#{best.number}) was picked among them"
    if any(t.user_attrs.get("baseline") for t in tied):
        sentence += "; the baseline (Ultralytics' defaults) is one of them"
    trial = config["trial"]
    return [f"{sentence}. Give trials more to learn from: raise trial.epochs (now "
            f"{trial['epochs']}) or trial.fraction (now {trial['fraction']}), or start from "
            "pretrained weights (model=yolo11n.pt)."]


def _full_size_gain(race: dict[str, Any] | None) -> float | None:
    """The race winner's full-size value minus the baseline's (Ultralytics' defaults)."""
    if not race:
        return None
    values = [c["full_size"] for c in race["candidates"] if c["full_size"] is not None]
    base = next((c["full_size"] for c in race["candidates"] if c["baseline"]), None)
    if not values or base is None:
        return None
    return round(max(values) - base, 5)


def summary(study: optuna.Study, storage_url: str, finalist: dict[str, Any] | None,
            best_yaml: Path | None, stopped_by: str | None,
            artifacts: Path | None = None, warnings: list[str] | None = None,
            race: dict[str, Any] | None = None) -> dict[str, Any]:
    best = best_trial(study)
    baseline = _baseline(study)
    reasons = Counter(str(t.user_attrs["stop_reason"]) for t in study.get_trials(deepcopy=False)
                      if "stop_reason" in t.user_attrs)
    return {
        "study_name": study.study_name,
        "storage": redact(storage_url),
        "counts": counts(study),
        "stop_reasons": dict(reasons.most_common()),
        "stopped_by": stopped_by,
        "best_trial": None if best is None else {
            "number": best.number, "params": best.params, "value": best.value,
            "run_dir": best.user_attrs.get("run_dir"),
        },
        "baseline": baseline,
        "gain_over_baseline": (None if best is None or baseline is None or
                               baseline["value"] is None else best.value - baseline["value"]),
        "finalist": finalist,
        "race": race,
        "gain_over_defaults_at_full_size": _full_size_gain(race),
        "best_yaml": str(best_yaml) if best_yaml else None,
        "rerun_command": rerun_command(best_yaml) if best_yaml else None,
        "memory": memory_report(study),
        "artifacts": str(artifacts) if artifacts else None,
        "warnings": list(warnings or []),
    }


def write_summary(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def print_report(console: Console, study: optuna.Study, data: dict[str, Any], study_dir: Path,
                 top: int = 5) -> None:
    """Top trials, best parameters and where everything is."""
    trials = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    reverse = study.direction == optuna.study.StudyDirection.MAXIMIZE
    trials.sort(key=lambda t: t.value if t.value is not None else 0.0, reverse=reverse)
    table = Table(title=f"top trials of {study.study_name}")
    for column in ("trial", "value", "epochs", "stop", "params"):
        table.add_column(column)
    for t in trials[:top]:
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in t.params.items())
        table.add_row(str(t.number), _fmt(t.value), str(t.user_attrs.get("epochs_run", "")),
                      str(t.user_attrs.get("stop_reason", "")), params)
    console.print(table)
    c = data["counts"]
    console.print(f"trials: {c['COMPLETE']} complete, {c['PRUNED']} pruned, {c['FAIL']} failed, "
                  f"{c['RUNNING']} running")
    memory = data.get("memory")
    if memory:
        asked = ", ".join(f"{m['trial']} (batch {m.get('batch')}, imgsz {m.get('imgsz')})"
                          for m in memory["out_of_memory"])
        console.print(f"[yellow]out of memory (infeasible, steered away from): trials {asked}; "
                      f"{memory['not_trained']} larger proposal(s) closed untrained; "
                      f"largest batch that fit: {memory['largest_batch_that_fit']}")
    for warning in data.get("warnings") or []:
        console.print(f"warning: {warning}", style="yellow", markup=False, soft_wrap=True)
    if data["best_trial"]:
        best = data["best_trial"]
        console.print(f"best trial {best['number']}: value {_fmt(best['value'])}  "
                      f"params {best['params']}")
    race = data.get("race")
    if race:
        console.print("race of the top candidates at full size:")
        for line in race_lines(race):
            console.print(f"  {line}", markup=False, soft_wrap=True)
        if data.get("gain_over_defaults_at_full_size") is not None:
            console.print(f"  finalist over the defaults at full size: "
                          f"{data['gain_over_defaults_at_full_size']:+.4g}")
    finalist = data.get("finalist")
    if finalist:
        console.print(f"finalist: {finalist['metrics']}  weights {finalist['weights']}")
    console.print(f"results:  {study_dir}")
    console.print(f"summary:  {study_dir / 'summary.json'}")
    console.print(f"report:   {study_dir / 'report.md'}  (plots in {study_dir / 'report'})")
    if data.get("best_yaml"):
        console.print(f"best:     {data['best_yaml']}")
        console.print(f"retrain:  {data['rerun_command']}")
    console.print(f"storage:  {data['storage']}")
    console.print("review:   python -m sweep.dashboard <this command's overrides>  (optuna-"
                  f"dashboard on 127.0.0.1 with the artifacts in {data['artifacts']})")
