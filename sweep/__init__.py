"""sweep: hyperparameter sweeps for Ultralytics YOLO, driven by Hydra and Optuna."""

__version__ = "0.1.0"

from sweep.configs import register_resolvers  # noqa: E402  (before any config is resolved)

register_resolvers()
