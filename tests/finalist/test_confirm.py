"""A lead told from one training's noise: which race trial's weights are the finalist."""

from __future__ import annotations

import optuna
import pytest

from sweep.finalist.confirm import decide, leader, repeat_attrs, repeats_of


def _race(rows: list[tuple[int, bool, float | None]], repeat: float | None = None,
          direction: str = "maximize") -> optuna.Study:
    """A race whose candidates (search trial, baseline, full-size value) finished; `repeat`:
    the leader's second training, when it ran."""
    race = optuna.create_study(direction=direction)
    for source, baseline, value in rows:
        race.enqueue_trial({}, user_attrs={"candidate_of": source, "low_fidelity": 0.1,
                                           "baseline": baseline})
        trial = race.ask()
        if value is None:
            race.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            race.tell(trial, value)
    lead = leader(race)
    if repeat is not None and lead is not None:
        race.enqueue_trial({}, user_attrs=repeat_attrs(lead, seed=0))
        race.tell(race.ask(), repeat)
    return race


@pytest.mark.parametrize(("rows", "repeat", "winner", "held", "noise"), [
    # the defaults lead: they are the finalist, nothing to confirm
    ([(3, False, 0.70), (0, True, 0.75)], None, 0, None, None),
    # a lead, confirmed: mean 0.80 beats 0.75 by 0.05, the two trainings differ by 0.02
    ([(3, False, 0.81), (0, True, 0.75)], 0.79, 3, True, 0.02),
    # the better of the leader's two trainings is handed over (its repeat's weights)
    ([(3, False, 0.79), (0, True, 0.75)], 0.81, 3, True, 0.02),
    # a lucky first draw: mean 0.76 beats 0.75 by 0.01, the trainings differ by 0.1
    ([(3, False, 0.81), (0, True, 0.75)], 0.71, 0, False, 0.1),
    # a margin equal to the noise is not larger than it
    ([(3, False, 0.80), (0, True, 0.70)], 0.72, 0, False, 0.08),
    # no repeat finished: the first training decides, unchecked
    ([(3, False, 0.81), (0, True, 0.75)], None, 3, None, None),
    # the defaults did not finish: nothing to confirm against
    ([(3, False, 0.81), (5, False, 0.7), (0, True, None)], None, 3, None, None),
])
def test_the_finalist_is_a_lead_larger_than_one_trainings_noise(
        rows: list[tuple[int, bool, float | None]], repeat: float | None, winner: int,
        held: bool | None, noise: float | None) -> None:
    race = _race(rows, repeat)
    verdict = decide(race)
    assert verdict is not None
    record = verdict.record()
    assert record["winner"] == winner and record["held"] is held
    assert record["noise"] == (None if noise is None else pytest.approx(noise))
    if repeat is not None and held is not None:
        values = [v for s, _, v in rows if s == 3] + [repeat]
        assert record["leader_values"] == values
        assert record["margin"] == pytest.approx(sum(values) / 2 - rows[1][2])
        # handed over: the leader's better training, or the defaults' own
        assert verdict.winner.value == (max(values) if held else rows[1][2])


def test_a_repeat_is_planned_once_with_a_fresh_seed_and_no_pruning_of_its_own() -> None:
    race = _race([(3, False, 0.81), (0, True, 0.75)])
    lead = leader(race)
    assert lead is not None and lead.user_attrs["candidate_of"] == 3
    attrs = repeat_attrs(lead, seed=7)
    assert attrs["training_seed"] == 8 and attrs["repeat_of"] == lead.number
    assert not attrs["baseline"] and attrs["candidate_of"] == 3
    race.enqueue_trial({}, user_attrs=attrs)
    assert [t.number for t in repeats_of(race, lead)] == [2]
    race.tell(race.ask(), 0.99)  # a repeat above every first training still never leads
    assert leader(race).number == lead.number  # type: ignore[union-attr]


def test_a_lower_value_leads_when_the_metric_is_minimized() -> None:
    race = _race([(3, False, 0.20), (0, True, 0.30)], repeat=0.22, direction="minimize")
    record = decide(race).record()  # type: ignore[union-attr]
    assert record["winner"] == 3 and record["held"] is True
    assert record["margin"] == pytest.approx(-0.09) and record["noise"] == pytest.approx(0.02)


def test_a_race_where_nothing_finished_has_no_verdict() -> None:
    assert decide(_race([(3, False, None), (0, True, None)])) is None
