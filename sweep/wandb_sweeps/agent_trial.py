"""What one trial for a W&B agent needs besides a worker's trial (`python -m sweep.agent
+experiment=yolo11n [overrides] space.lr0=0.01 ...`, which runs it): W&B's values told apart
from the sweep's overrides, and W&B's stop.

`wandb agent` runs the command of the exported sweep config (`sweep.wandb_sweep`), ending in the
values W&B chose as `space.<arg>=<value>` Hydra overrides. This runs exactly one low-fidelity
trial with them, as a search worker would (same subset, fidelity, records and mirror), inside
the agent's W&B run, and records it in the study that `python -m sweep` with the same overrides
opens: the dashboard and `final.only=true` see agent trials. W&B stops a run (its hyperband)
with SIGTERM: the trial ends at once and is recorded as pruned; any other SIGTERM interrupts it
as Ctrl-C does (sweep.wandb_sweeps.stops tells them apart). It never takes a queued trial:
W&B chose its values.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from sweep.wandb_sweeps.export import PARAM_PREFIX

LABEL = "wandb-agent"


def wandb_parameters(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The parameters W&B gave this run (`space.<arg>`), from the file wandb's agent writes for
    every run it starts (WANDB_SWEEP_PARAM_PATH: the same args it appends to the command);
    None when no agent started this process."""
    path = (os.environ if environ is None else environ).get("WANDB_SWEEP_PARAM_PATH")
    if not path or not Path(path).is_file():
        return None
    written = yaml.safe_load(Path(path).read_text()) or {}
    return [key for key in written if key != "wandb_version"]


def split_values(overrides: Sequence[str], searched: Callable[[list[str]], Iterable[str]],
                 parameters: Sequence[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The values W&B chose and the overrides that compose the study's own config.

    W&B appends one `space.<arg>=<value>` per parameter of the exported sweep config after the
    user's overrides (`${args_no_hyphens}`), so its values are the last overrides, one per
    parameter: `parameters` (wandb_parameters) when wandb's agent named them, else as many as
    the study composed from the overrides before them searches (`searched(rest)`: the
    export's parameters). Whatever form the user's own overrides take (a whole-entry range
    `space.lrf={low:..}`, `+space.new=...`, `~space.x`, a fixed `space.arg=value`), they stay
    the study's."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    tail: list[str] = []  # trailing plain `space.<arg>=<one value>`, distinct args: W&B's at most
    for override in reversed(parsed):
        arg = override.key_or_group.removeprefix(PARAM_PREFIX)
        if (override.is_add() or override.is_force_add() or override.is_delete()
                or not override.key_or_group.startswith(PARAM_PREFIX) or "." in arg
                or arg in tail or isinstance(override.value(), dict | list)):
            break
        tail.append(arg)
    wanted = None if parameters is None else {key.removeprefix(PARAM_PREFIX)
                                              for key in parameters}
    for count in range(len(tail), 0, -1):
        rest = list(overrides[:len(overrides) - count])
        if set(tail[:count]) == (wanted if wanted is not None else set(searched(rest))):
            values = {o.key_or_group.removeprefix(PARAM_PREFIX): o.value()
                      for o in parsed[len(overrides) - count:]}
            return values, rest
    return {}, list(overrides)  # no W&B values: trial_params names the first missing one


@contextlib.contextmanager
def stop_on_sigterm(reason: str, received: list[int] | None = None) -> Iterator[None]:
    """SIGTERM ends the trial at once, wherever training is: as W&B's stop (pruned, `reason`)
    when W&B asked the agent for it, or where that cannot be told (sweep.wandb_sweeps.stops);
    as an interruption otherwise (FAIL, queued again once, as Ctrl-C). A second SIGTERM during
    the clean-up is ignored; `received` collects the signals that stopped the trial."""
    from sweep.core.stop_request import StopTrial
    from sweep.run.trial import Interrupted
    from sweep.wandb_sweeps.stops import asked_by_wandb

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if received is not None:
            received.append(signum)
        if asked_by_wandb() is False:
            raise Interrupted("interrupted (SIGTERM, not a stop W&B asked for)")
        raise StopTrial(reason)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
