"""Sentences a user reads in several places (the terminal, best.yaml, the note, report.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sweep.core.record import BudgetRecord, FinalistRecord, RaceRecord
from sweep.core.text import fmt, fmt_args, fmt_seconds


def rerun_command(best_yaml: Path) -> str:
    return f"python -m sweep --config-path {best_yaml.parent} --config-name {best_yaml.stem}"


def pareto_lines(pareto: dict[str, Any]) -> list[str]:
    """The front at full size, one line per member with its weights (best.yaml, the terminal,
    the note): pick the one whose latency fits the target."""
    metric, speed = pareto["objectives"]
    return [f"trial {m['trial']}{' (the defaults)' if m['baseline'] else ''}: {metric} "
            f"{m[metric]:.4g}, {speed} {m[speed]:.3g}, weights {m.get('weights', '-')}, params "
            + fmt_args(m["params"])
            for m in pareto["full_size"]]


def race_lines(race: RaceRecord) -> list[str]:
    """The race, one line per candidate, then the rank correlation."""
    lines = []
    for c in race["candidates"]:
        full = "-" if c["full_size"] is None else f"{c['full_size']:.4g}"
        lines.append(f"trial {c['trial']}{' (baseline)' if c['baseline'] else ''}: "
                     f"low fidelity {c['low_fidelity']:.4g} (rank "
                     f"{fmt(c.get('low_fidelity_rank', '-'), 'None')}), full size {full} (rank "
                     f"{fmt(c.get('full_size_rank', '-'), 'None')}), {c['epochs_run']} epochs, "
                     f"{c['stop_reason']}")
    for r in race.get("repeats") or []:
        full = "-" if r["full_size"] is None else f"{r['full_size']:.4g}"
        lines.append(f"trial {r['trial']} again with a fresh seed ({r['seed']}): full size "
                     f"{full}, {r['epochs_run']} epochs, {r['state'].lower()}")
    decision = race.get("decision") or {}
    if decision.get("held") is not None:
        lines.append(f"trial {decision['leader']}'s lead over the defaults: "
                     f"{decision['margin']:+.4g} (mean of two trainings "
                     f"{decision['leader_mean']:.4g} vs {decision['defaults']:.4g}) against one "
                     f"training's noise {decision['noise']:.2g}: "
                     + ("it holds" if decision["held"] else "within the noise, the defaults win"))
    correlation = race["rank_correlation"]
    lines.append("rank correlation (Spearman) low fidelity vs full size: " + (
        f"{correlation:.3g}" if correlation is not None
        else "undefined (needs 3 finished candidates whose values differ)"))
    return lines


def stopped_early_line(report: dict[str, Any]) -> str:
    """What the pruner and Ultralytics' early stop saved (summary.json `stopped_early`)."""
    share = report["epochs_saved"] / max(report["epochs_planned"], 1)
    return (f"stopped early: {report['pruned']} of {report['trials']} trials pruned "
            f"({report['saved_by_pruner']} epochs saved), {report['early_stopped']} by "
            f"Ultralytics' early stop ({report['saved_by_early_stop']}); "
            f"{report['epochs_saved']} of {report['epochs_planned']} trial epochs not trained "
            f"({share:.0%})")


def budget_line(budget: BudgetRecord | None) -> str | None:
    """The budget's account (summary.json `budget`): spent per phase against what was asked,
    and what gave way; None without a budget."""
    if not budget or not budget.get("asked_s"):
        return None
    spent, finale = budget["spent"], budget.get("finale")
    line = (f"budget {budget['asked']}: {fmt_seconds(spent['total_s'])} spent of "
            f"{fmt_seconds(budget['asked_s'])} ({budget['used']:.0%}): start "
            f"{fmt_seconds(spent['start_s'])}, search {fmt_seconds(spent['search_s'])}, "
            f"race and finalist {fmt_seconds(spent['finale_s'])}")
    if finale:
        what = f"a race of {finale['trainings']}" if finale["race"] else "a retrain"
        repeat = " and a leader's repeat" if finale["race"] and finale.get("confirm") else ""
        line += f" ({what} x {finale['epochs']} epochs{repeat})"
    if budget.get("shrunk"):
        line += "; gave way: " + "; ".join(budget["shrunk"])
    return line


