"""Events: a failing hook is warned about once and the others still run."""

from __future__ import annotations

import logging

import pytest

from sweep.core.events import Callbacks


def test_a_failing_tracker_is_warned_about_once_and_the_others_still_run(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[int] = []

    def broken(epoch: int) -> None:
        raise ConnectionError("no route to W&B")

    callbacks = Callbacks()
    callbacks.add("on_epoch_end", broken)
    callbacks.add("on_epoch_end", seen.append)
    with caplog.at_level(logging.WARNING):
        for epoch in range(3):
            callbacks.fire("on_epoch_end", epoch)
    assert seen == [0, 1, 2]
    warnings = [r for r in caplog.records if "no route to W&B" in r.getMessage()]
    assert len(warnings) == 1 and "on_epoch_end" in warnings[0].getMessage()


def test_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="on_epoch_end"):
        Callbacks().add("on_epoch", print)
