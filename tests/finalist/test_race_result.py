"""The race's outcome: ranks and their correlation."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState


def test_race_summary_ranks_candidates_and_correlates_the_rankings() -> None:
    from sweep.finalist.race_result import race_summary

    race = optuna.create_study(direction="maximize")
    # (source trial, low-fidelity value, full-size value, baseline)
    for source, low, full, baseline in [(3, 0.40, 0.70, False), (5, 0.30, 0.80, False),
                                        (0, 0.00, 0.85, True), (7, 0.35, None, False)]:
        race.enqueue_trial({}, user_attrs={"candidate_of": source, "low_fidelity": low,
                                           "baseline": baseline})
        trial = race.ask()
        trial.set_user_attr("epochs_run", 16 if full is not None else 5)
        if full is None:
            trial.report(0.1, 0)
            race.tell(trial, state=TrialState.PRUNED)
        else:
            race.tell(trial, full)
    summary = race_summary(race)
    rows = {c["trial"]: c for c in summary["candidates"]}
    assert rows[0]["baseline"] and rows[0]["full_size_rank"] == 1.0
    assert rows[0]["low_fidelity_rank"] == 3.0 and rows[3]["low_fidelity_rank"] == 1.0
    assert rows[7]["full_size"] is None and "full_size_rank" not in rows[7]  # stopped early
    assert summary["rank_correlation"] == -1.0  # the cheap trials ranked them backwards
