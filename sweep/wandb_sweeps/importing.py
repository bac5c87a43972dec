"""A W&B sweep's finished runs brought into the study, so that `final.only=true` retrains the best
of the whole W&B sweep, not only of the agent trials this study's storage saw (agents on another
machine, a Kaggle session's own SQLite file, a study lost).

Each finished run of the sweep becomes a trial with the values W&B gave it (`space.<arg>` in its
config, checked against the study's space as an agent checks them), its per-epoch metric (its
history, step = epoch), its end (sweep's own summary `state` when an agent of sweep's ran it,
else W&B's: finished, killed = stopped by W&B, crashed or failed), its W&B run id and URL. A run
the study already holds (by W&B run id: its agent recorded it, or an earlier import did) is left
alone; a run still running is left for a later import; a run whose values are not the space's
is refused with one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from sweep.core.errors import ConfigError
from sweep.core.record import Attr, Stop, worst_value
from sweep.core.record import RunSummary as S
from sweep.study.closing import constraints
from sweep.study.storage import claim_lock
from sweep.wandb_sweeps.export import PARAM_PREFIX
from sweep.wandb_sweeps.reach import unreachable
from sweep.wandb_sweeps.sweep_ids import SweepPath, parse_sweep
from sweep.wandb_sweeps.values import trial_params

if TYPE_CHECKING:
    from rich.console import Console

    from sweep.config.plan import Plan

LABEL = "wandb-import"
RUNNING = ("running", "pending", "preempting", "preempted")
# sweep's own summary `state` (sweep.tracking.wandb.mirror): how the trial ended
SWEEP_STATES = {S.COMPLETE: TrialState.COMPLETE, S.PRUNED: TrialState.PRUNED,
                S.FAILED: TrialState.FAIL, S.OUT_OF_MEMORY: TrialState.COMPLETE}
# W&B's run states, for runs another program made
WANDB_STATES = {"finished": TrialState.COMPLETE, "killed": TrialState.PRUNED,
                "crashed": TrialState.FAIL, "failed": TrialState.FAIL}


@dataclass
class Imported:
    """What an import did: trials added, runs already in the study, runs still running, and a
    line for each run refused."""

    added: list[int] = field(default_factory=list)
    known: int = 0
    running: int = 0
    refused: list[str] = field(default_factory=list)

    def line(self, sweep: str) -> str:
        return (f"W&B sweep {sweep}: {len(self.added)} run(s) imported as trials "
                f"{', '.join(map(str, self.added)) or '-'}; {self.known} already in the study, "
                f"{self.running} still running, {len(self.refused)} refused")


def fetch_runs(sweep: SweepPath, key: str, timeout: float = 30.0) -> list[Any]:
    """The sweep's runs through W&B's public API (wandb.Api); a sweep W&B does not know (a
    typo, another project) is a ConfigError on `key`, the setting that named it."""
    import wandb

    try:
        found = wandb.Api(timeout=int(timeout)).sweep(str(sweep))
    except (ValueError, wandb.errors.CommError) as err:  # Sweep.load's, as wandb wraps it
        if "could not find sweep" not in str(err).lower():
            raise
        where = f"{sweep.entity or '(your default entity)'}/{sweep.project}"
        raise ConfigError(key, str(sweep), f"W&B has no sweep {sweep.id} in {where}",
                          "copy the id or URL from the sweep's page; a bare id is looked up "
                          "in tracking.wandb.entity/tracking.wandb.project") from None
    return list(found.runs)


def _curve(run: Any, metric: str) -> dict[int, float]:
    """The run's metric per step (sweep logs one step per epoch)."""
    rows = run.history(keys=[metric], pandas=False, samples=100_000)
    return {int(row["_step"]): float(row[metric]) for row in rows
            if isinstance(row.get(metric), int | float) and not isinstance(row[metric], bool)}


