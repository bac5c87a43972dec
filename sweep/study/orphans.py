"""Trials whose worker process is gone: found by host, pid and the process's start time (the
journal storage has no heartbeats), and closed through the one door."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from sweep.core.events import Callbacks
from sweep.core.liveness import is_alive_here
from sweep.core.record import Attr, Stop
from sweep.study.closing import CLOSED_ELSEWHERE, close_dead_trial, close_out_of_memory


def close_orphans(study: optuna.Study, pid: int | None = None, out_of_memory: bool = False,
                  interrupted: bool = False, callbacks: Callbacks | None = None) -> int:
    """Close RUNNING trials of this host whose worker process is gone (optionally: this pid;
    `out_of_memory`: the kernel's OOM killer ended it, infeasible and not retried;
    `interrupted`: Ctrl-C stopped the run).

    Never touches a trial whose (pid, start time) is alive, nor one from another host (those
    are left to heartbeats).
    """
    closed = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        attrs = trial.user_attrs
        if pid is not None and attrs.get(Attr.PID) != pid:
            continue
        if is_alive_here(attrs) is False:
            where = f"worker process {attrs.get(Attr.PID)} on {attrs.get(Attr.HOST)}"
            if out_of_memory:
                try:
                    close_out_of_memory(study, trial, f"{where} was killed by the kernel's OOM "
                                        "killer", callbacks=callbacks)
                except CLOSED_ELSEWHERE:
                    continue
                closed += 1
            elif interrupted:
                closed += close_dead_trial(study, trial, "interrupted (Ctrl-C)",
                                           Stop.INTERRUPTED, callbacks)
            else:
                closed += close_dead_trial(study, trial, f"{where} died during the trial",
                                           callbacks=callbacks)
    return closed
