"""`python -m sweep.wandb_import SWEEP [the sweep's overrides]`: a W&B sweep's finished runs into
the study that `python -m sweep` with the same overrides opens (sweep.wandb_sweeps.importing),
so that `final.only=true` retrains the best of them. SWEEP: what `wandb sweep` printed, the bare
id, or the sweep page's URL. Runs already in the study are left alone: run it again at will."""

from __future__ import annotations

import sys
from pathlib import Path

from omegaconf import DictConfig

from sweep.cli.entry import choices, hydra_command
from sweep.core.errors import ConfigError
from sweep.wandb_sweeps.sweep_ids import FORMS, parse_sweep

USAGE = "usage: python -m sweep.wandb_import SWEEP [overrides, as for python -m sweep]"


def import_command(sweep_text: str, cfg: DictConfig) -> int:
    from sweep.config.objectives import ONE_METRIC
    from sweep.config.space import to_distributions
    from sweep.config.validate import validate
    from sweep.core.secrets import redact
    from sweep.pipeline.prepare import config_for
    from sweep.study.naming import study_location, study_name
    from sweep.study.open import open_study
    from sweep.wandb_sweeps.importing import import_sweep
    from sweep.wandb_sweeps.reach import NO_KEY, unreachable

    try:
        sweep = parse_sweep(sweep_text)
    except ValueError as err:
        raise ConfigError("SWEEP", sweep_text, f"not {FORMS}",
                          "paste what `wandb sweep` printed, or the sweep page's URL") from err
    validate(cfg)
    if cfg.study.get("objectives"):
        raise ConfigError("study.objectives", list(cfg.study.objectives), ONE_METRIC,
                          "import into the study's single-objective form "
                          "(study.objectives=null), as the W&B sweep ran it")
    why = unreachable()
    if why is not None:
        print(f"error: W&B cannot be asked for sweep {sweep}: {why}. Fix: run it where W&B is "
              "reachable with your key", file=sys.stderr)
        return 2 if why == NO_KEY else 1
    name = study_name(cfg, choices())
    study_dir, url = study_location(cfg, name)
    config = config_for(cfg)
    Path(study_dir).mkdir(parents=True, exist_ok=True)
    study = open_study(config, name, url, to_distributions(config["space"]))
    done = import_sweep(config, study, url, sweep, key="SWEEP")
    print(f"study {name} in {redact(url)}: {done.line(str(sweep))}")
    return 0


def names_a_sweep(text: str) -> bool:
    """Whether the first argument is meant as the sweep (a URL holds `=` in its query too)."""
    try:
        parse_sweep(text)
    except ValueError:
        return text.startswith(("http://", "https://")) or "=" not in text
    return True


def main() -> None:
    args = sys.argv[1:]
    if not args or args[0].startswith("-") or not names_a_sweep(args[0]):
        print(f"error: no W&B sweep given. {USAGE}", file=sys.stderr)
        raise SystemExit(2)
    sweep_text = args[0]
    sys.argv = [sys.argv[0], *args[1:]]
    hydra_command(lambda cfg: import_command(sweep_text, cfg))()


if __name__ == "__main__":
    main()
