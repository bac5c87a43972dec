"""Who runs a trial: host, pid and process start time, to tell a dead worker's trial from a
live one.

A pid alone can be reused after a crash; the pair (pid, start time from /proc/<pid>/stat field 22)
names one process for the machine's lifetime.
"""

from __future__ import annotations

import os
import socket

from sweep.core.record import Attr


def process_start(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot, or None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; fields after it start past the last ')'.
    return int(stat.rsplit(")", 1)[1].split()[19])


def identity() -> dict[str, object]:
    """This process, as recorded in a trial's user attrs."""
    pid = os.getpid()
    return {Attr.HOST: socket.gethostname(), Attr.PID: pid, Attr.PID_START: process_start(pid)}


def is_alive_here(attrs: dict[str, object]) -> bool | None:
    """True/False for a trial run on this host; None when it ran elsewhere (unknowable here)."""
    pid = attrs.get(Attr.PID)
    if attrs.get(Attr.HOST) != socket.gethostname() or not isinstance(pid, int):
        return None
    return process_start(pid) == attrs.get(Attr.PID_START)
