"""Claiming the next trial: under the study's claim lock, tidy up dead trials, check whether the
search is over, ask the sampler, and close untrained what cannot fit in memory."""

from __future__ import annotations

import optuna

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.events import Callbacks
from sweep.core.liveness import identity
from sweep.core.optuna_api import ask_new
from sweep.core.record import Attr
from sweep.study.closing import close_half_asked, close_out_of_memory
from sweep.study.memory import asked_for, known_not_to_fit
from sweep.study.orphans import close_orphans
from sweep.study.stopping import stop_reason
from sweep.study.storage import claim_lock

MAX_UNFIT_PROPOSALS = 50  # proposals closed untrained in a row before one is trained anyway


class SamplerFailed(RuntimeError):
    """The sampler raised while proposing a trial (its trial is closed as FAIL already)."""


def claim_next(study: optuna.Study, plan: Plan, label: str,
               callbacks: Callbacks | None = None) -> optuna.Trial | None:
    """Under the study's claim lock: tidy up dead trials, check the budget, ask for a trial."""
    with claim_lock(plan.storage_url, plan.study_name):
        optuna.storages.fail_stale_trials(study)
        close_orphans(study, callbacks=callbacks)
        if stop_reason(study, plan) is not None:
            return None
        for _ in range(MAX_UNFIT_PROPOSALS):
            trial, asked = ask_trial(study, plan, label, callbacks)
            unfit = known_not_to_fit(study, asked)
            if unfit is None:
                return trial
            # Recorded (the sampler learns from it) but not trained, and not counted in
            # study.n_trials: it could only run out of memory again.
            done = unfit.user_attrs.get(Attr.ASKED, {})
            close_out_of_memory(study, trial,
                                f"not trained: batch {asked['batch']} at imgsz {asked['imgsz']} "
                                f"cannot fit, trial {unfit.number} ran out of memory with batch "
                                f"{done.get('batch')} at imgsz {done.get('imgsz')}",
                                attrs={Attr.NOT_TRAINED: True}, callbacks=callbacks)
        return ask_trial(study, plan, label, callbacks)[0]  # the sampler insists: train it


def ask_trial(study: optuna.Study, plan: Plan, label: str, callbacks: Callbacks | None = None,
              queued: bool = True) -> tuple[optuna.Trial, dict[str, object]]:
    """A new trial, tagged with who runs it and the batch and image size it asks for; the next
    queued one first unless `queued` is false (a W&B agent's: W&B chose its values)."""
    distributions = to_distributions(plan.config["space"])
    try:
        trial = (study.ask(fixed_distributions=distributions) if queued
                 else ask_new(study, distributions))
    except Exception as err:  # the sampler failed after Optuna created the trial's row
        why = f"asking the sampler failed: {type(err).__name__}: {err}"
        close_half_asked(study, why, callbacks)
        raise SamplerFailed(why) from err
    asked = asked_for(trial.params, plan.config["train"])
    for key, value in {**identity(), Attr.RUN_ID: plan.run_id, Attr.WORKER: label,
                       Attr.ASKED: asked}.items():
        trial.set_user_attr(key, value)
    return trial, asked
