"""A live view of the whole sweep in the terminal: per-device counts, best so far, elapsed, ETA."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import optuna
from optuna.trial import FrozenTrial
from rich.console import Group
from rich.table import Table
from rich.text import Text

from sweep.core.optuna_api import value_of
from sweep.core.record import Attr
from sweep.core.text import fmt_seconds
from sweep.study.queries import best_trial, finished_trials


def render(study: optuna.Study, trials: Sequence[FrozenTrial], n_trials: int | None,
           started: float, run_id: str, workers: int, budget_line: str | None = None) -> Group:
    """One frame of the study's `trials`: a table of trials by worker and state, then best
    value, elapsed and ETA (or, with a budget, `budget_line`: no count to reach; `n_trials`
    None)."""
    per_worker: dict[str, Counter[str]] = {}
    for trial in trials:
        label = str(trial.user_attrs.get(Attr.WORKER, "-"))
        per_worker.setdefault(label, Counter())[trial.state.name] += 1
    table = Table(title=f"study {study.study_name}", expand=False)
    for column in ("worker", "complete", "pruned", "failed", "running"):
        table.add_column(column, justify="right" if column != "worker" else "left")
    for label in sorted(per_worker):
        c = per_worker[label]
        table.add_row(label, str(c["COMPLETE"]), str(c["PRUNED"]), str(c["FAIL"]),
                      str(c["RUNNING"]))
    finished = finished_trials(trials)
    this_run = [t for t in finished if t.user_attrs.get(Attr.RUN_ID) == run_id]
    elapsed = time.time() - started
    leader = best_trial(study)
    best = f"{value_of(leader):.4f} (trial {leader.number})" if leader else "-"
    if n_trials is None:
        return Group(table, Text(f"finished {len(finished)}   best {best}   elapsed "
                                 f"{fmt_seconds(elapsed)}   workers {workers}"),
                     Text(budget_line or ""))
    remaining = max(0, n_trials - len(finished))
    eta = (elapsed / len(this_run) * remaining) if this_run else None
    line = Text(f"finished {len(finished)}/{n_trials}   best {best}   "
                f"elapsed {fmt_seconds(elapsed)}   eta {fmt_seconds(eta if remaining else 0)}"
                f"   workers {workers}")
    return Group(table, line, *([Text(budget_line)] if budget_line else []))
