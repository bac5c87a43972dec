"""`python -m sweep.dashboard +experiment=yolo11n [the sweep's overrides]`: optuna-dashboard on
the study that the same `python -m sweep` command runs (sweep.review.dashboard_app)."""

from __future__ import annotations

from omegaconf import DictConfig

from sweep.cli.entry import choices, hydra_command


def dashboard(cfg: DictConfig) -> int:
    from sweep.review.dashboard_app import serve

    return serve(cfg, choices())


main = hydra_command(dashboard)

if __name__ == "__main__":
    main()
