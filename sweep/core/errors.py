"""The one error type users see: a bad key, its bad value, and how to fix it."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration or data problem found before any training starts.

    Printed as one line (`key=value: problem. Fix: ...`) by the entry point, which then exits 2.
    """

    def __init__(self, key: str, value: Any, problem: str, fix: str) -> None:
        self.key, self.value, self.problem, self.fix = key, value, problem, fix
        super().__init__(f"{key}={value!r}: {problem}. Fix: {fix}")


class TrackerUnreachable(RuntimeError):
    """A tracker the run cannot go on without could not be reached: W&B inside a W&B agent,
    whose sweep controller sees only online runs. Unlike any other tracker error, it ends the
    trial (FAIL, with this message as its reason) instead of being warned about."""
