"""A W&B sweep as users paste it: the id `wandb sweep` prints (abc12345), its path
(entity/project/abc12345, project/abc12345) or the sweep page's URL. wandb's own agent splits
the path the same way; a run joins a sweep by its bare id, in the sweep's entity and project."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[\w.-]+"  # W&B entity and project names: letters, digits, '-', '_', '.'
_ID = r"[A-Za-z0-9]+"
_URL = re.compile(rf"https?://[^/\s]+/(?P<entity>{_NAME})/(?P<project>{_NAME})/sweeps/"
                  rf"(?P<id>{_ID})/?(?:[?#]\S*)?")
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
    text = str(text).strip()
    match = _URL.fullmatch(text) or _PATH.fullmatch(text)
    if not match or (match.group("entity") and not match.group("project")):
        raise ValueError(f"{text!r} is not {FORMS}")
    return SweepPath(match.group("id"), match.group("entity"), match.group("project"))
