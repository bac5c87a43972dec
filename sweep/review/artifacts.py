"""Files kept with the study through Optuna's artifact store, where optuna-dashboard shows them.

Each finished trial gets its `results.csv` and a learning-curve plot; the study gets the
finalist's weights and plots, `best.yaml`, `summary.json` and the report. The store is a folder
(`study.artifacts`, default `<study dir>/artifacts`): machines that share a PostgreSQL study
point it at one shared folder so every dashboard can open every file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import optuna
from optuna.artifacts import FileSystemArtifactStore, upload_artifact

from sweep.core.optuna_api import artifacts_attr_prefix, study_system_attrs

# Types Python's mimetypes guesses wrong: a .pt is "application/vnd.snesdev-page-table" there,
# which a browser does not treat as a download of weights.
BINARY_SUFFIXES = (".pt", ".pth", ".onnx", ".engine", ".tflite")


def mimetype(path: Path) -> str | None:
    """The type the dashboard offers `path` with (None: Optuna's guess from its name)."""
    return "application/octet-stream" if path.suffix.lower() in BINARY_SUFFIXES else None


def open_store(path: Path) -> FileSystemArtifactStore:
    path.mkdir(parents=True, exist_ok=True)
    return FileSystemArtifactStore(str(path))


def study_artifacts(study: optuna.Study) -> dict[str, dict[str, Any]]:
    """The study's own artifacts (not its trials'): file name -> meta. Skips entries the
    dashboard deleted (their meta is JSON null)."""
    prefix = artifacts_attr_prefix()
    metas = (json.loads(value) for key, value in study_system_attrs(study).items()
             if key.startswith(prefix))
    return {meta["filename"]: meta for meta in metas if meta}


def keep_for_trial(store: FileSystemArtifactStore, trial: optuna.Trial, files: list[Path]
                   ) -> dict[str, str]:
    """Upload each existing file of `files` to the (still running) trial; name -> artifact id."""
    kept = {}
    for path in files:
        if path.is_file():
            kept[path.name] = upload_artifact(artifact_store=store, file_path=str(path),
                                              study_or_trial=trial, mimetype=mimetype(path))
    return kept


def keep_for_study(store: FileSystemArtifactStore, study: optuna.Study, files: list[Path]
                   ) -> dict[str, str]:
    """Upload each existing file to the study, replacing the study's artifact of that name, so a
    resumed study shows the current summary, report and finalist once; name -> artifact id."""
    existing = study_artifacts(study)
    kept = {}
    for path in files:
        if not path.is_file():
            continue
        if path.name in existing:
            artifact_id = existing[path.name]["artifact_id"]
            with open(path, "rb") as handle:
                store.write(artifact_id, handle)
        else:
            artifact_id = upload_artifact(artifact_store=store, file_path=str(path),
                                          study_or_trial=study, mimetype=mimetype(path))
        kept[path.name] = artifact_id
    return kept
