"""Sentences a user reads in several places (the terminal, best.yaml, the note, report.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sweep.core.text import fmt


def rerun_command(best_yaml: Path) -> str:
    return f"python -m sweep --config-path {best_yaml.parent} --config-name {best_yaml.stem}"


def race_lines(race: dict[str, Any]) -> list[str]:
    """The race, one line per candidate, then the rank correlation."""
    lines = []
    for c in race["candidates"]:
        full = "-" if c["full_size"] is None else f"{c['full_size']:.4g}"
        lines.append(f"trial {c['trial']}{' (baseline)' if c['baseline'] else ''}: "
                     f"low fidelity {c['low_fidelity']:.4g} (rank "
                     f"{fmt(c.get('low_fidelity_rank', '-'), 'None')}), full size {full} (rank "
                     f"{fmt(c.get('full_size_rank', '-'), 'None')}), {c['epochs_run']} epochs, "
                     f"{c['stop_reason']}")
    correlation = race["rank_correlation"]
    lines.append("rank correlation (Spearman) low fidelity vs full size: " + (
        f"{correlation:.3g}" if correlation is not None
        else "undefined (needs 3 finished candidates whose values differ)"))
    return lines
