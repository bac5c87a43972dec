"""Records sweep keeps on a study (the finalist's record and its claim), out of the user's
attributes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import optuna

from sweep.core.optuna_api import set_study_system_attr, study_system_attrs
from sweep.core.record import RECORD_PREFIX


def get_record(study: optuna.Study, key: str) -> Any:
    """A record sweep keeps on the study (None when absent); studies from before the records
    moved to system attrs are read from their user attrs."""
    attrs = study_system_attrs(study)
    if RECORD_PREFIX + key in attrs:
        return attrs[RECORD_PREFIX + key]
    return study.user_attrs.get(key)


def set_record(study: optuna.Study, key: str, value: Any) -> None:
    set_study_system_attr(study, RECORD_PREFIX + key, value)


# final.* keys that say what to do with a finalist's trainings, not how to train one: a change
# to them reuses the trainings already done (and a study from before a key existed resumes).
NOT_TRAINING = ("only", "confirm")


def training_settings(final: dict[str, Any]) -> dict[str, Any]:
    """final.* as far as it decides how a finalist or race candidate trains."""
    return {k: v for k, v in final.items() if k not in NOT_TRAINING}


def final_key(final: dict[str, Any], params: dict[str, Any]) -> str:
    """Identifies one finalist training, so re-running the same command does not redo it."""
    text = json.dumps({"final": training_settings(final), "params": params}, sort_keys=True,
                      default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]
