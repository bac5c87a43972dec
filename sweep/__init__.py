"""sweep: hyperparameter sweeps for Ultralytics YOLO, driven by Hydra and Optuna."""

__version__ = "0.1.0"
