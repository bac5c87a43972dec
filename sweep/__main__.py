"""`python -m sweep +experiment=yolo11n [overrides]`: compose the config and run the sweep."""

from __future__ import annotations

import sys
from pathlib import Path

from omegaconf import DictConfig

from sweep.cli.entry import choices, hydra_command, overrides
from sweep.core.disk import DiskFull, is_disk_full


def sweep(cfg: DictConfig) -> int:
    from sweep.pipeline.run import run

    try:
        return run(cfg, choices(), overrides=overrides())
    except KeyboardInterrupt:
        print("interrupted: finished trials are kept; re-run the same command to resume",
              file=sys.stderr)
        return 130
    except Exception as err:
        root = Path(str(cfg.paths.root)).expanduser().resolve()
        if not is_disk_full(err, root):
            raise
        print(f"error: {err if isinstance(err, DiskFull) else DiskFull(root)}", file=sys.stderr)
        return 1


main = hydra_command(sweep)

if __name__ == "__main__":
    main()
