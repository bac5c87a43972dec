"""What the trials' latency says, for summary.json and the warnings: how many were measured and
how many are within study.max_latency_ms, and the fastest; when none is within it, the sentence
that says so with the fastest one's figure and the fix."""

from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.core.optuna_api import value_of
from sweep.core.record import MAX_LATENCY_RECORD, Attr
from sweep.study.bookkeeping import get_record


def latency_summary(study: optuna.Study) -> dict[str, Any] | None:
    """summary.json's `latency`; None when no completed trial measured it."""
    measured = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if Attr.LATENCY_MS in t.user_attrs]
    if not measured:
        return None
    limit = get_record(study, MAX_LATENCY_RECORD)
    fastest = min(measured, key=lambda t: (t.user_attrs[Attr.LATENCY_MS], t.number))
    how = fastest.user_attrs.get(Attr.LATENCY) or {}
    return {"max_latency_ms": limit, "measured": len(measured),
            "within": sum(limit is None or t.user_attrs[Attr.LATENCY_MS] <= limit
                          for t in measured),
            "fastest": {"trial": fastest.number, "latency_ms": fastest.user_attrs[Attr.LATENCY_MS],
                        "value": value_of(fastest)},
            "measured_on": {key: how.get(key) for key in ("device", "threads", "format")}}


def latency_warnings(found: dict[str, Any] | None) -> list[str]:
    """The sentence for a study where no completed trial is within study.max_latency_ms
    (`found`: its latency_summary)."""
    if found is None or found["max_latency_ms"] is None or found["within"]:
        return []
    fastest, on = found["fastest"], found["measured_on"]
    threads = f", {on['threads']} thread(s)" if on.get("threads") else ""
    return [f"no trial is within study.max_latency_ms={found['max_latency_ms']:g}: the fastest, "
            f"trial {fastest['trial']}, takes {fastest['latency_ms']:g} ms per image "
            f"({on.get('format')} on {on.get('device')}{threads}). Fix: raise "
            "study.max_latency_ms, or search smaller image sizes (space.imgsz) or a smaller model"]
