"""The resolved run: what the entry point decided once and every worker process reads back.

Written as JSON beside the study, so a worker (a fresh interpreter, possibly restarted after a
crash) sees exactly the config, data and model the sweep validated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Plan:
    config: dict[str, Any]          # the composed config, resolved
    study_name: str
    storage_url: str
    study_dir: str                  # outputs/<study name>
    data_yaml: str                  # the resolved data.yaml
    model: str                      # weights path or architecture, after the offline fallback
    run_id: str                     # this invocation; failures are counted per run
    seed_offset: int = 0            # trials in the study when this run began (fresh draws)
    deadline: float | None = None   # epoch seconds after which no new trial starts

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Plan:
        return cls(**json.loads(path.read_text()))
