"""How often does a race's claimed gain hold? The decision rules simulated, to choose one before
measuring it (scripts/bench_gain.py measures the shipped one on real trainings).

A race: the defaults (true value 0) and `--candidates` searched configurations whose true gains
are drawn from N(shift, spread); every training adds N(0, sigma) (one training's noise, 0.01 to
0.04 measured on the shapes sets). A rule claims a gain or hands over the defaults; a claim is
right when the claimed configuration's true gain is above 0, and it "holds out of sample" when
its mean paired gain over 3 fresh seeds (what scripts/check_gain.py measures) is above 0.

  single     the race's one training each decides (final.confirm=false)
  confirm    the leader trained once more: its mean beats the defaults by more than its two
             trainings differ (final.confirm=true, shipped: one more training)
  both       the leader and the defaults trained twice, means compared against the mean of
             their two differences (two more trainings)

    python scripts/sim_confirm.py
"""

from __future__ import annotations

import argparse

import numpy as np


def simulate(rule: str, sigma: float, shift: float, spread: float, candidates: int,
             n: int, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """(share of races claiming a gain, claims right, claims holding on 3 fresh seeds, mean
    true gain the user gets)."""
    true = rng.normal(shift, spread, (n, candidates))
    first = true + rng.normal(0, sigma, (n, candidates))
    defaults = rng.normal(0, sigma, n)
    lead = first.argmax(1)
    leader_first, leader_true = first[np.arange(n), lead], true[np.arange(n), lead]
    led = leader_first > defaults
    again = leader_true + rng.normal(0, sigma, n)
    if rule == "single":
        claims = led
    elif rule == "confirm":
        claims = led & ((leader_first + again) / 2 - defaults > np.abs(leader_first - again))
    else:
        defaults_again = rng.normal(0, sigma, n)
        noise = (np.abs(leader_first - again) + np.abs(defaults - defaults_again)) / 2
        claims = led & ((leader_first + again) / 2 - (defaults + defaults_again) / 2 > noise)
    fresh = (leader_true[:, None] + rng.normal(0, sigma, (n, 3))
             - rng.normal(0, sigma, (n, 3))).mean(1)
    return (claims.mean(), (leader_true[claims] > 0).mean(), (fresh[claims] > 0).mean(),
            (leader_true * claims).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--races", type=int, default=200_000)
    parser.add_argument("--candidates", type=int, default=2)
    opts = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| noise | true gains | rule | claims | right | hold on 3 fresh seeds | gain got |")
    print("|---|---|---|---|---|---|---|")
    for sigma in (0.01, 0.02, 0.04):
        for shift, spread in ((-0.01, 0.03), (0.0, 0.05), (0.02, 0.03)):
            for rule in ("single", "confirm", "both"):
                claims, right, hold, got = simulate(rule, sigma, shift, spread,
                                                    opts.candidates, opts.races, rng)
                print(f"| {sigma} | N({shift}, {spread}) | {rule} | {claims:.2f} | "
                      f"{right:.3f} | {hold:.3f} | {got:+.4f} |")


if __name__ == "__main__":
    main()
