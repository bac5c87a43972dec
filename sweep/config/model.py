"""`model=`: weights or an architecture, with an offline fallback from weights to architecture."""

from __future__ import annotations

import logging
from pathlib import Path

from sweep.core.errors import ConfigError

log = logging.getLogger(__name__)


def _architecture_exists(name: str) -> bool:
    from ultralytics.nn.tasks import yaml_model_load

    try:
        yaml_model_load(name)  # knows the scale suffix: yolo11n.yaml is yolo11.yaml, scale n
        return True
    except Exception:  # FileNotFoundError, or a stray download attempt failing
        return False


def resolve_model(name: str) -> str:
    """Return what every training should load: a local weights path or an architecture yaml.

    `yolo11n.pt` absent here and not downloadable (offline) falls back to `yolo11n.yaml`, trained
    from scratch, with one warning. A path that is neither is a ConfigError.
    """
    path = Path(name).expanduser()
    if path.suffix in {".yaml", ".yml"}:
        if path.is_file() or _architecture_exists(name):
            return str(path.resolve()) if path.is_file() else name
        raise ConfigError("model", name, "no such architecture", "use e.g. model=yolo11n.yaml, "
                          "or a path to a model yaml")
    if path.suffix != ".pt":
        raise ConfigError("model", name, "not a .pt weights file or a .yaml architecture",
                          "use e.g. model=yolo11n.pt or model=yolo11n.yaml")
    if path.is_file():
        return str(path.resolve())
    from ultralytics.utils import ONLINE, SETTINGS
    from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES, attempt_download_asset

    cached = Path(SETTINGS["weights_dir"]) / path.name
    if cached.is_file():
        return str(cached)
    if path.name not in GITHUB_ASSETS_NAMES:
        raise ConfigError("model", name, "no such weights file", "check the path, or use an "
                          "Ultralytics name such as yolo11n.pt or yolo11n.yaml")
    if ONLINE:
        try:
            got = Path(attempt_download_asset(path.name))
            if got.is_file():
                return str(got.resolve())
        except Exception as err:  # a failed download is the case this fallback exists for
            log.debug("download of %s failed: %s", name, err)
    fallback = path.with_suffix(".yaml").name
    if not _architecture_exists(fallback):
        raise ConfigError("model", name, "weights not found and could not be downloaded",
                          f"place {path.name} in the current folder or {SETTINGS['weights_dir']}")
    log.warning("model=%s: weights not found here and could not be downloaded (offline?); "
                "training %s from scratch instead. To use pretrained weights, put %s in the "
                "current folder or %s; to silence this, pass model=%s.",
                name, fallback, path.name, SETTINGS["weights_dir"], fallback)
    return fallback
