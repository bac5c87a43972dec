"""Checks that must run before Hydra creates its run folder under `paths.root`.

Hydra makes `hydra.run.dir` (inside paths.root) before the task starts, so an unwritable
paths.root would end in Hydra's own traceback; its `on_run_start` callback runs first.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


def unwritable_reason(root: Path) -> str | None:
    """Why sweep cannot write under `root` (creating it if needed), or None."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as err:
        return f"{err.strerror or err} ({err.filename or root})"
    return None


class RefuseUnwritableRoot(Callback):
    """`paths.root` must be a folder sweep can write: refused in one line, exit 2, otherwise."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        root = Path(str(config.paths.root)).expanduser()
        why = unwritable_reason(root)
        if why:
            print(f"error: paths.root={str(root)!r}: cannot write there: {why}. Fix: set "
                  "paths.root to a writable folder, e.g. paths.root=$HOME/sweep-outputs",
                  file=sys.stderr)
            raise SystemExit(2)
