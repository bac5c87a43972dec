"""The finalist: the best configuration at full size, decided by a race of the top trials and
the baseline (or a plain retrain of the best), recorded on the study once.

Owns: full-size trainings after the search. May import: sweep.core, sweep.config, sweep.data,
sweep.study, sweep.run.
"""