def trial_of_run(run: Any, sweep: SweepPath, distributions: Mapping[str, BaseDistribution],
                 metric: str, direction: str,
                 held_to: Callable[[bool, dict[str, Any]], dict[str, float]]) -> FrozenTrial:
    """The trial a finished run stands for, with the constraints `held_to` gives it (from
    whether it ran out of memory and its attributes); ConfigError when its values are not the
    space's."""
    config = dict(run.config)
    values = {key.removeprefix(PARAM_PREFIX): value for key, value in config.items()
              if key.startswith(PARAM_PREFIX)}
    params = trial_params(distributions, values)
    curve = _curve(run, metric)
    summary = dict(run.summary)
    ours = summary.get(S.STATE) in SWEEP_STATES
    state = SWEEP_STATES[summary[S.STATE]] if ours else WANDB_STATES[str(run.state)]
    final = summary.get(metric)
    value: float | None = None
    out_of_memory = ours and summary[S.STATE] == S.OUT_OF_MEMORY
    if out_of_memory:
        value = worst_value(direction)
    elif state == TrialState.COMPLETE:
        if isinstance(final, int | float) and not isinstance(final, bool):
            value = float(final)
        else:
            state = TrialState.FAIL  # finished without the metric: nothing to rank
    elif state == TrialState.PRUNED and curve:
        value = curve[max(curve)]
    stop = summary.get(S.STOP_REASON) if ours else None
    stop = stop or {TrialState.COMPLETE: Stop.COMPLETED, TrialState.PRUNED: Stop.STOPPED_BY_WANDB,
                    TrialState.FAIL: Stop.FAILED}[state]
    attrs: dict[str, Any] = {Attr.WORKER: LABEL, Attr.WANDB_RUN_ID: str(run.id),
                             Attr.WANDB_URL: str(run.url), Attr.WANDB_SWEEP_ID: sweep.id,
                             Attr.STOP_REASON: stop, Attr.EPOCHS_RUN: len(curve)}
    latency = summary.get(S.LATENCY_MS)
    if state == TrialState.COMPLETE and isinstance(latency, int | float) \
            and not isinstance(latency, bool):
        attrs[Attr.LATENCY_MS] = float(latency)
    if state == TrialState.FAIL or out_of_memory:
        attrs[Attr.FAIL_REASON] = str(summary.get(S.FAIL_REASON) or
                                      f"W&B run {run.state} without {metric}")
    return optuna.trial.create_trial(
        state=state, value=value, params=params, distributions=dict(distributions),
        user_attrs=attrs, intermediate_values=curve, constraints=held_to(out_of_memory, attrs))


def import_runs(study: optuna.Study, storage_url: str, sweep: SweepPath,
                distributions: Mapping[str, BaseDistribution], metric: str, direction: str,
                runs: list[Any], say: Callable[[str], None] = print) -> Imported:
    """Add each finished run the study does not hold yet; under the study's claim lock, so two
    imports at once add a run once."""
    done = Imported()
    with claim_lock(storage_url, study.study_name):
        known = {t.user_attrs.get(Attr.WANDB_RUN_ID) for t in study.get_trials(deepcopy=False)}
        for run in runs:
            if str(run.id) in known:
                done.known += 1
                continue
            if str(run.state) in RUNNING or str(run.state) not in WANDB_STATES:
                done.running += 1
                continue
            try:
                trial = trial_of_run(run, sweep, distributions, metric, direction,
                                     lambda oom, attrs: constraints(study, oom, attrs))
            except ConfigError as err:
                line = f"W&B run {run.id} refused: {err}"
                done.refused.append(line)
                say(line)
                continue
            study.add_trial(trial)
            done.added += [t.number for t in study.get_trials(deepcopy=False)
                           if t.user_attrs.get(Attr.WANDB_RUN_ID) == str(run.id)]
            known.add(str(run.id))
    return done


def import_sweep(config: Mapping[str, Any], study: optuna.Study, storage_url: str,
                 sweep: SweepPath, say: Callable[[str], None] = print,
                 key: str = "tracking.wandb.sweep") -> Imported:
    """The sweep's finished runs into `study` (the sweep's own `config`: space, metric); `key`
    names the setting that gave the sweep, for the error when W&B does not know it."""
    from sweep.config.space import to_distributions

    settings = (config.get("tracking") or {}).get("wandb") or {}
    sweep = sweep.known(settings.get("entity"), settings.get("project"))
    runs = fetch_runs(sweep, key)
    return import_runs(study, storage_url, sweep, to_distributions(config["space"]),
                       config["study"]["metric"], config["study"]["direction"], runs, say)


def import_wandb_sweep(plan: Plan, study: optuna.Study, console: Console) -> None:
    """final.only=true with tracking.wandb.sweep=<id>: the W&B sweep's finished runs join the
    study first when W&B answers, so the best of the whole sweep is retrained; otherwise one
    line says the study's own trials decide."""
    settings = (plan.config.get("tracking") or {}).get("wandb") or {}
    chosen = settings.get("sweep")
    if chosen in (None, "auto") or settings.get("mode") == "disabled":
        return
    sweep = parse_sweep(str(chosen))
    why = unreachable()
    if why is not None:
        console.print(f"W&B sweep {sweep} not imported: {why}; the study's own trials decide "
                      "(python -m sweep.wandb_import imports it later)", style="yellow",
                      markup=False, soft_wrap=True)
        return
    done = import_sweep(plan.config, study, plan.storage_url, sweep,
                        lambda line: console.print(line, style="yellow", markup=False,
                                                   soft_wrap=True))
    console.print(done.line(str(sweep)), markup=False, soft_wrap=True)
