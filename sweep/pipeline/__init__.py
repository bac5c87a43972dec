"""The pipeline, start to end: prepare (everything that can refuse the run, resolved once into
the plan), search (the workers until the study is done), the finalist, and what the run leaves.

Owns: the order of the stages. May import every stage below it; nothing imports it but the
commands (and an agent trial, which is prepared as the main command is).
"""
