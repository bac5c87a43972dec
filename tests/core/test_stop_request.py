"""A stop asked for from another thread ends the training at its next batch, only inside one."""

from __future__ import annotations

import threading

import pytest

from sweep.core import stop_request


def test_a_stop_asked_during_training_ends_it_at_the_next_batch_with_its_reason() -> None:
    with stop_request.stoppable():
        stop_request.end_if_asked(object())  # nothing asked: the batch goes on
        asker = threading.Thread(target=stop_request.ask, args=("stopped from its W&B run page",))
        asker.start()
        asker.join()
        with pytest.raises(stop_request.StopTrial, match="stopped from its W&B run page"):
            stop_request.end_if_asked(object())
    with stop_request.stoppable():  # the next trial starts with nothing asked
        stop_request.end_if_asked(object())


def test_a_stop_asked_outside_a_training_is_forgotten() -> None:
    stop_request.ask("stopped from its W&B run page")  # the trial it was meant for has ended
    with stop_request.stoppable():
        stop_request.end_if_asked(object())
