"""The floor every stage stands on: the trial record's names, results.csv and metric names,
number formatting, the error users see, the events trackers follow, Optuna's private API, and
facts about this process (liveness, a full disk).

Owns: what more than one stage reads or writes. May import: nothing else of sweep (the event
loader names tracker modules by string, as a plugin registry does).
"""
