"""One process's W&B mirror: how it opens a run, and the runs of its trials (one per trial:
config at its start, a history row per epoch, a summary with its end)."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweep.core import stop_request
from sweep.core.events import TrackerUnreachable
from sweep.core.record import Attr, RunSummary, Stop
from sweep.tracking.wandb.sweep_join import sweep_environment, trials_sweep
from sweep.tracking.wandb.trial_summary import trial_summary
from sweep.wandb_sweeps.export import AGENT_RUN_ENV
from sweep.wandb_sweeps.reach import MODE_ENV, MODES, resolve_mode, say
from sweep.wandb_sweeps.sweep_ids import parse_sweep

if TYPE_CHECKING:
    import optuna

    from sweep.config.plan import Plan

# wandb's own folders, which default to HOME (~/.local/share/wandb for staged artifacts, a copy
# of the finalist's best.pt; ~/.cache/wandb): under the study's wandb folder instead, so that a
# copied or kept study folder has what `wandb sync` needs and HOME keeps nothing of a sweep.
# A value the user set is kept. ~/.config/wandb (wandb's settings) is left alone.
WANDB_FOLDERS = {"WANDB_DATA_DIR": "data", "WANDB_CACHE_DIR": "cache"}


def parameters(params: dict[str, Any]) -> dict[str, Any]:
    """Searched arguments under their W&B sweep parameter names (`space.lr0`), so that agent
    runs, Optuna-driven trials and the finalist share config keys in W&B's tables and sweep
    view."""
    from sweep.wandb_sweeps.export import parameter_name

    return {parameter_name(arg): value for arg, value in params.items()}


def stop_from_page() -> None:
    """A run's `stop_fn`: "Stop run" on its W&B page ends the trial training under it as
    stopped by the user (sweep.core.stop_request), where wandb's default would Ctrl-C it."""
    stop_request.ask(Stop.STOPPED_ON_WANDB_PAGE)


