"""Numbers and durations as the terminal, the note and the report print them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def fmt(value: Any, none: str = "—") -> str:
    """A float to 4 significant digits, None as `none`, anything else as str()."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return none if value is None else str(value)


def fmt_args(params: Mapping[str, Any], none: str = "—") -> str:
    """Parameters as train arguments read: `lr0=0.003, optimizer=SGD` (values by fmt)."""
    return ", ".join(f"{key}={fmt(value, none=none)}" for key, value in params.items())


def fmt_seconds(seconds: float | None) -> str:
    """H:MM:SS, or ? when unknown."""
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_UNIT_S = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_seconds(value: Any) -> float:
    """A duration as typed: seconds (300, 90.5) or with units (3h, 45m, 1h30m, 90s); raises
    ValueError for anything else, zero and negatives included."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            if not text or _DURATION.sub("", text):
                raise ValueError(value) from None
            seconds = sum(float(n) * _UNIT_S[u] for n, u in _DURATION.findall(text))
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(value)
    return seconds
