"""Run one worker process per device and keep them running until the sweep is done.

Each worker is a `subprocess` whose environment pins its device before Python starts, so a
crash (segfault, kill -9, a poisoned CUDA context) takes down only that worker: its trial is
closed as FAIL with the reason, retried once with the same parameters, and the worker replaced.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import optuna
from rich.console import Console, Group
from rich.live import Live

from sweep.config.plan import STORAGE_ENV, Plan
from sweep.core.disk import EXIT_DISK_FULL, DiskFull
from sweep.core.events import Callbacks
from sweep.run.budget_watch import BudgetWatch
from sweep.run.devices import physical_gpu
from sweep.run.progress import render
from sweep.run.training import CPU_THREADS_ENV
from sweep.study.memory import oom_kill_count
from sweep.study.orphans import close_orphans
from sweep.study.stopping import stop_reason


def worker_env(device: str, cpu_workers: int) -> dict[str, str]:
    """The environment that pins a worker: its GPU only, or no GPU and a share of the cores."""
    env = dict(os.environ)
    env["YOLO_VERBOSE"] = "False"
    env["PYTHONUNBUFFERED"] = "1"
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
        threads = max(1, (os.cpu_count() or 1) // max(1, cpu_workers))
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = env[CPU_THREADS_ENV] = str(threads)
    else:
        env["CUDA_VISIBLE_DEVICES"] = physical_gpu(device)
    return env


@dataclass
class Worker:
    slot: int
    device: str
    process: subprocess.Popen[bytes]
    restarts: int = 0
    finished: bool = False
    idle_deaths: int = 0  # deaths in a row without a trial: a worker that cannot start
    oom_kills: int | None = None  # the cgroup's OOM-kill count when it started

    @property
    def label(self) -> str:
        return worker_label(self.slot, self.device)


class WorkerCrashLoop(RuntimeError):
    """A worker keeps dying before it runs a trial: replacing it again would loop forever."""


def worker_label(slot: int, device: str) -> str:
    return f"cpu#{slot}" if device == "cpu" else f"cuda:{physical_gpu(device)}"


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    """Starts, watches and replaces the worker processes of one sweep run."""

    def __init__(self, plan: Plan, plan_path: Path, study: optuna.Study,
                 devices: list[str], console: Console, callbacks: Callbacks | None = None
                 ) -> None:
        self.plan, self.plan_path, self.study = plan, plan_path, study
        self.devices = devices
        self.console = console
        self.callbacks = callbacks  # heard when this process closes a dead worker's trial
        self.log_dir = Path(plan.study_dir) / "workers"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.cpu_workers = sum(1 for d in devices if d == "cpu")
        self.workers: list[Worker] = []
        self.deaths: list[str] = []

    def _spawn(self, slot: int, device: str) -> subprocess.Popen[bytes]:
        label = worker_label(slot, device)
        log = open(self.log_dir / f"worker-{slot}.log", "ab")
        env = {**worker_env(device, self.cpu_workers), STORAGE_ENV: self.plan.storage_url}
        return subprocess.Popen(
            [sys.executable, "-m", "sweep.run.worker", str(self.plan_path), label, str(slot)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )

    def start(self) -> None:
        self.workers = [Worker(slot, device, self._spawn(slot, device), oom_kills=oom_kill_count())
                        for slot, device in enumerate(self.devices)]

    def _check(self) -> bool:
        """Handle exited workers; True while any worker is still running."""
        alive = False
        for worker in self.workers:
            if worker.finished:
                continue
            code = worker.process.poll()
            if code is None:
                alive = True
                continue
            if code == 0:
                worker.finished = True
                continue
            if code == EXIT_DISK_FULL:
                self.stop()
                raise DiskFull(Path(self.plan.study_dir))
            why = describe_exit(code)
            kills = oom_kill_count()
            out_of_memory = (code == -signal.SIGKILL and kills is not None
                             and worker.oom_kills is not None and kills > worker.oom_kills)
            if out_of_memory:
                why += " (the kernel's OOM killer: its trial is infeasible, not retried)"
            closed = close_orphans(self.study, pid=worker.process.pid,
                                   out_of_memory=out_of_memory, callbacks=self.callbacks)
            if closed and not out_of_memory:
                why += " (its trial was closed as FAIL and re-queued)"
            self.deaths.append(f"{worker.label}: {why}")
            worker.idle_deaths = 0 if closed else worker.idle_deaths + 1
            if worker.idle_deaths >= self.plan.config["workers"]["max_failures"]:
                self.stop()
                log = self.log_dir / f"worker-{worker.slot}.log"
                lines = [line for line in log.read_text(errors="replace").splitlines()
                         if line.strip()]
                raise WorkerCrashLoop(f"worker {worker.label} died {worker.idle_deaths} times "
                                      f"before running a trial ({why}): "
                                      f"{lines[-1].strip() if lines else '?'} (see {log})")
            if stop_reason(self.study, self.plan) is None:
                worker.restarts += 1
                worker.oom_kills = kills
                worker.process = self._spawn(worker.slot, worker.device)
                alive = True
            else:
                worker.finished = True
        return alive

    def run(self) -> None:
        """Supervise until every worker has finished, showing live progress."""
        started = time.time()
        self.start()
        budget = self.plan.budget
        n_trials = (None if budget and not budget.get("capped") and not self.plan.race_of
                    else self.plan.config["study"]["n_trials"])
        watch = BudgetWatch(self.plan, self.console, started)

        def frame() -> Group:
            trials = self.study.get_trials(deepcopy=False)  # one read a second, for both
            return render(self.study, trials, n_trials, started, self.plan.run_id,
                          len(self.workers), watch.line(trials))

        try:
            try:
                with Live(frame(), console=self.console, refresh_per_second=1,
                          transient=False) as live:
                    while self._check():
                        time.sleep(1.0)
                        live.update(frame())
                    live.update(frame())
            finally:
                self.console.print()  # what follows starts on its own line
        except KeyboardInterrupt:
            self.stop()
            # a worker that had to be killed could not close its trial: close it now, so the
            # dashboard and other machines see it ended (a re-run retries it once)
            close_orphans(self.study, interrupted=True, callbacks=self.callbacks)
            raise
        except BaseException:
            self.stop()  # never leave workers running behind a supervisor that gives up
            raise
        for death in self.deaths:
            self.console.print(f"worker {death}", style="yellow", markup=False, soft_wrap=True)

    def stop(self) -> None:
        """Ask workers to stop (SIGINT: their trial is closed as interrupted), then make sure."""
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGINT)
        deadline = time.time() + 30
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                worker.process.kill()


def run_workers(plan: Plan, study: optuna.Study, devices: list[str], console: Console,
                crash_prefix: str, callbacks: Callbacks | None = None) -> bool:
    """Save the plan beside the study for the workers and supervise them until they are done;
    False when a worker kept dying before its first trial (said on the console)."""
    plan_path = Path(plan.study_dir) / f"plan-{plan.run_id}.json"
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    plan.save(plan_path)
    try:
        Supervisor(plan, plan_path, study, devices, console, callbacks).run()
    except WorkerCrashLoop as err:
        console.print(f"{crash_prefix}: {err}", style="red", markup=False, soft_wrap=True)
        return False
    return True
