"""Several processes claiming trials at once: each WAITING trial is taken exactly once."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
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


def _open_new(url: str, start: float, plain: bool, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """Open `url` at `start`: sweep's way (open_storage, then the study), or as optuna-dashboard
    or a user's load_study does (Optuna's RDBStorage, which races and may lose)."""
    from sweep.study.storage import open_storage

    while time.time() < start:
        time.sleep(0.001)
    try:
        storage = optuna.storages.RDBStorage(url) if plain else open_storage(url, 10, 60)
        optuna.create_study(storage=storage, study_name="new", load_if_exists=True)
        out.put((plain, "ok"))
    except Exception as err:
        out.put((plain, f"{type(err).__name__}: {err}"))


def _new_postgres_schema(url: str) -> str:
    """`url` with a fresh, empty schema first on its search path: a new database for Optuna."""
    from sqlalchemy import create_engine, text

    schema = f"new_{os.getpid()}_{int(time.time() * 1000)}"
    with create_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.mark.slow  # 6 interpreters importing Optuna, twice, on two cores: about 40 s
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_new_storage_survives_every_process_creating_it_at_once(kind: str,
                                                                   tmp_path: Path) -> None:
    """Machines starting one study together, with optuna-dashboard opening it too: Optuna
    creates the schema in each process, and sweep's own survive the collision."""
    url = os.environ.get("SWEEP_TEST_POSTGRES_URL") if kind == "postgresql" else None
    if kind == "postgresql" and not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set SWEEP_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)")
        pytest.skip("set SWEEP_TEST_POSTGRES_URL to a PostgreSQL database to run this test")
    ctx = mp.get_context("spawn")
    for attempt in range(2):
        new = (_new_postgres_schema(url) if url  # type: ignore[arg-type]
               else f"sqlite:///{tmp_path / f'new-{attempt}.db'}")
        out = ctx.Queue()
        start = time.time() + 8  # every interpreter up and waiting first
        processes = [ctx.Process(target=_open_new, args=(new, start, i >= 4, out))
                     for i in range(6)]
        for process in processes:
            process.start()
        results = [out.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        ours = [why for plain, why in results if not plain]
        assert ours == ["ok"] * 4, results
        study = optuna.load_study(study_name="new", storage=new)
        assert study.study_name == "new" and not study.trials


def test_the_claim_lock_leaves_the_journals_own_lock_free(tmp_path: Path) -> None:
    """Optuna's journal locks `<file>.lock` for each write; the claim lock must be another file,
    or every write under the claim waits Optuna's 30 s grace and then breaks the claim."""
    import threading

    from sweep.study.storage import claim_lock, open_storage

    url = str(tmp_path / "study.journal")
    storage = open_storage(url)
    wrote = threading.Event()

    def write() -> None:
        study = optuna.create_study(study_name="s", storage=storage)
        study.ask()
        wrote.set()

    with claim_lock(url, "s"):
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout=8)  # a write takes milliseconds; blocked, it would wait 30 s
        assert wrote.is_set()
    assert not (tmp_path / "study.journal.lock").exists()  # Optuna's lock, released
