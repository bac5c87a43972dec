"""The study and its storage: its name, the storage that stays correct with several workers,
creating or resuming it, its records, the queries every stage asks of it, when the search
stops, and the one way a trial is closed.

Owns: everything sweep writes to an Optuna study. May import: sweep.core, sweep.config,
sweep.pruning (the pruner a study is created with).
"""
