"""A stop asked for from outside the process while a trial trains: "Stop run" on the trial's W&B
run page. wandb's stop checker calls the run's `stop_fn` from its own thread (in place of its
default, a Ctrl-C to the main thread); the asker records why and then interrupts the main
thread as wandb would, and the trial, catching that interrupt, finds the reason here: a stop
asked for ends the trial (pruned, never trained again), an interrupt without one stays a Ctrl-C
(failed, queued again once). Outside a training nothing is interrupted: the trial it was
meant for has already ended."""

from __future__ import annotations

import _thread
import contextlib
import threading
from collections.abc import Iterator

_training = threading.Event()
_reasons: list[str] = []


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """Around a trial's training: the part a stop asked for may interrupt."""
    _reasons.clear()
    _training.set()
    try:
        yield
    finally:
        _training.clear()


def ask(reason: str) -> None:
    """Stop the training under way for `reason` (from any thread); nothing outside one."""
    if _training.is_set():
        _reasons.append(reason)
        _thread.interrupt_main()


def asked() -> str | None:
    """Why the training was stopped from outside, when it was (and it is forgotten)."""
    reason = _reasons[-1] if _reasons else None
    _reasons.clear()
    return reason
