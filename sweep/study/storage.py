"""Optuna storages that stay correct with several worker processes, and a lock to claim trials.

* `sqlite:///...` (the default): Optuna's RDB storage, with every transaction opened as
  `BEGIN IMMEDIATE`. Plain SQLite ignores `SELECT ... FOR UPDATE`, so several workers could pop
  the same WAITING (enqueued or retried) trial; an immediate transaction takes the write lock
  first. Heartbeats work, and optuna-dashboard reads it.
* `postgresql://...`: Optuna's RDB storage, for workers on several machines; heartbeats work.
  Needs psycopg 3 (SQLAlchemy 2.1 maps `postgresql://` to it).
* a `*.journal` file (or `journal:///path`): Optuna's journal file storage; fast, but it has no
  heartbeats, so dead trials are found by host, pid and process start time instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage, JournalStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend

from sweep.core.errors import ConfigError
from sweep.core.secrets import redact

StaleCallback = Callable[[optuna.Study, optuna.trial.FrozenTrial], None]
SCHEMA_TRIES = 8  # a new database opened by this many processes at once, at least


def default_url(study_dir: Path) -> str:
    return f"sqlite:///{study_dir.resolve() / 'study.db'}"


def is_journal(url: str) -> bool:
    return url.startswith("journal:") or url.endswith(".journal")


def journal_path(url: str) -> Path:
    return Path(url.removeprefix("journal://").removeprefix("journal:")).expanduser()


def storage_file(url: str) -> Path | None:
    """The file behind a SQLite or journal storage URL; None for a database server."""
    if is_journal(url):
        return journal_path(url)
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _refuse_non_sqlite(path: Path, url: str) -> None:
    """A file that exists and is not an SQLite database is refused, and left untouched."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return
    except OSError as err:
        raise ConfigError("study.storage", url, f"cannot read {path} ({err.strerror})",
                          "check the path and its permissions") from err
    if header and header != b"SQLite format 3\x00":
        raise ConfigError("study.storage", url, f"{path} is not an SQLite database (left "
                          "untouched)", "point study.storage at the study's own .db file, or "
                          "at a new path to start a new study")


def _sqlite_immediate(storage: RDBStorage) -> None:
    """Make every SQLite transaction take the write lock at BEGIN (see module docstring)."""
    from sqlalchemy import event

    @event.listens_for(storage.engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    storage.engine.dispose()  # drop connections opened before the listener existed


def _rdb_storage(url: str, **kwargs: Any) -> RDBStorage:
    """Optuna's RDB storage, surviving other processes that create the same new database at the
    same moment (machines sharing a study, optuna-dashboard, a user's load_study): Optuna
    creates the schema in each process, and all but the first collide (SQLite: "table ...
    already exists", "UNIQUE constraint failed: alembic_version"; PostgreSQL: "type
    studydirection already exists"). The schema is there once the first is done, so the others
    try again, a little later each, and then find it."""
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    for attempt in range(SCHEMA_TRIES):
        try:
            return RDBStorage(url, **kwargs)
        except (IntegrityError, OperationalError, ProgrammingError) as err:
            if attempt == SCHEMA_TRIES - 1 or not _schema_collision(err):
                raise
            time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))
    raise AssertionError("unreachable")


def _schema_collision(err: Exception) -> bool:
    """Whether `err` is another process's schema creation getting there first."""
    text = str(err).lower()
    return any(sign in text for sign in ("already exists", "alembic_version", "duplicate key",
                                         "unique constraint", "database is locked"))


def open_storage(url: str, heartbeat_interval: int | None = None, grace_period: int | None = None,
                 on_stale: StaleCallback | None = None) -> BaseStorage:
    """Open (creating if needed) the storage behind `study.storage`."""
    if is_journal(url):
        path = journal_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(path)))
    if not url.startswith(("sqlite:///", "postgresql://", "postgresql+")):
        raise ConfigError("study.storage", url, "unsupported storage",
                          "use sqlite:///path.db, postgresql://user:pass@host/db, or a "
                          "path ending in .journal")
    heartbeat = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period,
                 "heartbeat_stale_trial_callback": on_stale} if heartbeat_interval else {}
    database = storage_file(url)
    if database is not None:  # SQLite
        _refuse_non_sqlite(database, url)
        database.parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs = {"connect_args": {"isolation_level": None, "timeout": 120}}
        storage = _rdb_storage(url, engine_kwargs=engine_kwargs, **heartbeat)
        _sqlite_immediate(storage)
        return storage
    try:
        return _rdb_storage(url, engine_kwargs={"pool_pre_ping": True}, **heartbeat)
    except Exception as err:  # sqlalchemy's OperationalError etc.: say which URL and why
        first_line = str(err).splitlines()[0]
        raise ConfigError("study.storage", redact(url),
                          f"cannot connect ({err.__class__.__name__}: {first_line})",
                          "check host, user, password and that the database exists") from err


def has_heartbeat(storage: BaseStorage) -> bool:
    """Whether trials must record heartbeats (RDB storages opened with an interval).

    Duck-typed: a study wraps its RDB storage in a cache that forwards the heartbeat methods.
    """
    interval = getattr(storage, "get_heartbeat_interval", None)
    return interval is not None and interval() is not None


@functools.lru_cache(maxsize=4)
def _lock_engine(url: str) -> Any:
    """A small engine of its own for the advisory lock, so the lock never waits on the pool."""
    from sqlalchemy import create_engine

    return create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)


CLAIM_LOCK_SUFFIX = ".claim-lock"


@contextlib.contextmanager
def claim_lock(url: str, study_name: str) -> Iterator[None]:
    """Serialise 'count the trials, then ask for one' across every worker of the study.

    Optuna's MaxTrialsCallback overshoots by up to workers-1; counting and asking under one lock
    lands exactly on study.n_trials. Local storages use a file lock beside the file (not
    `<file>.lock`: Optuna's journal takes that name for its own lock, and waited 30 s on ours,
    then broke it); PostgreSQL an advisory lock, which also spans machines.
    """
    if url.startswith("postgresql"):
        from sqlalchemy import text

        key = int(hashlib.sha1(study_name.encode()).hexdigest()[:15], 16)
        with _lock_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    path = journal_path(url) if is_journal(url) else Path(url.removeprefix("sqlite:///"))
    with open(f"{path}{CLAIM_LOCK_SUFFIX}", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
