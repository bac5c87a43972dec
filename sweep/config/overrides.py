"""The command line's overrides as Hydra reads them."""

from __future__ import annotations

from collections.abc import Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser


def override_keys(overrides: Sequence[str]) -> list[str]:
    """The key or config group each override sets, in order (`+x=`, `++x=`, `~x` included),
    parsed by Hydra's own parser rather than by splitting the text."""
    return [o.key_or_group for o in OverridesParser.create().parse_overrides(list(overrides))]
