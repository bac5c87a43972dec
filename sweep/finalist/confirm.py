"""A lead told from one training's noise.

One training is one draw: the same configuration trained with another seed moves by as much as
tuning gains, and the best of several candidates trained once is the luckiest draw among them.
So a searched candidate that beats Ultralytics' defaults in the race is trained once more with a
fresh training seed (`final.confirm`: one more full-size training, only when a searched candidate
leads). How far its two trainings lie apart is one training's noise on this data, measured where
the user runs; the candidate becomes the finalist only when the mean of its two trainings beats
the defaults by more than that. Otherwise the defaults are the finalist. Measured in
docs/benchmarks.md ("Is a claimed gain real?").
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import Attr
from sweep.study.queries import best_of, feasible_complete

REPEAT_SEED_OFFSET = 1  # the repeat trains with train.seed + this: a seed the race never used


@dataclass(frozen=True)
class Verdict:
    """The race decided: whose weights are the finalist and, when a searched candidate led the
    defaults, whether its lead held against one training's noise."""

    winner: FrozenTrial                      # the race trial whose weights are the finalist
    leader: FrozenTrial | None = None        # a searched candidate that led the defaults
    defaults: float | None = None            # the defaults' full-size value
    leader_values: tuple[float, ...] = ()    # the leader's full-size values, first draw first
    noise: float | None = None               # how far the leader's two trainings lie apart
    margin: float | None = None              # the leader's mean minus the defaults
    held: bool | None = None                 # None: not checked (no repeat finished)

    def record(self) -> dict[str, Any]:
        """summary.json's `race.decision`."""
        return {
            "winner": self.winner.user_attrs.get(Attr.CANDIDATE_OF),
            "winner_race_trial": self.winner.number,
            "leader": None if self.leader is None else self.leader.user_attrs[Attr.CANDIDATE_OF],
            "defaults": self.defaults,
            "leader_values": list(self.leader_values),
            "leader_mean": round(fmean(self.leader_values), 5) if self.leader_values else None,
            "margin": None if self.margin is None else round(self.margin, 5),
            "noise": None if self.noise is None else round(self.noise, 5),
            "held": self.held,
        }


def _first_draws(race: optuna.Study) -> list[FrozenTrial]:
    """The candidates' own trainings (not repeats), finished within the constraints."""
    return [t for t in feasible_complete(race)
            if Attr.CANDIDATE_OF in t.user_attrs and Attr.REPEAT_OF not in t.user_attrs]


def leader(race: optuna.Study) -> FrozenTrial | None:
    """The searched candidate whose first training beat the defaults' (None when the defaults
    lead, did not finish or were not raced, or in a multi-objective race)."""
    if len(race.directions) > 1:
        return None
    draws = _first_draws(race)
    defaults = [t for t in draws if t.user_attrs.get(Attr.BASELINE)]
    if not draws or not defaults:
        return None
    best = best_of(draws, maximizes(race))
    return None if best.user_attrs.get(Attr.BASELINE) else best


def repeats_of(race: optuna.Study, trial: FrozenTrial) -> list[FrozenTrial]:
    """Every repeat of a race trial, whatever its state."""
    return [t for t in race.get_trials(deepcopy=False)
            if t.user_attrs.get(Attr.REPEAT_OF) == trial.number]


def repeat_attrs(lead: FrozenTrial, seed: int) -> dict[str, Any]:
    """What a repeat of `lead` is enqueued with: the candidate it is, the trial it repeats and
    its fresh training seed."""
    return {Attr.CANDIDATE_OF: lead.user_attrs[Attr.CANDIDATE_OF],
            Attr.LOW_FIDELITY: lead.user_attrs.get(Attr.LOW_FIDELITY),
            Attr.BASELINE: False, Attr.REPEAT_OF: lead.number,
            Attr.TRAINING_SEED: seed + REPEAT_SEED_OFFSET}


def decide(race: optuna.Study) -> Verdict | None:
    """Whose weights are the finalist: the best first training, unless it is a searched
    candidate whose repeat finished and whose mean over both does not beat the defaults by
    more than its two trainings differ (then the defaults). None when nothing finished."""
    draws = _first_draws(race)
    if not draws:
        return None
    maximize = maximizes(race)
    lead = leader(race)
    if lead is None:
        return Verdict(winner=best_of(draws, maximize))
    base = next(t for t in draws if t.user_attrs.get(Attr.BASELINE))
    defaults = float(value_of(base))  # type: ignore[arg-type]
    done = [t for t in feasible_complete(race) if t.user_attrs.get(Attr.REPEAT_OF) == lead.number]
    if not done:
        return Verdict(winner=lead, leader=lead, defaults=defaults,
                       leader_values=(float(value_of(lead)),))  # type: ignore[arg-type]
    again = done[0]
    values = (float(value_of(lead)), float(value_of(again)))  # type: ignore[arg-type]
    noise = abs(values[0] - values[1])
    margin = fmean(values) - defaults
    held = (margin if maximize else -margin) > noise
    winner = best_of([lead, again], maximize) if held else base
    return Verdict(winner=winner, leader=lead, defaults=defaults, leader_values=values,
                   noise=noise, margin=margin, held=held)
