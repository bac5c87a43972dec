"""`model=`: weights or an architecture, with an offline fallback when weights cannot be had."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ModelChoice:
    """What every training loads: a weights path or an architecture yaml. `missing`: the
    `model=` weights that could not be had, when sweep's starter weights of the architecture
    `load` stand in for them (sweep.run.starter makes them, after every other check)."""

    load: str
    missing: str | None = None


def resolve_model(name: str, starter: bool = True) -> ModelChoice:
    """Return what every training should load.

    `yolo11n.pt` absent here and not downloadable (offline) is replaced by sweep's starter
    weights of `yolo11n.yaml` (`starter`), or else trained from scratch from `yolo11n.yaml`
    with one warning. A path that is neither weights nor an architecture is a ConfigError.
    """
    path = Path(name).expanduser()
    if path.suffix in {".yaml", ".yml"}:
        if path.is_file() or _architecture_exists(name):
            return ModelChoice(str(path.resolve()) if path.is_file() else name)
        raise ConfigError("model", name, "no such architecture", "use e.g. model=yolo11n.yaml, "
                          "or a path to a model yaml")
    if path.suffix != ".pt":
        raise ConfigError("model", name, "not a .pt weights file or a .yaml architecture",
                          "use e.g. model=yolo11n.pt or model=yolo11n.yaml")
    if path.is_file():
        return ModelChoice(str(path.resolve()))
    from ultralytics.utils import ONLINE, SETTINGS
    from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES, attempt_download_asset

    cached = Path(SETTINGS["weights_dir"]) / path.name
    if cached.is_file():
        return ModelChoice(str(cached))
    if path.name not in GITHUB_ASSETS_NAMES:
        raise ConfigError("model", name, "no such weights file", "check the path, or use an "
                          "Ultralytics name such as yolo11n.pt or yolo11n.yaml")
    if ONLINE:
        try:
            got = Path(attempt_download_asset(path.name))
            if got.is_file():
                return ModelChoice(str(got.resolve()))
        except Exception as err:  # a failed download is the case this fallback exists for
            log.debug("download of %s failed: %s", name, err)
    fallback = path.with_suffix(".yaml").name
    if not _architecture_exists(fallback):
        raise ConfigError("model", name, "weights not found and could not be downloaded",
                          f"place {path.name} in the current folder or {SETTINGS['weights_dir']}")
    if starter:
        return ModelChoice(fallback, missing=name)
    log.warning("model=%s: weights not found here and could not be downloaded (offline?); "
                "training %s from scratch instead. To use pretrained weights, put %s in the "
                "current folder or %s; to silence this, pass model=%s.",
                name, fallback, path.name, SETTINGS["weights_dir"], fallback)
    return ModelChoice(fallback)


def starter_line(name: str, load: str, weights: str, what: str) -> str:
    """The one line a run says when starter weights stand in for `model=` weights."""
    from ultralytics.utils import SETTINGS

    return (f"model={name}: not here and cannot be downloaded (offline?): fine-tuning from "
            f"sweep's starter weights instead, {what}; {weights}. For real pretrained weights "
            f"put {Path(name).name} in the current folder or {SETTINGS['weights_dir']}; "
            f"model={load} trains from scratch")
