"""Running trials on devices: one Ultralytics training, the devices a sweep may use, one
low-fidelity trial, claiming and closing trials in a worker, the worker process, and the
supervisor that keeps one worker per device running with a live view.

Owns: processes and trainings. May import: sweep.core, sweep.config, sweep.data, sweep.study,
sweep.pruning; never the review or a tracker (they hear the events sweep.core.events fires).
"""
