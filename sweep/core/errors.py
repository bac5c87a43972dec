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

