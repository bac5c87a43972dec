"""Out of memory is a constraint, not a failure.

A trial that runs out of memory (CUDA OOM, a CPU allocation that fails, or its worker killed by
the kernel's OOM killer) says something about its arguments: that batch at that image size does
not fit. It is closed as COMPLETE with the worst value and the constraint OOM_CONSTRAINT > 0
(sweep.study.closing.close_out_of_memory), through Optuna's constraint support
(`Trial.set_constraint`), so TPE, GP and NSGA-II steer away
from that region and `study.best_trial` never picks it; it is not retried with the same values.
Every other finished trial gets the constraint at 0, since GP needs it on all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.core.record import OOM_CONSTRAINT, Attr

_OOM_MESSAGES = ("out of memory", "can't allocate memory", "cannot allocate memory")
# The kernel's count of OOM kills in this cgroup: v2, then v1.
_OOM_COUNTERS = (Path("/sys/fs/cgroup/memory.events"),
                 Path("/sys/fs/cgroup/memory/memory.oom_control"))


def is_out_of_memory(err: BaseException) -> bool:
    """CUDA OOM (torch.OutOfMemoryError), or a CPU allocation that failed."""
    if isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError":
        return True
    text = str(err).lower()
    return any(message in text for message in _OOM_MESSAGES)


def oom_kill_count(counters: tuple[Path, ...] = _OOM_COUNTERS) -> int | None:
    """How many processes the kernel's OOM killer has killed in this cgroup, or None if unknown.

    A worker that died by SIGKILL while this count rose was most likely killed for memory.
    """
    for path in counters:
        try:
            for line in path.read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


def asked_for(params: dict[str, Any], train: dict[str, Any]) -> dict[str, Any]:
    """The batch and image size a trial asked for (searched, else fixed, else Ultralytics')."""
    from ultralytics.cfg import DEFAULT_CFG_DICT

    return {key: params.get(key, train.get(key, DEFAULT_CFG_DICT.get(key)))
            for key in ("batch", "imgsz")}


def known_not_to_fit(study: optuna.Study,
                     asked: dict[str, Any]) -> optuna.trial.FrozenTrial | None:
    """A trial that ran out of memory asking for no more than `asked` (batch and imgsz), or None.

    Memory grows with batch and image size, so `asked` cannot fit either: training it would only
    run out of memory again. (A sampler's steering is a tendency: TPE still proposes such values
    now and then.) Only whole-number batches compare; AutoBatch (-1, fractions) never does.
    """
    batch, imgsz = asked.get("batch"), asked.get("imgsz")
    if not isinstance(batch, int) or batch < 1 or not isinstance(imgsz, int):
        return None
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if trial.constraints.get(OOM_CONSTRAINT, 0.0) <= 0:
            continue
        done = trial.user_attrs.get(Attr.ASKED, {})
        if (isinstance(done.get("batch"), int) and isinstance(done.get("imgsz"), int)
                and 1 <= done["batch"] <= batch and done["imgsz"] <= imgsz):
            return trial
    return None


def memory_report(study: optuna.Study) -> dict[str, Any] | None:
    """For summary.json and the report: the trials that ran out of memory and the largest batch
    that fit; None when no trial ran out of memory."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))
    oom = [t for t in trials if t.constraints.get(OOM_CONSTRAINT, 0.0) > 0]
    if not oom:
        return None
    numbers = {t.number for t in oom}
    fit = [t.user_attrs.get(Attr.ASKED, {}).get("batch") for t in trials
           if t.number not in numbers]
    fit = [b for b in fit if isinstance(b, int | float)]
    return {
        "out_of_memory": [{"trial": t.number, **t.user_attrs.get(Attr.ASKED, {})} for t in oom
                          if not t.user_attrs.get(Attr.NOT_TRAINED)],
        "not_trained": sum(bool(t.user_attrs.get(Attr.NOT_TRAINED)) for t in oom),
        "largest_batch_that_fit": max(fit) if fit else None,
    }
