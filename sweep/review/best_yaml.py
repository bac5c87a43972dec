"""best.yaml: the finalist's full configuration with the best parameters fixed, runnable on its
own with `python -m sweep --config-path <study dir> --config-name best`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from sweep.core.record import RaceRecord
from sweep.core.secrets import strip_password
from sweep.review.lines import pareto_lines, race_lines, rerun_command


def write_best_yaml(path: Path, config: dict[str, Any], study_name: str, storage_url: str,
                    params: dict[str, Any], race: RaceRecord | None = None,
                    outcome: str | None = None, pareto: dict[str, Any] | None = None) -> None:
    """The finalist's full configuration, best parameters fixed, runnable on its own.

    It names the same study (so its finalist is recorded beside the sweep) and sets
    final.only=true with final.params, so running it retrains without searching. A database
    password is left out: psycopg takes it from PGPASSWORD or ~/.pgpass. A multi-objective
    study's front at full size is listed in the header, each member with its weights; the
    parameters below are its most accurate member's.
    """
    best = json.loads(json.dumps(config))  # a deep, plain copy
    best["study"]["name"] = study_name
    best["study"]["storage"] = strip_password(storage_url)
    best["final"].update({"enabled": True, "only": True, "params": params})
    best["hydra"] = {"run": {"dir": str(Path(config["paths"]["root"]) / "hydra" /
                                        "${now:%Y-%m-%d}" / "${now:%H-%M-%S}")},
                     "job": {"chdir": False}, "output_subdir": None}
    header = f"# {outcome}\n" if outcome else ""
    header += (f"# Best configuration of study {study_name}. Retrain the finalist with:\n"
               f"#   {rerun_command(path)}\n")
    if pareto and pareto["full_size"]:
        header += ("# The Pareto front at full size (each member's weights are trained: deploy "
                   "the one whose latency fits; or retrain one with final.params=<its params>):\n")
        header += "".join(f"#   {line}\n" for line in pareto_lines(pareto))
        header += "# The parameters below are the front's most accurate member's.\n"
    if race:
        header += "# Chosen by a full-size race of the search's top candidates:\n"
        header += "".join(f"#   {line}\n" for line in race_lines(race))
    if best["study"]["storage"] != storage_url:
        header += ("# The database password is not stored here: set PGPASSWORD (or ~/.pgpass), "
                   "or pass study.storage='${oc.env:SWEEP_STORAGE}' with the URL in "
                   "SWEEP_STORAGE.\n")
    path.write_text(header + yaml.safe_dump(best, sort_keys=False))
