"""sweep's bookkeeping lives in the study's system attrs, not the user's."""

from __future__ import annotations

from pathlib import Path

from sweep.study.bookkeeping import get_record, set_record
from sweep.study.open import open_study


def test_bookkeeping_is_kept_out_of_user_attrs(compose_cfg, tmp_path: Path) -> None:
    cfg = compose_cfg("debug=smoke", "study.metric=map50")
    study = open_study(cfg, "s", f"sqlite:///{tmp_path / 's.db'}", {})
    assert study.metric_names == ["map50"]  # the dashboard's charts say map50
    set_record(study, "finalist", {"key": "k", "weights": "w.pt"})
    assert study.user_attrs == {}
    assert get_record(study, "finalist") == {"key": "k", "weights": "w.pt"}
    study.set_user_attr("finalist_claim", {"key": "old"})  # a study from before the move
    assert get_record(study, "finalist_claim") == {"key": "old"}
    assert get_record(study, "absent") is None
