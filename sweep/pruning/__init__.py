"""Pruning: the Ultralytics epoch callback that reports each epoch to Optuna and stops a pruned
training, the StallPruner (patience as Ultralytics means it), and when the pruner is asked.

Owns: the decision to stop a trial early. May import: sweep.core.
"""
