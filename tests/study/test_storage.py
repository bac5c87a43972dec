"""Several processes claiming trials at once: each WAITING trial is taken exactly once."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from pathlib import Path

import optuna
import pytest
from omegaconf import DictConfig, OmegaConf

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.study.open import open_study
from tests.conftest import resolved


def _claim(plan_json: str, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:  # type: ignore[name-defined]
    from sweep.run.claim import claim_next

    plan = Plan.load(Path(plan_json))
    cfg = OmegaConf.create(plan.config)
    study = open_study(cfg, plan.study_name, plan.storage_url,
                       to_distributions(plan.config["space"]))
    barrier.wait()
    try:
        trial = claim_next(study, plan, "test")
        out.put((trial.number if trial else None, trial.user_attrs.get("retry_of")
                 if trial else None))
    except Exception as err:  # reported, so the test fails with the reason
        out.put(("error", repr(err)))


@pytest.mark.slow  # seven interpreters, each importing Ultralytics, on two cores: about a minute
@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_enqueued_trial_is_claimed_once_and_budget_is_exact(
        kind: str, compose_cfg: Callable[..., DictConfig], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}" if kind == "sqlite" else str(tmp_path / "s.journal")
    cfg = compose_cfg("study.n_trials=5", "debug=smoke")
    config = resolved(cfg)
    plan = Plan(config=config, study_name="claims", storage_url=url,  # type: ignore[arg-type]
                study_dir=str(tmp_path), data_yaml="", model="", run_id="r")
    study = open_study(cfg, "claims", url, to_distributions(config["space"]))  # type: ignore[index]
    study.enqueue_trial({"lr0": 0.005}, user_attrs={"retry_of": 99})
    plan_path = tmp_path / "plan.json"
    plan.save(plan_path)
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(7), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(str(plan_path), barrier, out)) for _ in range(7)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert not [r for r in results if r[0] == "error"], results
    claimed = [r for r in results if r[0] is not None]
    assert len(claimed) == 5  # exactly n_trials RUNNING, two workers told to stop
    assert sum(1 for r in claimed if r[1] == 99) == 1  # the enqueued trial went to one worker
    numbers = [r[0] for r in claimed]
    assert len(set(numbers)) == 5
    trials = optuna.load_study(study_name="claims", storage=study._storage).get_trials()
    assert len(trials) == 5


def test_password_is_stripped_from_files_and_handed_to_workers_in_their_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sweep.config.plan import STORAGE_ENV
    from sweep.core.secrets import strip_password

    url = "postgresql://me:s3cr3t-pw@db.example:5432/sweeps"
    assert strip_password(url) == "postgresql://me@db.example:5432/sweeps"
    assert strip_password("sqlite:////data/study.db") == "sqlite:////data/study.db"
    assert strip_password("/data/study.journal") == "/data/study.journal"
    plan = Plan(config={"study": {"storage": url}}, study_name="s", storage_url=url,
                study_dir=str(tmp_path), data_yaml="d.yaml", model="m", run_id="r")
    plan.save(tmp_path / "plan.json")
    assert "s3cr3t-pw" not in (tmp_path / "plan.json").read_text()
    monkeypatch.delenv(STORAGE_ENV, raising=False)
    assert Plan.load(tmp_path / "plan.json").storage_url == strip_password(url)
    monkeypatch.setenv(STORAGE_ENV, url)
    assert Plan.load(tmp_path / "plan.json").storage_url == url
    assert plan.storage_url == url  # saving did not change the plan in memory


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    from sweep.core.errors import ConfigError
    from sweep.study.storage import open_storage

    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"these are my notes, not a database\n" * 10)
    before = garbage.read_bytes()
    with pytest.raises(ConfigError) as info:
        open_storage(f"sqlite:///{garbage}")
    assert info.value.key == "study.storage" and "not an SQLite database" in info.value.problem
    assert garbage.read_bytes() == before
