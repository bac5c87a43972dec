"""Where sweep's Hydra configs are, however sweep was installed.

The repository keeps them in `conf/` at its top, where users read and edit them; a built wheel
carries the same files as `sweep/conf` (pyproject maps the one onto the other). An installed
package finds its own copy; a checkout (editable install, or `PYTHONPATH=.`) finds `conf/`.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

CONFIG_NAME = "config"


def startup_trials(n_trials: int) -> int:
    """Random start-up trials before a model-based sampler (TPE, GP) takes over: a quarter of
    the budget, at least 2 (the baseline and one random draw) and at most Optuna's own 10.
    With 6 trials, TPE's former 4 left it 2 proposals, the same draws as random sampling; 2
    start-up trials found a better trial on 2 of 3 seeds (docs/benchmarks.md)."""
    return min(10, max(2, int(n_trials) // 4))


def register_resolvers() -> None:
    """The `${startup_trials:...}` interpolation conf/sampler/*.yaml uses."""
    if not OmegaConf.has_resolver("startup_trials"):
        OmegaConf.register_new_resolver("startup_trials", startup_trials)


def config_dir() -> Path:
    """The folder holding `config.yaml` and the config groups."""
    package = Path(__file__).resolve().parents[1]  # sweep/
    for candidate in (package / "conf", package.parent / "conf"):
        if (candidate / f"{CONFIG_NAME}.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"sweep's configs are missing: neither {package / 'conf'} nor "
                            f"{package.parent / 'conf'} holds {CONFIG_NAME}.yaml; reinstall sweep")
