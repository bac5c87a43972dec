"""Configuration: where conf/ is, validating the composed config, the search space (its ranges
relative to Ultralytics' defaults resolved for the data), the baseline's values, `model=`, and
the plan (the config resolved once, which every process reads).

Owns: turning a Hydra config into something that can run, or one ConfigError. May import:
sweep.core.
"""
