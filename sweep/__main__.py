"""`python -m sweep +experiment=yolo11n [overrides]`: compose the config and run the sweep."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sweep.configs import CONFIG_NAME, config_dir
from sweep.disk import DiskFull, is_disk_full
from sweep.errors import ConfigError


# An absolute path: a relative one would be resolved against the calling module, which breaks
# for the `sweep` console script and for an installed package.
@hydra.main(version_base="1.3", config_path=str(config_dir()), config_name=CONFIG_NAME)
def _sweep(cfg: DictConfig) -> None:
    from sweep.app import run

    try:
        hydra_cfg = HydraConfig.get()
        code = run(cfg, dict(hydra_cfg.runtime.choices), overrides=list(hydra_cfg.overrides.task))
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted: finished trials are kept; re-run the same command to resume",
              file=sys.stderr)
        code = 130
    except Exception as err:
        root = Path(str(cfg.paths.root)).expanduser().resolve()
        if not is_disk_full(err, root):
            raise
        print(f"error: {err if isinstance(err, DiskFull) else DiskFull(root)}", file=sys.stderr)
        code = 1
    raise SystemExit(code)


def main() -> None:
    os.environ.setdefault("YOLO_VERBOSE", "False")
    _sweep()


if __name__ == "__main__":
    main()
