"""Where sweep's Hydra configs are, however sweep was installed.

The repository keeps them in `conf/` at its top, where users read and edit them; a built wheel
carries the same files as `sweep/conf` (pyproject maps the one onto the other). An installed
package finds its own copy; a checkout (editable install, or `PYTHONPATH=.`) finds `conf/`.
"""

from __future__ import annotations

from pathlib import Path

CONFIG_NAME = "config"


def config_dir() -> Path:
    """The folder holding `config.yaml` and the config groups."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "conf", package.parent / "conf"):
        if (candidate / f"{CONFIG_NAME}.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"sweep's configs are missing: neither {package / 'conf'} nor "
                            f"{package.parent / 'conf'} holds {CONFIG_NAME}.yaml; reinstall sweep")