def outcome(finalist: FinalistRecord | None, race: RaceRecord | None, metric: str,
            maximize: bool = True, baseline_trial: int | None = None,
            no_race: str | None = None) -> str | None:
    """The run's result at full size, said first wherever a user reads it: the finalist against
    Ultralytics' defaults when both raced, else the finalist alone (None: no finalist). A gain
    at low fidelity is never the result: short trials can rank configurations wrongly."""
    if not finalist:
        return None
    source = finalist.get("source_trial")
    done = [c for c in (race["candidates"] if race else []) if c["full_size"] is not None]
    base = next((c for c in done if c["baseline"]), None)
    winner = next((c for c in done if c["trial"] == source), None)
    decision = (race.get("decision") if race else None) or {}
    if base is not None and winner is not None:
        if decision.get("held") is False:  # a searched lead within one training's noise
            return (f"no configuration beat Ultralytics' defaults by more than one training's "
                    f"noise ({decision['noise']:.2g}): the finalist is the defaults (trial "
                    f"{source}, {metric} {base['full_size']:.4g}; trial {decision['leader']} "
                    f"{decision['leader_mean']:.4g} over two trainings)")
        if winner is base:
            return ("no configuration beat Ultralytics' defaults at full size: the finalist is "
                    f"the defaults (trial {source}, {metric} {base['full_size']:.4g})")
        if decision.get("held"):
            return (f"finalist: trial {source}, {decision['margin']:+.4g} {metric} over "
                    f"Ultralytics' defaults at full size ({decision['leader_mean']:.4g} vs "
                    f"{decision['defaults']:.4g}; one training moves these by about "
                    f"{decision['noise']:.2g} here)")
        won, defaults = winner["full_size"], base["full_size"]
        assert won is not None and defaults is not None  # `done` holds finished ones only
        gain = won - defaults
        unchecked = "; one training each, not told from its noise" if decision else ""
        versus = f"({won:.4g} vs {defaults:.4g}{unchecked})"
        if (gain > 0) == maximize and gain != 0:
            return (f"finalist: trial {source}, {gain:+.4g} {metric} over Ultralytics' defaults "
                    f"at full size {versus}")
        return ("no configuration beat Ultralytics' defaults at full size: the finalist, trial "
                f"{source}, ties them {versus}")
    who = f"trial {source}" if source is not None else "final.params"
    value = finalist.get("value")
    at = f"{metric} {value:.4g}" if isinstance(value, float) else f"{metric} {value}"
    if source is not None and source == baseline_trial:
        return (f"finalist: {who}, Ultralytics' defaults (the best trial at low fidelity), "
                f"{at} at full size")
    why = ("Ultralytics' defaults did not finish the race" if race else
           f"not compared with Ultralytics' defaults at full size: {no_race}" if no_race else
           "not compared with Ultralytics' defaults at full size: final.candidates > 1 races them")
    return f"finalist: {who}, {at} at full size ({why})"


def _dominates(member: dict[str, Any], other: dict[str, Any], names: list[str],
               directions: list[str]) -> bool:
    """Whether `member` is at least as good as `other` on every objective and better on one."""
    signs = [1.0 if way == "maximize" else -1.0 for way in directions]
    mine = [sign * member[name] for sign, name in zip(signs, names, strict=True)]
    theirs = [sign * other[name] for sign, name in zip(signs, names, strict=True)]
    return all(a >= b for a, b in zip(mine, theirs, strict=True)) and mine != theirs


def pareto_outcome(pareto: dict[str, Any], race: RaceRecord | None) -> str:
    """A multi-objective run's result, said first: the front at full size (at low fidelity
    when no race finished), each member's metric and latency, and where Ultralytics' defaults
    stand against it."""
    names, directions = pareto["objectives"], pareto["directions"]
    metric, speed = names
    members, where = pareto["full_size"], "at full size"
    if not members:
        members, where = pareto["low_fidelity"], "at low fidelity (no race finished)"
    if not members:
        return "no trial completed within the study's constraints: there is no Pareto front"
    listed = "; ".join(f"trial {m['trial']}{' (the defaults)' if m['baseline'] else ''} "
                       f"{metric} {m[metric]:.4g} at {m[speed]:.3g} ms" for m in members)
    line = f"Pareto front {where}, {len(members)} member(s): {listed}"
    bases = [c for c in (race["candidates"] if race else []) if c["baseline"]
             and c["full_size"] is not None and c.get("latency_ms") is not None]
    if not bases or not pareto["full_size"]:
        return line
    standings = []
    for base in bases:
        mark = {metric: base["full_size"], speed: base["latency_ms"]}
        better = next((m for m in members if _dominates(m, mark, names, directions)), None)
        on_front = any(m["trial"] == base["trial"] for m in members)
        standing = ("on the front" if on_front else f"dominated by trial {better['trial']}"
                    if better else "outside the study's constraints")
        # several: the defaults at each searched model and image size (the grid)
        grid_point = ", ".join(f"{k} {base['params'][k]}" for k in ("model", "imgsz")
                               if len(bases) > 1 and k in base.get("params", {}))
        standings.append(f"{'at ' + grid_point + ' ' if grid_point else ''}({metric} "
                         f"{base['full_size']:.4g} at {base['latency_ms']:.3g} ms) are {standing}")
    return line + "; Ultralytics' defaults " + "; ".join(standings)
