"""The artifact store: study files replace their namesake, deleted ones are skipped."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
from optuna.artifacts import download_artifact, get_all_artifact_meta

from sweep.review.artifacts import keep_for_study, open_store, study_artifacts


def test_study_artifacts_replace_their_namesake(tmp_path: Path) -> None:
    """A resumed study shows the current summary once, not one per run."""
    study = optuna.create_study()
    store = open_store(tmp_path / "artifacts")
    summary = tmp_path / "summary.json"
    summary.write_text('{"run": 1}')
    first = keep_for_study(store, study, [summary, tmp_path / "absent.png"])
    summary.write_text('{"run": 2}')
    second = keep_for_study(store, study, [summary])
    assert first == second and list(first) == ["summary.json"]
    metas = get_all_artifact_meta(study)
    assert [m.filename for m in metas] == ["summary.json"]
    download_artifact(artifact_store=store, artifact_id=metas[0].artifact_id,
                      file_path=str(tmp_path / "back.json"))
    assert json.loads((tmp_path / "back.json").read_text()) == {"run": 2}


def test_artifacts_the_dashboard_deleted_are_skipped(tmp_path: Path) -> None:
    study = optuna.create_study()
    store = open_store(tmp_path / "artifacts")
    (tmp_path / "a.md").write_text("a")
    artifact_id = keep_for_study(store, study, [tmp_path / "a.md"])["a.md"]
    # what optuna-dashboard's delete button leaves behind
    study._storage.set_study_system_attr(study._study_id, f"artifacts:{artifact_id}", "null")
    assert study_artifacts(study) == {}
    assert list(keep_for_study(store, study, [tmp_path / "a.md"])) == ["a.md"]


def test_weights_are_offered_as_a_binary_download(tmp_path: Path) -> None:
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}")
    weights = tmp_path / "best.pt"
    weights.write_bytes(b"\x80\x02weights")
    (tmp_path / "summary.json").write_text("{}")
    keep_for_study(open_store(tmp_path / "artifacts"), study,
                   [weights, tmp_path / "summary.json"])
    types = {name: meta["mimetype"] for name, meta in study_artifacts(study).items()}
    assert types == {"best.pt": "application/octet-stream", "summary.json": "application/json"}
