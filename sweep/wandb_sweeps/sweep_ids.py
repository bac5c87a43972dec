"""A W&B sweep as users paste it: the id `wandb sweep` prints (abc12345), its path
(entity/project/abc12345, project/abc12345) or the sweep page's URL as the browser shows it,
with a tab (/overview, /table, /workspace) and a query (?nw=...) or not. wandb's own agent
splits the path the same way; a run joins a sweep by its bare id, in the sweep's entity and
project.

Hydra's override grammar cannot carry a URL's `=` or `&` unquoted (`tracking.wandb.sweep=<URL
with ?nw=...>` would end in its parse error): `hydra_args` turns a sweep override into the
sweep's path before Hydra reads the command line, so every form works there too."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_NAME = r"[\w.-]+"  # W&B entity and project names: letters, digits, '-', '_', '.'
_ID = r"[A-Za-z0-9]+"
_URL = re.compile(rf"https?://[^/\s]+/(?P<entity>{_NAME})/(?P<project>{_NAME})/sweeps/"
                  rf"(?P<id>{_ID})(?:/[\w-]+)?/?(?:[?#]\S*)?")  # a tab, a query: the browser's
_PATH = re.compile(rf"(?:(?:(?P<entity>{_NAME})/)?(?P<project>{_NAME})/)?(?:sweeps/)?"
                   rf"(?P<id>{_ID})")
FORMS = "a W&B sweep id (abc12345), entity/project/abc12345, or the sweep page's URL"


@dataclass(frozen=True)
class SweepPath:
    """One W&B sweep: its id, and the entity and project it lives in when known."""

    id: str
    entity: str | None = None
    project: str | None = None

    def __str__(self) -> str:
        """entity/project/id as far as known: what `wandb agent` takes and the study records."""
        return "/".join(part for part in (self.entity, self.project, self.id) if part)

    def known(self, entity: str | None, project: str | None) -> SweepPath:
        """This sweep, with the entity and project it does not name taken from these."""
        if self.project is not None:
            return self
        return SweepPath(self.id, self.entity or entity, project)


def parse_sweep(text: str) -> SweepPath:
    """The sweep `text` names, in any of FORMS; ValueError otherwise."""
    text = str(text).strip().strip("'\"")
    match = _URL.fullmatch(text) or _PATH.fullmatch(text)
    if not match or (match.group("entity") and not match.group("project")):
        raise ValueError(f"{text!r} is not {FORMS}")
    return SweepPath(match.group("id"), match.group("entity"), match.group("project"))


# The Hydra keys whose value is a W&B sweep (hydra_args)
SWEEP_KEYS = ("tracking.wandb.sweep",)


def hydra_args(args: Sequence[str]) -> list[str]:
    """The command line with each `tracking.wandb.sweep=<sweep>` override given as the sweep's
    path (entity/project/id), which Hydra's grammar carries whatever the user pasted; a value
    that names no sweep is quoted instead, for validation to refuse it in one line."""
    fixed = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and key.lstrip("+") in SWEEP_KEYS and value not in ("auto", "null", ""):
            try:
                value = str(parse_sweep(value))
            except ValueError:
                if not (value[:1] in "'\"" and value[-1:] == value[:1]):
                    value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
            arg = f"{key}={value}"
        fixed.append(arg)
    return fixed
