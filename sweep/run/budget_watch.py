"""The budget in the live view: spent and left per phase, the plan said once this run has
measured an epoch, and a budget refused there when it cannot hold a trial and the finalist."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from optuna.trial import FrozenTrial
from rich.console import Console

from sweep.config.plan import Plan
from sweep.core.errors import ConfigError
from sweep.core.record import Budget
from sweep.core.text import fmt_seconds
from sweep.study.budget_plan import Outlook, judged, outlook, too_small
from sweep.study.queries import finished_trials


class BudgetWatch:
    """Read by the supervisor's live view once a second."""

    def __init__(self, plan: Plan, console: Console, started: float) -> None:
        self.plan, self.console, self.started = plan, console, started
        self.said = False  # the plan, said once

    def line(self, trials: Sequence[FrozenTrial]) -> str | None:
        """The budget's line from the study's `trials` (the frame's own read); raises
        ConfigError (`budget`) when the run's first measured epochs say the budget cannot hold
        one trial and the finalist (the study is kept)."""
        budget = self.plan.budget
        if not budget:
            return None
        config, run_id, now = self.plan.config, self.plan.run_id, time.time()
        searching = not self.plan.race_of
        if searching and not self.said and judged(trials, run_id):
            refused = too_small(trials, config, budget, run_id)
            if refused:
                raise ConfigError("budget", budget["asked"], *refused)
            seen = outlook(trials, config, budget, run_id, now)
            if seen is not None:
                self.console.print(plan_line(seen, budget, now), markup=False, soft_wrap=True)
                self.said = True
                budget["planned"] = planned(seen, budget)  # summary.json keeps it
        return live_line(trials, config, budget, run_id, now,
                         "search" if searching else "race", self.started)


def planned(seen: Outlook, budget: Budget) -> dict[str, Any]:
    """The plan as first measured, per phase, in seconds from the command's start."""
    started = float(budget["started"])
    return {"search_until_s": round(seen.search_end - started, 1),
            "finale": seen.finale.words if seen.finale else None,
            "finale_s": round(seen.finale.seconds, 1) if seen.finale else 0.0,
            "end_s": round(seen.end - started, 1), "trial_s": round(seen.trial_s, 1),
            "trial_epoch_s": round(seen.costs.trial_epoch_s, 2),
            "full_epoch_s": round(seen.costs.full_epoch_s, 2)}


def plan_line(seen: Outlook, budget: Budget, now: float) -> str:
    """The plan once measured, said once: what an epoch costs and when each phase ends."""
    started = float(budget["started"])
    costs = seen.costs
    finale = seen.finale.words if seen.finale else "no finalist"
    return (f"budget {fmt_seconds(budget['seconds'])}: an epoch {costs.trial_epoch_s:.1f} s in "
            f"a trial (measured), {costs.full_epoch_s:.1f} s at full size (from the data); "
            f"a trial {fmt_seconds(seen.trial_s)}; kept back: {finale} "
            f"({fmt_seconds(seen.finale.seconds if seen.finale else 0)}); predicted: search "
            f"until {fmt_seconds(seen.search_end - started)}, end at "
            f"{fmt_seconds(seen.end - started)} (now {fmt_seconds(now - started)})")


def live_line(trials: Sequence[FrozenTrial], config: dict[str, Any], budget: Budget,
              run_id: str, now: float, phase: str, phase_started: float) -> str:
    """The live view's budget line: spent and left, and in the search the predicted end."""
    started, seconds = float(budget["started"]), float(budget["seconds"])
    left = max(0.0, started + seconds - now)
    line = (f"budget {fmt_seconds(seconds)}: spent {fmt_seconds(now - started)} ({phase} "
            f"{fmt_seconds(now - phase_started)}), left {fmt_seconds(left)}")
    finished = len(finished_trials(trials)) if budget.get("capped") else None
    seen = outlook(trials, config, budget, run_id, now, finished) if phase == "search" else None
    if seen is not None:
        kept = (f"{seen.finale.words}, {fmt_seconds(seen.finale.seconds)}" if seen.finale
                else "none")
        line += (f"; kept back for the finale: {kept}; predicted end "
                 f"{fmt_seconds(seen.end - started)}")
    return line
