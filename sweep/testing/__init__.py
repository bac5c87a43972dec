"""Fakes and helpers the tests and the benchmark scripts share (as `optuna.testing` does for
Optuna): W&B stand-in servers, Ultralytics' loop in miniature, a failing sampler, studies with
given curves, and the real commands run in a subprocess.

Owns: nothing a sweep runs. May import anything of sweep; nothing of sweep imports it.
"""
