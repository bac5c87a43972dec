"""Reviewing a sweep: summary.json, best.yaml, the terminal's last lines, report.md with its
plots, the study's note, the files kept in Optuna's artifact store, and the dashboard.

Everything here runs after the fact (a trial closed, the finalist trained, the run ended) and
reads the study's own records; a failure is a warning, never a failed sweep. Owns: what a user
reads. May import: sweep.core, sweep.config, sweep.study; never sweep.run or sweep.finalist.
"""