class TrialMirror:
    """One process's mirror of its trials. A worker holds at most one open run: its current
    trial's.

    A trial's run starts in a thread beside the training's own start (wandb.init took 0.2 to
    0.3 s a trial offline here, the trial's time between its proposal and its result) and is
    waited for at its first epoch, or when the trial closes; a W&B agent's run starts before
    training, as it must be online before the trial may go on."""

    def __init__(self, settings: dict[str, Any], plan: Plan) -> None:
        self.settings = settings
        self.plan = plan
        self.mode = str(settings["mode"])
        # a W&B agent's run is online from start to end: no probe, no offline fallback
        self.agent_run = self.mode in ("auto", "online") and bool(os.environ.get(AGENT_RUN_ENV))
        if self.agent_run:
            self.mode = "online"
        elif self.mode in ("auto", "online") and os.environ.get(MODE_ENV) in MODES:
            self.mode = os.environ[MODE_ENV]  # a worker: the main process settled it
        self.run: Any = None
        self._starting: tuple[optuna.Trial, Future[Any]] | None = None
        # what a run's start in its thread has to say, said once the training is over: while
        # it trains, Ultralytics' output (stdout included) goes to the trial's train.log
        self._held: list[str] | None = None
        self._starter: ThreadPoolExecutor | None = None
        for variable, folder in WANDB_FOLDERS.items():
            os.environ.setdefault(variable, str(self.runs_dir / folder))

    @property
    def study_dir(self) -> Path:
        """The search study's folder, also for the race (`<study dir>/race`): all the runs of
        one sweep go to one W&B group and one offline folder, which one `wandb sync` uploads."""
        here = Path(self.plan.study_dir)
        return here.parent if self.plan.race_of else here

    @property
    def runs_dir(self) -> Path:
        return self.study_dir / "wandb"

    def sync_hint(self) -> str:
        return f"wandb sync {self.runs_dir}/offline-run-*"

    def init_timeout(self) -> float:
        """How long one online wandb.init may take: a W&B agent's run has no offline to fall
        back to (a slow start would be a failed run, and 3 early ones stop the agent), so it
        waits as long as wandb's own default (tracking.wandb.agent_init_timeout)."""
        key = "agent_init_timeout" if self.agent_run else "init_timeout"
        return float(self.settings[key])

    def _init(self, sweep_id: str | None = None, **kwargs: Any) -> Any:
        """`wandb.init` in the settled mode; an online failure moves this process offline.

        `sweep_id`: the run joins that W&B sweep (an id, or entity/project/id). wandb does this
        for a run whose settings carry a sweep id (an agent's runs get it from WANDB_SWEEP_ID):
        the id is part of the run's record, sent with the run when online and kept in an offline
        run for `wandb sync`. In a sweep, wandb ignores `project`/`entity` arguments and reads
        WANDB_PROJECT/WANDB_ENTITY: the sweep's own when its path names them.
        """
        import wandb

        if self.mode == "auto":  # a process started without a settled mode
            self.mode, _ = resolve_mode(self.mode)
        if self.mode == "disabled":
            return None
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        where: dict[str, Any] = {"project": self.settings["project"],
                                 "entity": self.settings.get("entity")}
        if sweep_environment(sweep_id, self.settings):
            where = {}
        path = parse_sweep(sweep_id) if sweep_id else None
        extra: dict[str, Any] = {"sweep_id": path.id} if path is not None else {}
        common = dict(
            **where, tags=list(self.settings.get("tags") or []),
            group=self.plan.race_of or self.plan.study_name, dir=str(self.study_dir),
            reinit="finish_previous",
            settings=wandb.Settings(init_timeout=self.init_timeout(),
                                    console="off", x_disable_meta=True, silent=True,
                                    disable_git=True, save_code=False, stop_fn=stop_from_page,
                                    **extra),
        )
        try:
            return wandb.init(mode=self.mode, **common, **kwargs)  # type: ignore[arg-type]
        except Exception as err:
            if self.mode != "online":
                raise
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            if self.agent_run:
                raise TrackerUnreachable(
                    f"W&B could not be reached from this W&B agent's run ({type(err).__name__}: "
                    f"{first[:200]}); the trial fails instead of going offline, where W&B's "
                    f"sweep controller would never see it. Check the network and "
                    f"WANDB_BASE_URL; the agent's next run tries again") from err
            self._say(f"online init failed ({type(err).__name__}: {first[:200]}); this "
                      f"process mirrors offline from now on; upload later with: "
                      f"{self.sync_hint()}")
            self.mode = "offline"
            return wandb.init(mode="offline", **common, **kwargs)

    def _say(self, message: str) -> None:
        if self._held is None:
            say(message)
        else:
            self._held.append(message)

    def _say_held(self) -> None:
        for message in self._held or []:
            say(message)
        self._held = None

    def _optuna(self, number: int | None) -> dict[str, Any]:
        cfg = self.plan.config
        return {"study": self.plan.study_name, "trial": number,
                "metric": cfg["study"]["metric"], "direction": cfg["study"]["direction"],
                "sampler": cfg.get("sampler", {}).get("_target_"),
                "pruner": cfg.get("pruner", {}).get("_target_")}

    # -- worker -------------------------------------------------------------------------------
    def on_worker_start(self) -> None:
        """wandb imported and its service started before the first trial (about 2 s once)."""
        if self.mode != "disabled":
            import wandb

            # before wandb reads the environment, once
            sweep_environment(trials_sweep(self.plan.race_of), self.settings)
            wandb.setup()

    def on_trial_start(self, trial: optuna.Trial, info: dict[str, Any]) -> None:
        config = {**parameters(info["params"]), "train": info["train"],
                  "fidelity": info["fidelity"],
                  "model": info["model"], "data": info["data"],
                  "optuna": self._optuna(trial.number)}
        notes = None
        retry_of = trial.user_attrs.get(Attr.RETRY_OF)
        if retry_of is not None:
            earlier = next((t for t in trial.study.get_trials(deepcopy=False)
                            if t.number == retry_of), None)
            attrs = earlier.user_attrs if earlier is not None else {}
            config["retry_of"] = {"trial": retry_of, "wandb_run_id": attrs.get(Attr.WANDB_RUN_ID),
                                  "wandb_url": attrs.get(Attr.WANDB_URL)}
            notes = (f"Retry of trial {retry_of} (W&B run {attrs.get(Attr.WANDB_RUN_ID)}), whose "
                     f"worker died: {attrs.get(Attr.FAIL_REASON, 'unknown')}")
        # a race candidate (sweep.finalist.race) is named after the search trial it retrains
        candidate_of = trial.user_attrs.get(Attr.CANDIDATE_OF)
        job_type, name = ("trial", f"trial-{trial.number:04d}") if candidate_of is None else \
            ("race", f"race-{int(candidate_of):04d}")
        if Attr.REPEAT_OF in trial.user_attrs:  # its second training (sweep.finalist.confirm)
            name += f"-seed-{trial.user_attrs.get(Attr.TRAINING_SEED)}"
        sweep_id = trials_sweep(self.plan.race_of, candidate_of)
        run: dict[str, Any] = dict(job_type=job_type, name=name, config=config, notes=notes,
                                   sweep_id=sweep_id)
        if self.agent_run:
            self._record(trial, self._init(**run))
            return
        self._starter = self._starter or ThreadPoolExecutor(1, thread_name_prefix="wandb-init")
        self._held = []
        self._starting = (trial, self._starter.submit(self._init, **run))

    def _started(self) -> Any:
        """The current trial's run, its start waited for and recorded on the trial (its start's
        error, if any, raised here: the hooks' caller warns and the trial goes on unmirrored)."""
        if self._starting is not None:
            (trial, starting), self._starting = self._starting, None
            self._record(trial, starting.result())
        return self.run

    def _record(self, trial: optuna.Trial, run: Any) -> None:
        self.run = run
        if run is None:
            return
        trial.set_user_attr(Attr.WANDB_RUN_ID, run.id)
        if run.sweep_id:
            trial.set_user_attr(Attr.WANDB_SWEEP_ID, run.sweep_id)
        if self.mode == "online":
            trial.set_user_attr(Attr.WANDB_URL, run.url)

    def on_epoch_end(self, trial: optuna.Trial, epoch: int, value: float,
                     metrics: dict[str, float]) -> None:
        if self._started() is not None:
            self.run.log({self.plan.config["study"]["metric"]: value, **metrics}, step=epoch)

    def on_trial_closing(self, trial: optuna.Trial, state: optuna.trial.TrialState) -> None:
        """The run's id on the trial before it is told (a trial that ended before its first
        epoch); what its start had to say, now that the training's output is over."""
        try:
            self._started()
        finally:
            self._say_held()

    def on_trial_end(self, frozen: optuna.trial.FrozenTrial) -> None:
        try:
            run = self._started()
        finally:
            self._say_held()
        if run is None:
            return
        run, self.run = self.run, None
        summary = trial_summary(frozen, self.plan.config["study"]["metric"],
                                self.plan.config["study"]["direction"] == "maximize")
        run.summary.update(summary)
        run.finish(exit_code=1 if summary[RunSummary.STATE] == RunSummary.FAILED else 0)
