"""A study's name and where it lives: the same command always finds the same study."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sweep.config.latency import wanted as latency_wanted
from sweep.study.storage import default_url

# Config sections that change what a trial means; a change starts a new study.
FINGERPRINT_KEYS = ("data", "model", "space", "train", "trial", "study.metric",
                    "study.direction", "shapes")


def _fingerprint_keys(cfg: DictConfig) -> tuple[str, ...]:
    """FINGERPRINT_KEYS; `starter` where starter weights may stand in for `model=` (weights
    that are not a file here): trials from other starter weights are other trials; `latency`
    and the constraint on it where trials measure it: figures from another target, or another
    limit, are other trials. (Studies from before either keep their names.)"""
    searched = (cfg.space.get("model") or {}).get("choices") or []  # space.model, the scale
    models = [Path(str(name)).expanduser() for name in (cfg.model, *searched)]
    keys = FINGERPRINT_KEYS + (("starter",) if any(m.suffix == ".pt" and not m.is_file()
                                                   for m in models) else ())
    if "latency" in cfg and latency_wanted(cfg):
        keys += ("latency", "study.max_latency_ms")
    if cfg.study.get("objectives"):  # another objective is another study (Optuna's too)
        keys += ("study.objectives",)
    return keys


def fingerprint(cfg: DictConfig, keys: tuple[str, ...] | None = None) -> str:
    """A short hash of the config sections in `keys` (sizes like n_trials are left out)."""
    keys = _fingerprint_keys(cfg) if keys is None else keys
    parts: dict[str, Any] = {k: OmegaConf.to_container(OmegaConf.select(cfg, k), resolve=True)
                             if OmegaConf.is_config(OmegaConf.select(cfg, k))
                             else OmegaConf.select(cfg, k) for k in keys}
    if isinstance(parts.get("shapes"), dict) and parts["shapes"].get("domain") == "shapes":
        del parts["shapes"]["domain"]  # the default domain: studies from before it keep names
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:8]


def study_name(cfg: DictConfig, choices: Mapping[str, Any]) -> str:
    """`study.name`, or `<experiment>[-<debug>]-<fingerprint>`: stable for the same command."""
    if cfg.study.name:
        return str(cfg.study.name)
    parts = [str(choices.get("experiment") or "sweep")]
    if choices.get("debug"):
        parts.append(str(choices["debug"]))
    parts.append(fingerprint(cfg))
    return "-".join(parts)


def study_location(cfg: DictConfig, name: str) -> tuple[Path, str]:
    """The study's folder (`paths.root/<name>`) and storage URL (`study.storage`, or SQLite in
    that folder): shared by the sweep and the dashboard launcher."""
    study_dir = Path(cfg.paths.root).expanduser().resolve() / name
    return study_dir, str(cfg.study.storage or default_url(study_dir))


def artifact_dir(config: Mapping[str, Any], study_dir: Path) -> Path:
    """`study.artifacts` (Optuna's artifact store, a folder), or the study's own `artifacts/`."""
    configured = config["study"].get("artifacts")
    return Path(configured).expanduser().resolve() if configured else study_dir / "artifacts"
