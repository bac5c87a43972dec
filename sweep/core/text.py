"""Numbers and durations as the terminal, the note and the report print them."""

from __future__ import annotations

from typing import Any


def fmt(value: Any, none: str = "—") -> str:
    """A float to 4 significant digits, None as `none`, anything else as str()."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return none if value is None else str(value)


def fmt_seconds(seconds: float | None) -> str:
    """H:MM:SS, or ? when unknown."""
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
