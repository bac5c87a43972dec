"""sweep: hyperparameter sweeps for Ultralytics YOLO, driven by Hydra and Optuna."""

__version__ = "0.1.0"

from sweep.config.locate import register_resolvers  # noqa: E402  (before any config resolves)

register_resolvers()
