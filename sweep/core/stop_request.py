"""A stop asked for from outside the training while a trial trains: "Stop run" on the trial's
W&B run page (wandb's stop checker calls the run's `stop_fn` from its own thread). The asker
records why; the training ends at its next batch (training or validation), raising `StopTrial`
from Ultralytics' own batch callbacks, and the trial closes pruned with that reason, never
trained again (as it does for a W&B agent's SIGTERM, whose handler raises StopTrial itself).

No signal carries the request: wandb's default, a Ctrl-C to the main thread, does nothing in a
process whose SIGINT is ignored (one started with `&` or by a parent that ignores it), and it
could not be told from the user's own Ctrl-C. Outside a training nothing is asked: the trial
the request was meant for has already ended."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_training = threading.Event()
_reasons: list[str] = []


class StopTrial(BaseException):
    """The trial must end now, recorded as pruned with the message as its stop reason.

    A BaseException, as KeyboardInterrupt is: no `except Exception` on the way (a tracker's
    guard, Ultralytics' own) may swallow it."""


# Ultralytics' events at which a training looks for a stop asked for (the validator shares the
# trainer's callbacks), so that one ends within a batch, validation included.
BATCH_EVENTS = ("on_train_batch_end", "on_val_batch_end")


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """Around a trial's training: the part a stop asked for may end."""
    _reasons.clear()
    _training.set()
    try:
        yield
    finally:
        _training.clear()
        _reasons.clear()


def ask(reason: str) -> None:
    """Stop the training under way for `reason` (from any thread); nothing outside one."""
    if _training.is_set():
        _reasons.append(reason)


def end_if_asked(*_: Any) -> None:
    """An Ultralytics batch callback (BATCH_EVENTS): raise StopTrial when a stop was asked."""
    if _reasons:
        raise StopTrial(_reasons[-1])
