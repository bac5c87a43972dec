"""A full disk, recognised wherever it surfaces (an OSError from a write, SQLite's "database or
disk is full" inside Optuna's storage error, torch's failed checkpoint write), so the sweep stops
with one line instead of a traceback in every process it runs."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
FULL_MESSAGES = ("no space left on device", "database or disk is full", "disk quota exceeded",
                 "file too large")
# A worker that exits with this code could not write: the supervisor stops the sweep (a new
# worker could not write either).
EXIT_DISK_FULL = 4
LOW_SPACE = 64 * 2**20  # below this, a failed write is taken as a full disk (torch says only
# "file write failed")


class DiskFull(RuntimeError):
    """The disk under `path` is full: stop the sweep; what finished is in the study."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(message(path))


def free_bytes(path: Path) -> int | None:
    """Free space on the disk holding `path` (or its nearest existing parent)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def is_disk_full(err: BaseException, path: Path | None = None) -> bool:
    """Whether `err` (or what caused it) is a write that failed for lack of space; with `path`,
    any failed write while that disk has almost no space left counts."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFull) or (isinstance(current, OSError) and
                                             current.errno in FULL_ERRNOS):
            return True
        text = str(current).lower()
        if any(m in text for m in FULL_MESSAGES):
            return True
        if path is not None and "write" in text:
            free = free_bytes(path)
            if free is not None and free < LOW_SPACE:
                return True
        current = current.__cause__ or current.__context__
    return False


def message(path: Path) -> str:
    free = free_bytes(path)
    left = "" if free is None else f" ({free / 2**20:.1f} MB free)"
    return (f"no space left on the disk of {path}{left}: finished trials are kept in the study. "
            "Fix: free some space there (or move paths.root and study.storage together), then "
            "re-run the same command to resume")
