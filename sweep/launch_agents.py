"""`python -m sweep.launch_agents SWEEP_ID [--count N]`: one `wandb agent` per visible GPU
(sweep.wandb_sweeps.launch)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sweep.run.devices import visible_gpus
from sweep.wandb_sweeps import launch
from sweep.wandb_sweeps.sweep_ids import FORMS, parse_sweep


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sweep.launch_agents",
                                     description=str(launch.__doc__).split("\n\n")[1])
    parser.add_argument("sweep_id", help="as `wandb sweep` printed it (entity/project/id), the "
                        "bare id, or the sweep page's URL")
    parser.add_argument("--count", type=int, default=None,
                        help="runs per agent (default: until the sweep ends)")
    parser.add_argument("--gpus", default=None,
                        help="GPU indices, e.g. 0,1 (default: CUDA_VISIBLE_DEVICES or all), or "
                        "cpu: one agent without a GPU")
    parser.add_argument("--stagger", type=float, default=10.0,
                        help="seconds between agent starts (default 10)")
    parser.add_argument("--logs", type=Path, default=Path("agent-logs"),
                        help="folder for agent-gpuN.log (default agent-logs)")
    args = parser.parse_args(argv)
    if args.count is not None and args.count < 1:
        parser.error("--count must be at least 1")
    try:
        sweep = str(parse_sweep(args.sweep_id))  # what `wandb agent` takes
    except ValueError:
        print(f"error: sweep_id={args.sweep_id!r}: not {FORMS}. Fix: paste what `wandb sweep` "
              "printed, or the sweep page's URL", file=sys.stderr)
        return 2
    gpus = [launch.CPU] if args.gpus == launch.CPU else visible_gpus(args.gpus)
    if not gpus:
        print("error: no GPU found (CUDA_VISIBLE_DEVICES, nvidia-smi). Fix: pass --gpus 0,1, "
              "or on a CPU machine run one agent: python -m sweep.launch_agents "
              f"{sweep} --gpus cpu", file=sys.stderr)
        return 2
    return launch.launch(sweep, gpus, args.count, args.stagger, args.logs)


if __name__ == "__main__":
    sys.exit(main())
