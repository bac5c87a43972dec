"""When the search stops: study.n_trials reached, workers.max_failures in this run, the
deadline (study.timeout), or a budget that cannot hold another trial and the finale. Asked
by every worker before a trial and by the supervisor."""

from __future__ import annotations

import time

import optuna
from optuna.trial import TrialState

from sweep.config.plan import Plan
from sweep.core.record import Attr, SearchStop
from sweep.study.budget_plan import another_trial_fits


def stop_reason(study: optuna.Study, plan: Plan) -> str | None:
    """Why no further trial should start, or None."""
    cfg = plan.config
    trials = study.get_trials(deepcopy=False)  # one read: this runs under the claim lock
    taken = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    counted = [t for t in trials if t.state in taken and not t.user_attrs.get(Attr.NOT_TRAINED)]
    if len(counted) >= cfg["study"]["n_trials"]:
        return SearchStop.N_TRIALS
    failures = sum(t.state == TrialState.FAIL and t.user_attrs.get(Attr.RUN_ID) == plan.run_id
                   for t in trials)
    if failures >= cfg["workers"]["max_failures"]:
        return SearchStop.MAX_FAILURES
    if plan.deadline is not None and time.time() >= plan.deadline:
        return SearchStop.TIMEOUT
    if plan.budget and not plan.race_of and not another_trial_fits(
            trials, cfg, plan.budget, plan.run_id, time.time()):
        return SearchStop.BUDGET
    return None
