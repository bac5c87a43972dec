"""The Hydra entry every command shares: compose sweep's config from the command line, run the
command's task, and turn a ConfigError into one line and exit code 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sweep.config.locate import CONFIG_NAME, config_dir
from sweep.config.sizes import with_sizes
from sweep.core.errors import ConfigError
from sweep.wandb_sweeps.sweep_ids import hydra_args

Task = Callable[[DictConfig], int]


def choices() -> dict[str, Any]:
    """The config groups the command line chose (experiment, debug, sampler, ...)."""
    return dict(HydraConfig.get().runtime.choices)


def overrides() -> list[str]:
    """The command line's overrides, as typed."""
    return list(HydraConfig.get().overrides.task)


def hydra_command(task: Task) -> Callable[[], None]:
    """A console command: `task(cfg)` with the composed config returns the exit code."""

    # An absolute config path: a relative one would be resolved against the calling module,
    # which breaks for the console scripts and for an installed package.
    @hydra.main(version_base="1.3", config_path=str(config_dir()), config_name=CONFIG_NAME)
    def _main(cfg: DictConfig) -> None:
        try:
            code = task(with_sizes(cfg, choices(), overrides()))
        except ConfigError as err:
            print(f"error: {err}", file=sys.stderr)
            code = 2
        raise SystemExit(code)

    def main() -> None:
        os.environ.setdefault("YOLO_VERBOSE", "False")
        sys.argv = [sys.argv[0], *hydra_args(sys.argv[1:])]  # a sweep URL's `?nw=` and all
        _main()

    return main
